import { FRAUD_PRODUCTS, REGIONS } from './catalog.js';
import type { Order } from './order-line.js';
import type { Rng } from './rng.js';

/** Fraud pattern codes stored on orders; 0 = legitimate. Index = code. */
export const FRAUD_PATTERNS = ['', 'burst', 'unusual_amount', 'region_mismatch'] as const;
export const BURST = 1;
export const UNUSUAL_AMOUNT = 2;
export const REGION_MISMATCH = 3;

/** Per primary order: chance it starts a burst, is an unusual amount, or ships to another region. */
export const FRAUD_RATES = { burst: 0.0015, unusualAmount: 0.003, regionMismatch: 0.004 };
/** A burst adds this many further orders, each this many seconds after the previous one. */
export const BURST_EXTRA = [2, 5] as const;
export const BURST_GAP_SECONDS = [20, 240] as const;
/** Quantity range of an unusual-amount order (always an expensive product). */
export const UNUSUAL_QTY = [8, 25] as const;
/** Chance that a fraudulent order ends up CANCELLED (legitimate: see orders.ts). */
export const FRAUD_CANCEL_RATE = 0.25;

/** Draws the fraud pattern of a new primary order (0 for most). */
export function drawFraud(rng: Rng): number {
  const u = rng.float();
  if (u < FRAUD_RATES.burst) return BURST;
  if (u < FRAUD_RATES.burst + FRAUD_RATES.unusualAmount) return UNUSUAL_AMOUNT;
  if (u < FRAUD_RATES.burst + FRAUD_RATES.unusualAmount + FRAUD_RATES.regionMismatch) return REGION_MISMATCH;
  return 0;
}

export function fraudProduct(rng: Rng): number {
  return FRAUD_PRODUCTS[rng.int(FRAUD_PRODUCTS.length)] ?? 0;
}

export function unusualQuantity(rng: Rng): number {
  return rng.range(UNUSUAL_QTY[0], UNUSUAL_QTY[1]);
}

/** A region other than the customer's. */
export function otherRegion(rng: Rng, region: number): number {
  return (region + 1 + rng.int(REGIONS.length - 1)) % REGIONS.length;
}

/** The follow-up orders of a burst: same customer, expensive items, minutes apart. */
export function burstFollowUps(rng: Rng, first: Order, price: (prod: number, t: number) => number): Order[] {
  const out: Order[] = [];
  let t = first.t;
  const n = rng.range(BURST_EXTRA[0], BURST_EXTRA[1]);
  for (let i = 0; i < n; i++) {
    t += rng.range(BURST_GAP_SECONDS[0], BURST_GAP_SECONDS[1]);
    const prod = fraudProduct(rng);
    out.push({
      t,
      cust: first.cust,
      prod,
      qty: rng.range(1, 2),
      priceCents: price(prod, t),
      region: first.region,
      fraud: BURST,
    });
  }
  return out;
}
