import type { Calendar } from './calendar.js';
import { PRODUCTS } from './catalog.js';
import type { Rng } from './rng.js';

/**
 * Index drawn from cumulative weights by binary search: the same index Rng.pickCumulative's linear scan
 * returns for the same draw (the first i with x < cum[i]), so the seed's catalog gives the same bytes,
 * but in O(log n) for long-tail catalogs of thousands of products.
 */
export function pickIndex(rng: Rng, cum: ArrayLike<number>): number {
  const n = cum.length;
  const x = rng.float() * (cum[n - 1] as number);
  let lo = 0;
  let hi = n - 1;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (x < (cum[mid] as number)) hi = mid;
    else lo = mid + 1;
  }
  return lo;
}

/** A customer's taste: the groups (a category, a brand) most of their picks come from. */
export interface Taste {
  /** Products of each taste group and their cumulative popularity. */
  groups: { products: Int32Array; cum: Float64Array }[];
  /** Category groups come first in `groups`, then brand groups. */
  categoryGroups: number;
  /** Chance that a pick follows the customer's favourite category, and their favourite brand. */
  categoryShare: number;
  brandShare: number;
}

let taste: Taste | undefined;

/** Sets (or, with undefined, removes) the taste model of a long-tail catalog. */
export function setTaste(t: Taste | undefined): void {
  taste = t;
}

/** Deterministic 32-bit hash of a customer index, so a taste costs no storage and no random draws. */
function hash(i: number, salt: number): number {
  let h = Math.imul(i ^ salt, 0x9e3779b1);
  h = Math.imul(h ^ (h >>> 15), 0x85ebca6b);
  return (h ^ (h >>> 13)) >>> 0;
}

/** The category group and brand group a customer favours (-1 without a taste model or for guests). */
export function favourites(cust: number): [number, number] {
  if (!taste || cust < 0) return [-1, -1];
  const brands = taste.groups.length - taste.categoryGroups;
  return [hash(cust, 0x51ed) % taste.categoryGroups, taste.categoryGroups + (hash(cust, 0xb7a0) % brands)];
}

/**
 * The product of a new order or browsing target at time t for customer cust (-1: guest). Without a
 * long tail: by the day's demand weights, as the seed's generator drew. With one: from the customer's
 * favourite category or brand by popularity (a product not yet arrived falls back to the day's weights),
 * else by the day's weights; that persistent taste is what collaborative filtering can learn.
 */
export function pickProduct(rng: Rng, cal: Calendar, t: number, cust: number): number {
  const day = cal.productCum[cal.dayIndex(t)] as Float64Array;
  if (!taste || cust < 0) return pickIndex(rng, day);
  const u = rng.float();
  const [cat, brand] = favourites(cust);
  const g = u < taste.categoryShare ? cat : u < taste.categoryShare + taste.brandShare ? brand : -1;
  const group = taste.groups[g];
  if (group) {
    const p = group.products[pickIndex(rng, group.cum)] as number;
    // generate --pricing: a taste pick responds to the product's price too (no draw without it).
    const buys = !cal.pricing || rng.chance(cal.priceAcceptance(p, t));
    if ((PRODUCTS[p]?.arrivalSec ?? 0) <= t && buys) return p;
  }
  return pickIndex(rng, day);
}
