import { z } from 'zod';
import type { DemandHistory, DemandSeries } from '../../models/forecast/index.js';
import { dayOf } from '../../models/forecast/index.js';
import { isoDate } from '../../params.js';
import type { NotesQuery } from '../../types.js';
import { type LeftOut, leftOutNotes } from './customers.js';
import { epochSecondsSql, ratioSql } from './sql.js';
import { censoredDays, stockoutCtes } from './stockouts.js';

const DAY = 86400;
/** A day is a store-wide sale when at least this share of the products sold that day were discounted. */
const SALE_SHARE = 0.8;
/** …of at least this many products sold that day, … */
const SALE_MIN_PRODUCTS = 3;
/** …each by at least this fraction of its list price. */
const DISCOUNTED = 0.05;

/** Parameters shared by forecast and forecast-backtest. */
export const demandParams = {
  asOf: isoDate
    .optional()
    .describe('end of the history, exclusive (default: the day after the last order); forecasts start here'),
  horizon: z.coerce.number().int().min(1).max(366).default(14).describe('days forecast (default 14)'),
  interval: z.coerce
    .number()
    .gt(0)
    .lt(1)
    .default(0.8)
    .describe('probability inside each prediction interval (default 0.8)'),
};

/**
 * Demand is units ordered: Σ quantity of order lines with a positive quantity that were not cancelled
 * (a cancelled order never ships; a return line is stock coming back, not negative demand), per product,
 * region and UTC day before :asOf. 'u' rows carry units; 'p' rows carry each product's discount on each
 * day it sold (cancelled lines included, their price is still the day's price): 1 − the day's average
 * paid unit price (total ÷ quantity) ÷ its list price (products.list_price; the highest daily price seen
 * for a product the products table does not list). With `withStock` (the lake has stock tables), 's' rows
 * carry the out-of-stock spans of each product × region (day = first day, value = last day, NULL = open;
 * stockouts.ts), whose days the forecast leaves out as censored. `beforeSec`: an SQL expression of the end
 * in epoch seconds, in place of :asOf (reorder's cut-off); null: every order.
 * Without `withProducts` (a lake without a products table) every list price is the highest daily price.
 */
export function demandSql(withStock = false, beforeSec?: string | null, withProducts = true): string {
  const before =
    beforeSec === undefined
      ? '(:asOf IS NULL OR order_date < CAST(:asOf AS TIMESTAMP))'
      : beforeSec === null
        ? 'TRUE'
        : `${epochSecondsSql('order_date')} < ${beforeSec}`;
  const day = `CAST(floor(${ratioSql(epochSecondsSql('order_date'), String(DAY))}) AS BIGINT)`;
  return `
    WITH l AS (
      SELECT product_id, region, ${day} AS day, quantity, total_amount, status
      FROM orders
      WHERE quantity > 0 AND ${before}
    ),
    u AS (
      SELECT product_id, region, day, sum(quantity) AS units
      FROM l WHERE status <> 'CANCELLED' GROUP BY product_id, region, day
    ),
    pd AS (
      SELECT product_id, day, ${ratioSql('sum(total_amount)', 'sum(quantity)')} AS unit_price
      FROM l GROUP BY product_id, day
    ),
    peak AS (SELECT product_id, max(unit_price) AS top_price FROM pd GROUP BY product_id)${
      withProducts
        ? `,
    lp AS (SELECT product_id, max(CAST(list_price AS DOUBLE)) AS list_price FROM products GROUP BY product_id)`
        : ''
    }${withStock ? `,${stockoutCtes()}` : ''}
    SELECT 'u' AS kind, product_id, region, day, CAST(units AS DOUBLE) AS value FROM u
    UNION ALL
    SELECT 'p' AS kind, pd.product_id, CAST(NULL AS STRING) AS region, pd.day,
      1 - pd.unit_price / ${withProducts ? 'coalesce(lp.list_price, peak.top_price)' : 'peak.top_price'} AS value
    FROM pd JOIN peak ON peak.product_id = pd.product_id${
      withProducts ? ' LEFT JOIN lp ON lp.product_id = pd.product_id' : ''
    }${
      withStock
        ? `
    UNION ALL
    SELECT 's' AS kind, product_id, region, from_day AS day, CAST(to_day AS DOUBLE) AS value FROM stockouts`
        : ''
    }`;
}

const LEFT_OUT: LeftOut[] = [
  {
    column: 'cancelled_lines',
    code: 'cancelled_lines_left_out',
    message: (n) => `left out ${n} cancelled order line(s): demand counts what was not cancelled`,
  },
  {
    column: 'return_lines',
    code: 'return_lines_left_out',
    message: (n) => `left out ${n} return line(s) (negative quantity): a return is not negative demand`,
  },
  {
    // Not rows left out but days read as zero demand: an --as-of long after the last order (a lake that
    // stopped being loaded) makes the model fit a fall it cannot follow; a year of sales then 7 months
    // of nothing forecast 2.4 units a day without a word.
    column: 'days_without_orders',
    code: 'days_without_orders_before_as_of',
    message: (n) =>
      `the last order line is ${n} whole day(s) before --as-of: those days count as no demand (is the lake up to date?)`,
  },
];

/** Notes: the cancelled and return lines the demand history leaves out, and days after the last order. */
export function demandNotes(): NotesQuery {
  const lastSec = `max(${epochSecondsSql('order_date')})`;
  return leftOutNotes(
    `SELECT sum(CASE WHEN status = 'CANCELLED' AND quantity > 0 THEN 1 ELSE 0 END) AS cancelled_lines,
      sum(CASE WHEN quantity < 0 THEN 1 ELSE 0 END) AS return_lines,
      CASE WHEN :asOf IS NULL OR count(*) = 0 THEN 0 ELSE CAST(floor(${ratioSql(
        `${epochSecondsSql('CAST(:asOf AS TIMESTAMP)')} - ${lastSec}`,
        '86400',
      )}) AS BIGINT) END AS days_without_orders
    FROM orders WHERE (:asOf IS NULL OR order_date < CAST(:asOf AS TIMESTAMP))`,
    LEFT_OUT,
  );
}

const row = z.object({
  kind: z.enum(['u', 'p', 's']),
  product_id: z.string(),
  region: z.string().nullable(),
  day: z.coerce.number().int(),
  // NULL only in 's' rows: a stockout still open at the lake's end.
  value: z.union([z.null(), z.coerce.number()]),
});

/** Black Friday: the day after the fourth Thursday of November of each year between two epoch days. */
export function blackFridays(fromDay: number, toDay: number): number[] {
  const out: number[] = [];
  const y0 = new Date(fromDay * DAY * 1000).getUTCFullYear();
  const y1 = new Date(toDay * DAY * 1000).getUTCFullYear();
  for (let y = y0; y <= y1; y++) {
    const nov1 = Date.UTC(y, 10, 1) / 1000 / DAY;
    const firstThursday = nov1 + ((4 - ((nov1 + 4) % 7) + 7) % 7);
    const bf = firstThursday + 21 + 1;
    if (bf >= fromDay && bf <= toDay) out.push(bf);
  }
  return out;
}

/**
 * The demand history of the SQL rows: one series per product × region from the product's first day with a
 * sale, zeros on days without one, its out-of-stock days marked censored (when the rows carry stockouts); the discount of each product-day; and the store-wide sale days
 * (Black Friday by the calendar, and days when nearly every product sold was discounted).
 */
export function toHistory(rows: readonly Record<string, unknown>[], asOf: string | undefined): DemandHistory {
  const units = new Map<string, Map<number, number>>();
  const discount = new Map<string, number>();
  const firstSale = new Map<string, number>();
  const perDay = new Map<number, [number, number]>();
  const spans = new Map<string, { from: number; to: number | null }[]>();
  let last = Number.NEGATIVE_INFINITY;
  for (const raw of rows) {
    const r = row.parse(raw);
    if (r.kind === 's') {
      const key = `${r.product_id}\u241f${r.region ?? ''}`;
      const list = spans.get(key) ?? [];
      list.push({ from: r.day, to: r.value });
      spans.set(key, list);
      continue;
    }
    last = Math.max(last, r.day);
    if (r.kind === 'p') {
      const d = Math.max(0, r.value ?? 0);
      discount.set(`${r.product_id}\u241f${r.day}`, d);
      const c = perDay.get(r.day) ?? [0, 0];
      perDay.set(r.day, [c[0] + 1, c[1] + (d >= DISCOUNTED ? 1 : 0)]);
      continue;
    }
    const key = `${r.product_id}\u241f${r.region ?? ''}`;
    const m = units.get(key) ?? new Map<number, number>();
    units.set(key, m);
    m.set(r.day, (m.get(r.day) ?? 0) + (r.value ?? 0));
    firstSale.set(r.product_id, Math.min(firstSale.get(r.product_id) ?? r.day, r.day));
  }
  const end = asOf !== undefined ? dayOf(asOf) : last + 1;
  const series: DemandSeries[] = [];
  for (const [key, m] of [...units].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) {
    const [product = '', region = ''] = key.split('\u241f');
    const start = firstSale.get(product) ?? end;
    if (start >= end) continue;
    const censored = censoredDays(spans.get(key), start, end);
    series.push({
      product,
      region,
      start,
      units: Array.from({ length: end - start }, (_, i) => m.get(start + i) ?? 0),
      ...(censored ? { censored } : {}),
    });
  }
  const saleDays = new Set<number>(Number.isFinite(last) ? blackFridays(end - 3660, end + 366) : []);
  for (const [day, [n, k]] of perDay) if (n >= SALE_MIN_PRODUCTS && k >= SALE_SHARE * n) saleDays.add(day);
  return {
    end,
    series,
    saleDays,
    discount: (product, day) => discount.get(`${product}\u241f${day}`) ?? 0,
  };
}
