import { FRAUD_PRODUCTS, PRODUCTS } from './catalog.js';
import { otherRegion } from './fraud.js';
import type { Order } from './order-line.js';
import type { Rng } from './rng.js';

/**
 * Legitimate behaviour that looks like fraud to a single rule (docs/DATA.md "Fraud"), per legitimate
 * primary order: a gift shipped to another region; a repeat order a few minutes later (forgotten items);
 * a business buying in bulk; a new customer whose first week includes an expensive item.
 */
export const LOOKALIKE_RATES = {
  giftShipping: 0.02,
  repeatOrders: 0.025,
  businessBulk: 0.6,
  newCustomerBigItem: 0.6,
};
/** Quantity of a business bulk order, and how often it is office equipment (laptops, phones…). */
export const BULK_QTY = [5, 30] as const;
export const BULK_OFFICE_SHARE = 0.5;
/** Repeat orders: this many more, this many seconds apart. */
export const REPEAT_EXTRA = [1, 6] as const;
export const REPEAT_GAP_SECONDS = [20, 300] as const;
/** A customer is new for the big-first-item look-alike during this many days after signup. */
export const NEW_CUSTOMER_DAYS = 7;

const OFFICE = [...FRAUD_PRODUCTS, ...PRODUCTS.flatMap((p, i) => (p.id === 'MONITOR001' ? [i] : []))];

/** The shipping region of a legitimate order: the customer's, or a gift's elsewhere. */
export function legitShipRegion(rng: Rng, home: number): number {
  return rng.chance(LOOKALIKE_RATES.giftShipping) ? otherRegion(rng, home) : home;
}

/** A business order's product and quantity, or null for an ordinary one. */
export function bulkLine(rng: Rng, product: number): { prod: number; qty: number } | null {
  if (!rng.chance(LOOKALIKE_RATES.businessBulk)) return null;
  const prod = rng.chance(BULK_OFFICE_SHARE) ? (OFFICE[rng.int(OFFICE.length)] ?? product) : product;
  return { prod, qty: rng.range(BULK_QTY[0], BULK_QTY[1]) };
}

/** A new customer's product: sometimes an expensive one instead of the demand-drawn one. */
export function newCustomerProduct(rng: Rng, product: number, ageSeconds: number): number {
  if (ageSeconds > NEW_CUSTOMER_DAYS * 86400 || !rng.chance(LOOKALIKE_RATES.newCustomerBigItem))
    return product;
  return FRAUD_PRODUCTS[rng.int(FRAUD_PRODUCTS.length)] ?? product;
}

/** Repeat orders after a legitimate one (same customer and region), or none. */
export function repeatOrders(
  rng: Rng,
  first: Order,
  line: (t: number) => { prod: number; qty: number; priceCents: number },
): Order[] {
  if (!rng.chance(LOOKALIKE_RATES.repeatOrders)) return [];
  const out: Order[] = [];
  let t = first.t;
  const n = rng.range(REPEAT_EXTRA[0], REPEAT_EXTRA[1]);
  for (let i = 0; i < n; i++) {
    t += rng.range(REPEAT_GAP_SECONDS[0], REPEAT_GAP_SECONDS[1]);
    out.push({ t, cust: first.cust, region: first.region, fraud: 0, ...line(t) });
  }
  return out;
}
