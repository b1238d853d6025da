/**
 * The lake's tables, defined once. Bulk ingest turns these specs into SQL checks, the HTTP collector
 * into zod schemas, and the engines into typed views, so a column's rules live in exactly one place.
 */

import { ACTIONS, DEVICES, ORDER_STATUSES, PAGES, TIERS } from '../seed/index.js';

export { ACTIONS, DEVICES, ORDER_STATUSES, PAGES, TIERS };

export type ColumnType = 'text' | 'integer' | 'money' | 'timestamp' | 'date';

/**
 * Decimal places an amount keeps. Money is stored as DECIMAL(18,4): exact (no binary fractions), 4 places
 * hold the sub-cent unit prices real exports carry (0.001, 2.0825) and any sum of them, and 18 digits fit
 * a 64-bit integer in Parquet, leaving 14 integer digits (amounts up to 99 trillion). A value with more
 * places is refused, never rounded; round only for display.
 */
export const MONEY_SCALE = 4;
/** SQL type of an amount in the lake (see MONEY_SCALE). */
export const MONEY_SQL_TYPE = `DECIMAL(18,${MONEY_SCALE})`;

/** One column: its SQL-neutral type and the rules a value must meet. */
export interface ColumnSpec {
  name: string;
  type: ColumnType;
  /** May be empty/absent (stored as NULL). */
  optional?: boolean;
  enum?: readonly string[];
  min?: number;
  max?: number;
  /** Strictly greater than this. */
  greaterThan?: number;
  notZero?: boolean;
  maxLength?: number;
  /** Regular expression (DuckDB and JS compatible) the text must match. */
  pattern?: string;
  /** Refuses the words exports write for a missing value (`NULL`, `None`, `-`; see MISSING_WORDS). */
  notMissingWord?: boolean;
}

/**
 * Words that exports write where a value is missing (SQL dumps' NULL, pandas' nan and None, a dash),
 * compared in lower case. As an id they would pass for one: every guest order of a file with
 * customer_id NULL became one customer "NULL", with every guest's orders in RFM, cohorts and CLV.
 */
export const MISSING_WORDS: readonly string[] = [
  'null',
  'none',
  'nan',
  'nil',
  'undefined',
  'na',
  'n/a',
  '-',
  '--',
];

/** What a row with such an id is told (after the column's name and the value). */
export const MISSING_WORD_REASON =
  ' stands for a missing value, not an id: leave the field empty where there is none (a guest order has no customer_id), or map the column (docs/MAPPING.md)';

/** A table: columns in file order, identity, and how its Parquet files are partitioned. */
export interface TableSpec {
  name: TableName;
  columns: readonly ColumnSpec[];
  /** Columns whose values identify a row; re-ingesting a row with the same key loads nothing. */
  key: readonly string[];
  /** The column that places a row in time (newest keys, covered range), or null. */
  time: string | null;
  /** SQL expression (over typed columns) giving the partition value, or null for an unpartitioned table. */
  partition: string | null;
  /**
   * Extra row rules as [SQL condition that must hold, reason when it does not, stable id]. The id (not
   * the reason's wording) is what other forms of a rule (the collector's JS checks) are keyed by.
   */
  checks: readonly (readonly [sql: string, reason: string, id: string])[];
  /**
   * Columns each file the lake writes for the table is sorted by, so that a lookup of a few values skips
   * the row groups whose min/max statistics exclude them (experiments: a sessions refresh reads only its
   * sessions' assignments). Only files written since this was set are sorted; older ones are read whole.
   */
  sortBy?: readonly string[];
  /**
   * A table the lake derives from another one (never ingested or rolled back by itself): its rows are
   * recomputed whenever the source table's rows change (see src/lake/sessions/).
   */
  derivedFrom?: TableName;
  /**
   * Other tables a derived table reads (sessions: orders, for the revenue linked to a session, and
   * experiments, for its assignments).
   */
  alsoFrom?: readonly TableName[];
}

/**
 * The fields that identify a clickstream event sent without an event_id: its id is 'h' + the first 24 hex
 * digits of md5 over them as text, joined by '|'. File ingest (SQL) and the collector (JS) both use it.
 */
export const EVENT_CONTENT_FIELDS = [
  'timestamp',
  'session_id',
  'customer_id',
  'action',
  'page',
  'product_id',
  'device',
  'duration_seconds',
] as const;

export const TABLE_NAMES = [
  'orders',
  'customers',
  'clickstream',
  'products',
  'experiments',
  'sessions',
  'order_checks',
  'fraud_scores',
  'fraud_labels',
  'warehouses',
  'stock_levels',
  'stock_movements',
  'competitor_prices',
] as const;
export type TableName = (typeof TABLE_NAMES)[number];

const ID = { type: 'text', maxLength: 64, pattern: '^[A-Za-z0-9_.:-]+$', notMissingWord: true } as const;
const TEXT = { type: 'text', maxLength: 200 } as const;
// A region is the shop's own label (US-EAST, Central, Île-de-France), so any short text goes.
const REGION = { type: 'text', maxLength: 100 } as const;

// Dates before this are almost certainly typos (1900-01-01 placeholders, two-digit years).
const EARLIEST = "TIMESTAMP '2000-01-01 00:00:00'";
const notFuture = (col: string) => `${col} <= CAST(now() AS TIMESTAMP) + INTERVAL 1 DAY`;

/** Kinds of stock movement: receipts and returns add units, sales take them, adjustments do either. */
export const MOVEMENT_TYPES = ['RECEIPT', 'SALE', 'RETURN', 'ADJUSTMENT'] as const;

/** Inventory tables (docs/DATA.md, "Inventory"; docs/ANALYSES.md `inventory` says how they combine). */
const INVENTORY_TABLES: Record<'warehouses' | 'stock_levels' | 'stock_movements', TableSpec> = {
  warehouses: {
    name: 'warehouses',
    columns: [
      { name: 'warehouse_id', ...ID },
      { name: 'warehouse_name', ...TEXT },
      // Orders of this region ship from it (from the smallest warehouse_id when a region has several).
      { name: 'region', ...REGION },
    ],
    key: ['warehouse_id'],
    time: null,
    partition: null,
    checks: [],
  },
  // A stock count: units on hand at counted_at, with the replenishment policy in force then.
  stock_levels: {
    name: 'stock_levels',
    columns: [
      { name: 'warehouse_id', ...ID },
      { name: 'product_id', ...ID },
      { name: 'counted_at', type: 'timestamp' },
      { name: 'on_hand', type: 'integer', min: 0, max: 1e9 },
      { name: 'reorder_point', type: 'integer', min: 0, max: 1e9, optional: true },
      { name: 'order_quantity', type: 'integer', min: 1, max: 1e9, optional: true },
      { name: 'lead_time_days', type: 'integer', min: 0, max: 3650, optional: true },
    ],
    key: ['warehouse_id', 'product_id', 'counted_at'],
    time: 'counted_at',
    partition: null,
    checks: [
      [`counted_at >= ${EARLIEST}`, 'counted_at: before 2000-01-01', 'stock_levels.not_before_2000'],
      [notFuture('counted_at'), 'counted_at: in the future', 'stock_levels.not_future'],
    ],
  },
  // A change of stock: signed units (RECEIPT and RETURN add, SALE takes, ADJUSTMENT either way).
  stock_movements: {
    name: 'stock_movements',
    columns: [
      { name: 'movement_id', ...ID },
      { name: 'warehouse_id', ...ID },
      { name: 'product_id', ...ID },
      { name: 'moved_at', type: 'timestamp' },
      { name: 'movement_type', type: 'text', enum: MOVEMENT_TYPES },
      { name: 'quantity', type: 'integer', notZero: true, min: -1e9, max: 1e9 },
      // The order_id of a SALE or RETURN (so orders are not counted twice), a replenishment id, a count.
      { name: 'reference', ...ID, optional: true },
    ],
    key: ['movement_id'],
    time: 'moved_at',
    partition: 'CAST(moved_at AS DATE)',
    checks: [
      [
        "(movement_type IN ('RECEIPT', 'RETURN') AND quantity > 0) OR (movement_type = 'SALE' AND quantity < 0) OR movement_type = 'ADJUSTMENT'",
        'quantity: RECEIPT and RETURN must be positive, SALE negative',
        'stock_movements.sign',
      ],
      [`moved_at >= ${EARLIEST}`, 'moved_at: before 2000-01-01', 'stock_movements.not_before_2000'],
      [notFuture('moved_at'), 'moved_at: in the future', 'stock_movements.not_future'],
    ],
  },
};

export const TABLES: Record<TableName, TableSpec> = {
  orders: {
    name: 'orders',
    columns: [
      { name: 'order_id', ...ID },
      // Absent for a guest checkout (NULL), never a shared made-up customer.
      { name: 'customer_id', ...ID, optional: true },
      { name: 'product_id', ...ID },
      { name: 'product_name', ...TEXT },
      { name: 'quantity', type: 'integer', notZero: true, min: -100_000, max: 100_000 },
      { name: 'price', type: 'money', greaterThan: 0, max: 10_000_000 },
      { name: 'total_amount', type: 'money', min: -1e12, max: 1e12 },
      { name: 'order_date', type: 'timestamp' },
      { name: 'status', type: 'text', enum: ORDER_STATUSES },
      { name: 'region', ...REGION },
      // The line's discount as an amount (absent = 0); negative on a return line that gives one back.
      { name: 'discount', type: 'money', min: -1e12, max: 1e12, optional: true },
      // The source's line or item number; without one, ingest derives it from the line's content.
      { name: 'line_id', ...ID, optional: true },
    ],
    key: ['order_id', 'line_id'],
    time: 'order_date',
    partition: 'CAST(order_date AS DATE)',
    checks: [
      // Exact decimal arithmetic: the total may differ from quantity × price − discount by at most one
      // cent (0.01 inclusive), the rounding a shop's cent-rounded totals of sub-cent prices carry.
      [
        'abs(total_amount - (quantity * price - coalesce(discount, 0))) <= 0.01',
        'total_amount: must equal quantity × price − discount (±0.01)',
        'orders.total',
      ],
      [`order_date >= ${EARLIEST}`, 'order_date: before 2000-01-01', 'orders.not_before_2000'],
      [notFuture('order_date'), 'order_date: in the future', 'orders.not_future'],
    ],
  },
  customers: {
    name: 'customers',
    columns: [
      { name: 'customer_id', ...ID },
      { name: 'first_name', ...TEXT },
      { name: 'last_name', ...TEXT },
      { name: 'email', type: 'text', maxLength: 254, pattern: '^[^@\\s]+@[^@\\s]+$' },
      { name: 'city', ...TEXT },
      { name: 'region', ...REGION },
      { name: 'signup_date', type: 'date' },
      { name: 'lifetime_value', type: 'money', min: 0, max: 1e12 },
      { name: 'tier', type: 'text', enum: TIERS },
    ],
    key: ['customer_id'],
    time: 'signup_date',
    partition: "strftime(signup_date, '%Y')",
    checks: [
      [
        `signup_date >= CAST(${EARLIEST} AS DATE)`,
        'signup_date: before 2000-01-01',
        'customers.not_before_2000',
      ],
      [notFuture('CAST(signup_date AS TIMESTAMP)'), 'signup_date: in the future', 'customers.not_future'],
    ],
  },
  clickstream: {
    name: 'clickstream',
    columns: [
      { name: 'event_id', ...ID, optional: true },
      { name: 'timestamp', type: 'timestamp' },
      { name: 'session_id', ...ID, optional: true },
      { name: 'customer_id', ...ID },
      { name: 'action', type: 'text', enum: ACTIONS },
      { name: 'page', type: 'text', enum: PAGES },
      { name: 'product_id', ...ID, optional: true },
      { name: 'device', type: 'text', enum: DEVICES },
      { name: 'duration_seconds', type: 'integer', min: 0, max: 86_400 },
    ],
    key: ['event_id'],
    time: 'timestamp',
    partition: 'CAST("timestamp" AS DATE)',
    checks: [
      [`"timestamp" >= ${EARLIEST}`, 'timestamp: before 2000-01-01', 'clickstream.not_before_2000'],
      [notFuture('"timestamp"'), 'timestamp: in the future', 'clickstream.not_future'],
      [
        "action <> 'PURCHASE' OR customer_id <> 'GUEST'",
        'customer_id: a PURCHASE needs a known customer',
        'clickstream.purchase_customer',
      ],
    ],
  },
  products: {
    name: 'products',
    columns: [
      { name: 'product_id', ...ID },
      { name: 'product_name', ...TEXT },
      { name: 'category', ...TEXT, optional: true },
      { name: 'list_price', type: 'money', greaterThan: 0, max: 10_000_000 },
      { name: 'unit_cost', type: 'money', min: 0, max: 10_000_000, optional: true },
      { name: 'stock_on_hand', type: 'integer', min: 0, optional: true },
      { name: 'lead_time_days', type: 'integer', min: 0, max: 3650, optional: true },
    ],
    key: ['product_id'],
    time: null,
    partition: null,
    checks: [],
  },
  experiments: {
    name: 'experiments',
    columns: [
      { name: 'session_id', ...ID },
      { name: 'experiment', ...ID },
      { name: 'variant', ...ID },
    ],
    key: ['experiment', 'session_id'],
    time: null,
    partition: null,
    checks: [],
    // A collector batch's sessions refresh looks up ~1,000 sessions' assignments among millions.
    sortBy: ['session_id'],
  },
  // One row per session of clickstream, derived by the lake (docs/LAKE.md, "The sessions table").
  sessions: {
    name: 'sessions',
    columns: [
      // The event's session_id; for events without one, '<customer_id>~<epoch microseconds of the start>'.
      { name: 'session_id', type: 'text' },
      // The smallest customer_id among the session's events (a session_id shared by customers has several).
      { name: 'customer_id', type: 'text' },
      // The first event's device; among events of the first second, the alphabetically first.
      { name: 'device', type: 'text' },
      { name: 'started', type: 'timestamp' },
      { name: 'last_event', type: 'timestamp' },
      // From the first event's second to the end (second + duration_seconds) of the latest-ending event.
      { name: 'duration_seconds', type: 'integer' },
      { name: 'events', type: 'integer' },
      { name: 'page_views', type: 'integer' },
      { name: 'purchased', type: 'integer' },
      // Seconds after the start (epoch seconds) at which the default funnel VIEW → ADD_TO_CART →
      // CHECKOUT → PURCHASE reached each step, in order, each at or after the previous; NULL if not.
      { name: 'view_at', type: 'integer', optional: true },
      { name: 'cart_at', type: 'integer', optional: true },
      { name: 'checkout_at', type: 'integer', optional: true },
      { name: 'purchase_at', type: 'integer', optional: true },
      // The label (page of a VIEW, else the action) of the last event (ties: last label in code-point order).
      { name: 'exit_label', type: 'text' },
      // Purchasing sessions: steps up to the first purchase's second, repeats merged; path_1 is the last.
      { name: 'path_steps', type: 'integer', optional: true },
      ...Array.from({ length: 10 }, (_, i) => ({
        name: `path_${i + 1}`,
        type: 'text' as const,
        optional: true,
      })),
      // Orders linked to the session: an order whose customer has a PURCHASE event in this session at
      // exactly its order_date; revenue is the sum of those orders' line totals (any status).
      { name: 'orders', type: 'integer' },
      { name: 'revenue', type: 'money' },
      // The session's experiment assignments (experiments table): 'experiment=variant' pairs joined by
      // ',' in experiment order, '' when it has none. NULL only in files written before the column.
      { name: 'assignments', type: 'text' },
    ],
    key: ['session_id'],
    time: 'started',
    partition: 'CAST(started AS DATE)',
    checks: [],
    derivedFrom: 'clickstream',
    alsoFrom: ['orders', 'experiments'],
  },
  // The fields a payment-fraud check sees, one row per order, apart from the seed's orders columns.
  order_checks: {
    name: 'order_checks',
    columns: [
      { name: 'order_id', ...ID },
      { name: 'order_date', type: 'timestamp' },
      { name: 'payment_method', type: 'text', maxLength: 40, optional: true },
      { name: 'shipping_region', ...REGION, optional: true },
      // ISO 3166-1 alpha-2 country of the IP address the order came from.
      { name: 'ip_country', type: 'text', pattern: '^[A-Z]{2}$', optional: true },
      { name: 'account_age_days', type: 'integer', min: 0, max: 36_500, optional: true },
      { name: 'device_id', ...ID, optional: true },
    ],
    key: ['order_id'],
    time: 'order_date',
    partition: 'CAST(order_date AS DATE)',
    checks: [
      [`order_date >= ${EARLIEST}`, 'order_date: before 2000-01-01', 'order_checks.not_before_2000'],
      [notFuture('order_date'), 'order_date: in the future', 'order_checks.not_future'],
    ],
  },
  // One fraud score per order (src/fraud); an order is scored once, so a replay loads nothing new.
  fraud_scores: {
    name: 'fraud_scores',
    columns: [
      { name: 'order_id', ...ID },
      { name: 'customer_id', ...ID, optional: true },
      { name: 'order_date', type: 'timestamp' },
      { name: 'scored_at', type: 'timestamp' },
      // A probability in [0, 1]; DECIMAL keeps the 4 places exactly.
      { name: 'score', type: 'money', min: 0, max: 1 },
      { name: 'alert', type: 'integer', min: 0, max: 1 },
      { name: 'reasons', type: 'text', maxLength: 2000, optional: true },
      { name: 'model', ...ID },
    ],
    key: ['order_id'],
    time: 'order_date',
    partition: 'CAST(order_date AS DATE)',
    checks: [],
  },
  // What a person decided about an order (shoplake fraud label): the latest label of an order wins.
  fraud_labels: {
    name: 'fraud_labels',
    columns: [
      { name: 'order_id', ...ID },
      { name: 'label', type: 'text', enum: ['confirmed', 'false'] },
      { name: 'labelled_at', type: 'timestamp' },
    ],
    key: ['order_id', 'labelled_at'],
    time: 'labelled_at',
    partition: null,
    checks: [],
  },
  ...INVENTORY_TABLES,
  // A competitor price feed: one competitor's price of one of our products on one day (price-elasticity).
  competitor_prices: {
    name: 'competitor_prices',
    columns: [
      { name: 'product_id', ...ID },
      { name: 'competitor', ...ID },
      { name: 'price_date', type: 'date' },
      { name: 'price', type: 'money', greaterThan: 0, max: 10_000_000 },
    ],
    key: ['product_id', 'competitor', 'price_date'],
    time: 'price_date',
    partition: "strftime(price_date, '%Y')",
    checks: [
      [
        `price_date >= CAST(${EARLIEST} AS DATE)`,
        'price_date: before 2000-01-01',
        'competitor_prices.not_before_2000',
      ],
      [
        notFuture('CAST(price_date AS TIMESTAMP)'),
        'price_date: in the future',
        'competitor_prices.not_future',
      ],
    ],
  },
};

/** The spec of a table, or a user error naming the valid tables. */
export function tableSpec(name: string): TableSpec {
  if ((TABLE_NAMES as readonly string[]).includes(name)) return TABLES[name as TableName];
  throw new TableNameError(name);
}

import { UserError } from '../errors/index.js';

class TableNameError extends UserError {
  constructor(name: string) {
    super(`unknown table '${name}': use one of ${TABLE_NAMES.join(', ')}`, { code: 'unknown_table' });
  }
}
