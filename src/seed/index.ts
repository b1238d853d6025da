/**
 * The seed proof of concept's fixed facts, defined once: its vocabularies and the headers of its CSV
 * files. The generator writes them, the lake's table specs validate against them, and tests build
 * fixtures from them. It sits below every other folder and imports nothing.
 */

/** The seed's five sales regions (a real shop's regions are its own free-text labels). */
export const SEED_REGIONS = ['US-EAST', 'US-WEST', 'EU-WEST', 'ASIA-PACIFIC', 'LATAM'] as const;
export const ORDER_STATUSES = ['COMPLETED', 'PENDING', 'CANCELLED'] as const;
/** Customer tiers by lifetime value: PLATINUM > 5000, GOLD > 2000, SILVER > 500, else BRONZE. */
export const TIERS = ['PLATINUM', 'GOLD', 'SILVER', 'BRONZE'] as const;
export const ACTIONS = ['VIEW', 'ADD_TO_CART', 'REMOVE_FROM_CART', 'CHECKOUT', 'PURCHASE'] as const;
export const PAGES = ['home', 'category', 'product', 'cart', 'checkout', 'account', 'search'] as const;
export const DEVICES = ['mobile', 'desktop', 'tablet'] as const;

/** Column order of the seed's CSV files (the lake's tables add optional columns after these). */
export const SEED_COLUMNS = {
  orders: [
    'order_id',
    'customer_id',
    'product_id',
    'product_name',
    'quantity',
    'price',
    'total_amount',
    'order_date',
    'status',
    'region',
  ],
  customers: [
    'customer_id',
    'first_name',
    'last_name',
    'email',
    'city',
    'region',
    'signup_date',
    'lifetime_value',
    'tier',
  ],
  clickstream: [
    'timestamp',
    'session_id',
    'customer_id',
    'action',
    'page',
    'product_id',
    'device',
    'duration_seconds',
  ],
} as const;

/** The seed's CSV header lines. */
export const ORDER_HEADER = SEED_COLUMNS.orders.join(',');
export const CUSTOMER_HEADER = SEED_COLUMNS.customers.join(',');
export const CLICK_HEADER = SEED_COLUMNS.clickstream.join(',');
