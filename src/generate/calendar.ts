import { PRODUCTS } from './catalog.js';
import type { PriceProcess } from './pricing.js';
import { Rng } from './rng.js';

const DAY = 86400;

/** Relative traffic by UTC hour of day: low at night, peak in the evening. */
export const HOUR_SHAPE = [
  0.35, 0.25, 0.2, 0.18, 0.2, 0.3, 0.5, 0.7, 0.85, 0.95, 1.0, 1.05, 1.1, 1.05, 1.0, 1.0, 1.05, 1.15, 1.3, 1.5,
  1.6, 1.5, 1.1, 0.6,
];
/** Relative traffic by weekday, Sunday first: weekends are busier. */
export const WEEKDAY_SHAPE = [1.15, 0.95, 0.95, 1.0, 1.0, 1.05, 1.1];
/** Chance that a product is on promotion on a given day, and the discount range in percent. */
export const PROMO_DAILY_CHANCE = 0.1;
export const PROMO_DISCOUNT = [10, 30] as const;
/** Black Friday: traffic multiplier and the discount range every product gets that day. */
export const BLACK_FRIDAY_TRAFFIC = 4;
export const BLACK_FRIDAY_DISCOUNT = [30, 50] as const;
/** Constant price elasticity of demand of every product without --pricing: units ∝ price^-ELASTICITY. */
export const ELASTICITY = 1.8;
/** Log-normal sigma of the per-hour noise on traffic. */
const HOUR_NOISE_SIGMA = 0.08;

/** Weekday (0 = Sunday) of a day number counted from 1970-01-01 (a Thursday). */
export function weekday(dayNumber: number): number {
  return (((dayNumber + 4) % 7) + 7) % 7;
}

/** The Black Friday day number: last Friday of November inside the window, else the window's last Friday. */
export function blackFridayDay(firstDay: number, lastDay: number): number {
  let found = -1;
  const y0 = new Date(firstDay * DAY * 1000).getUTCFullYear();
  const y1 = new Date(lastDay * DAY * 1000).getUTCFullYear();
  for (let y = y0; y <= y1; y++) {
    let d = Date.UTC(y, 10, 30) / 1000 / DAY;
    while (weekday(d) !== 5) d--;
    if (d >= firstDay && d <= lastDay) found = d;
  }
  if (found >= 0) return found;
  for (let d = lastDay; d >= firstDay; d--) if (weekday(d) === 5) return d;
  return -1;
}

/**
 * The time grid of one run: hour buckets, per-day promotions and the traffic weight of each hour.
 * Everything is drawn up front from its own stream so orders and clickstream agree on it.
 */
export class Calendar {
  readonly startSec: number;
  readonly endSec: number;
  readonly hours: number;
  readonly firstDay: number;
  readonly nDays: number;
  readonly bfDay: number;
  /** Discount percent per (day, product), 0 = list price. */
  readonly discount: Uint8Array;
  /** Cumulative product demand weights per day (popularity × promo lift). */
  readonly productCum: Float64Array[];
  /** Traffic weight per hour for sessions, and for orders (which also rise with promotions). */
  readonly clickWeight: Float64Array;
  readonly orderWeight: Float64Array;
  /** With --pricing, per product the largest demand multiplier of any day but Black Friday (for thinning). */
  private readonly peakDemand: Float64Array;

  /** `pricing` (generate --pricing) replaces the fixed list prices and the single elasticity. */
  constructor(
    asOf: Date,
    days: number,
    seed: number,
    blackFriday: boolean,
    readonly pricing?: PriceProcess,
  ) {
    this.endSec = Math.floor(asOf.getTime() / 1000);
    this.startSec = this.endSec - days * DAY;
    this.hours = days * 24;
    this.firstDay = Math.floor(this.startSec / DAY);
    this.nDays = Math.floor((this.endSec - 1) / DAY) - this.firstDay + 1;
    this.bfDay = blackFriday ? blackFridayDay(this.firstDay, this.firstDay + this.nDays - 1) : -1;
    const rng = new Rng(seed, 1);
    const np = PRODUCTS.length;
    this.discount = new Uint8Array(this.nDays * np);
    const promoFactor = new Float64Array(this.nDays);
    const basePop = PRODUCTS.reduce((s, p) => s + p.popularity, 0);
    this.productCum = [];
    this.peakDemand = new Float64Array(np);
    for (let d = 0; d < this.nDays; d++) {
      const isBf = this.firstDay + d === this.bfDay;
      const cum = new Float64Array(np);
      let acc = 0;
      for (let p = 0; p < np; p++) {
        let disc = 0;
        if (isBf) disc = rng.range(BLACK_FRIDAY_DISCOUNT[0], BLACK_FRIDAY_DISCOUNT[1]);
        else if (rng.chance(PROMO_DAILY_CHANCE)) disc = rng.range(PROMO_DISCOUNT[0], PROMO_DISCOUNT[1]);
        this.discount[d * np + p] = disc;
        // A long-tail product sells from its arrival day on (generate --products; the seed's are always there).
        const here = (PRODUCTS[p]?.arrivalSec ?? 0) <= (this.firstDay + d) * DAY ? 1 : 0;
        const demand = pricing ? pricing.demand(d, p, this.priceOn(d, p)) : (1 - disc / 100) ** -ELASTICITY;
        if (pricing && !isBf) this.peakDemand[p] = Math.max(this.peakDemand[p] as number, demand);
        acc += here * (PRODUCTS[p]?.popularity ?? 0) * demand;
        cum[p] = acc;
      }
      this.productCum.push(cum);
      promoFactor[d] = acc / basePop;
    }
    this.clickWeight = new Float64Array(this.hours);
    this.orderWeight = new Float64Array(this.hours);
    for (let h = 0; h < this.hours; h++) {
      const sec = this.startSec + h * 3600;
      const day = Math.floor(sec / DAY);
      const hourOfDay = Math.floor((sec - day * DAY) / 3600);
      const traffic = day === this.bfDay ? BLACK_FRIDAY_TRAFFIC : 1;
      const w =
        (HOUR_SHAPE[hourOfDay] ?? 1) *
        (WEEKDAY_SHAPE[weekday(day)] ?? 1) *
        traffic *
        rng.lognormal(0, HOUR_NOISE_SIGMA);
      this.clickWeight[h] = w;
      this.orderWeight[h] = w * (promoFactor[day - this.firstDay] ?? 1);
    }
  }

  /** Window-relative day index of a timestamp. */
  dayIndex(sec: number): number {
    return Math.floor(sec / DAY) - this.firstDay;
  }

  /** Selling price in cents of product p at time sec (list price minus that day's promotion). */
  priceCents(p: number, sec: number): number {
    return this.priceOn(this.dayIndex(sec), p);
  }

  private priceOn(d: number, p: number): number {
    const disc = this.discount[d * PRODUCTS.length + p] ?? 0;
    const list = this.pricing ? this.pricing.listCents(d, p) : (PRODUCTS[p]?.listCents ?? 0);
    return Math.round((list * (100 - disc)) / 100);
  }

  /**
   * With --pricing, the chance (≤ 1) that a purchase of p not drawn by the day's demand weights (a
   * complement, a taste pick) goes ahead at time sec, so those follow the same price response; else 1.
   */
  priceAcceptance(p: number, sec: number): number {
    if (!this.pricing) return 1;
    const d = this.dayIndex(sec);
    const peak = this.peakDemand[p] as number;
    const now = this.pricing.demand(d, p, this.priceOn(d, p));
    return peak > 0 ? Math.min(1, now / peak) : 1;
  }
}

/** Cumulative integer targets that sum exactly to total, proportional to weights (largest remainder). */
export function cumulativeTargets(weights: Float64Array, total: number): Float64Array {
  let sum = 0;
  for (const w of weights) sum += w;
  const out = new Float64Array(weights.length);
  let acc = 0;
  for (let i = 0; i < weights.length; i++) {
    acc += weights[i] as number;
    out[i] = Math.round((acc / sum) * total);
  }
  if (out.length > 0) out[out.length - 1] = total;
  return out;
}

const TWO = Array.from({ length: 60 }, (_, i) => (i < 10 ? `0${i}` : `${i}`));

/** Formats epoch seconds as `YYYY-MM-DD HH:MM:SS` (UTC), caching the date part. */
export class TimeFormat {
  private day = Number.NaN;
  private prefix = '';

  format(sec: number): string {
    const day = Math.floor(sec / DAY);
    if (day !== this.day) {
      this.day = day;
      this.prefix = `${new Date(day * DAY * 1000).toISOString().slice(0, 10)} `;
    }
    let r = sec - day * DAY;
    const h = Math.floor(r / 3600);
    r -= h * 3600;
    const m = Math.floor(r / 60);
    return `${this.prefix}${TWO[h]}:${TWO[m]}:${TWO[r - m * 60]}`;
  }
}

export function formatDate(sec: number): string {
  return new Date(sec * 1000).toISOString().slice(0, 10);
}
