import { UserError } from '../../../errors/index.js';
import { num } from './stock.js';

const DAY = 86400;

/** One warehouse × product of a stock query with its SQL rows (one per day that had sales). */
export interface PairRows {
  first: Record<string, unknown>;
  /** Units per day index (0 = the day just before the window's end). */
  units: Map<number, number>;
}

/** Groups SQL rows (pair columns repeated, plus `day` and `units`) by warehouse × product, in order. */
export function groupPairs(rows: readonly Record<string, unknown>[], prefix = ''): PairRows[] {
  const pairs = new Map<string, PairRows>();
  for (const r of rows) {
    const key = `${String(r.warehouse_id)}\u0000${String(r.product_id)}`;
    let p = pairs.get(key);
    if (!p) {
      p = { first: r, units: new Map() };
      pairs.set(key, p);
    }
    const day = r[`${prefix}day`];
    if (day !== null && day !== undefined) p.units.set(num(day), num(r[`${prefix}units`]));
  }
  return [...pairs.values()];
}

/** Units per day for days 0 … n − 1 (0 = latest), zero where nothing sold. */
export function series(units: Map<number, number>, n: number): number[] {
  return Array.from({ length: n }, (_, d) => units.get(d) ?? 0);
}

/** Whole days from the first order to `endSec` (0 without orders). */
export function historySpan(firstSec: unknown, endSec: unknown): number {
  const span = Number.isFinite(num(firstSec)) ? Math.floor((num(endSec) - num(firstSec)) / DAY) : 0;
  return Math.max(0, span);
}

/**
 * Days of demand history a window ending at `endSec` can use: at most `wanted`, at most the whole days
 * since the first order. Fewer than `minimum` is too little history (a user error naming what to do).
 */
export function historyDays(
  analysis: string,
  firstSec: unknown,
  endSec: unknown,
  wanted: number,
  minimum: number,
): number {
  const span = historySpan(firstSec, endSec);
  const days = Math.min(wanted, span);
  if (days < minimum)
    throw new UserError(
      `${analysis}: too little history: needs at least ${minimum} whole days of orders before the estimate's end, the lake has ${span} (hold out fewer days, or load more orders)`,
      { code: 'too_little_history' },
    );
  return days;
}
