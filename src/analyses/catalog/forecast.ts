import { z } from 'zod';
import { UserError } from '../../errors/index.js';
import {
  aggregateForecasts,
  checkHistory,
  type DemandCalendar,
  type DemandHistory,
  dateOf,
  dayOf,
  forecastDemand,
} from '../models/forecast/index.js';
import { defineAnalysis } from '../types.js';
import { demandNotes, demandParams, demandSql, toHistory } from './parts/demand.js';
import { hasStockTables, STOCK_TABLES } from './parts/stockouts.js';

const r2 = (x: number) => Math.round(x * 100) / 100;
const r4 = (x: number) => Math.round(x * 10000) / 10000;
const DATES = /^\d{4}-\d{2}-\d{2}(,\d{4}-\d{2}-\d{2})*$/;

/** Daily units per product × region (or summed) for the next days, with prediction intervals. */
export default defineAnalysis({
  name: 'forecast',
  description:
    'Daily demand (units ordered, not cancelled) for the next --horizon days with a prediction interval, by a pooled Poisson model of weekday, trend (damped over the forecast days), promotion discount and Black Friday, out-of-stock days left out when the lake has stock data; future promotions as --discount and --sale-days say (default none, Black Friday by the calendar)',
  params: z.object({
    ...demandParams,
    by: z
      .enum(['product,region', 'product', 'region', 'total'])
      .default('product,region')
      .describe(
        'one row a day per product and region (default product,region), per product, per region, or total',
      ),
    product: z.string().min(1).optional().describe('only this product'),
    region: z.string().min(1).optional().describe('only this region'),
    discount: z.coerce
      .number()
      .min(0)
      .max(0.9)
      .default(0)
      .describe('planned discount on every forecast day, as a fraction of list price (default 0)'),
    saleDays: z
      .string()
      .regex(DATES, 'use YYYY-MM-DD[,YYYY-MM-DD…]')
      // Date.parse takes 2025-02-30 for March 2nd: a day must read back as written.
      .refine(
        (v) => v.split(',').every((d) => Number.isFinite(dayOf(d)) && dateOf(dayOf(d)) === d),
        'not a calendar date',
      )
      .optional()
      .describe('planned store-wide sale days besides Black Friday (YYYY-MM-DD, comma-separated)'),
  }),
  // The date first and the mean named units: charts draw it as a line over days (dashboard/chart-choice.ts).
  row: z.object({
    date: z.string(),
    product_id: z.string(),
    region: z.string(),
    units: z.number(),
    lower: z.number().int(),
    upper: z.number().int(),
    interval_probability: z.number().meta({ format: 'percent' }),
    discount: z.number().meta({ format: 'percent' }),
    sale_day: z.boolean(),
  }),
  unbound: {
    horizon: 'transform',
    interval: 'transform',
    by: 'transform',
    product: 'transform',
    region: 'transform',
    discount: 'transform',
    saleDays: 'transform',
  },
  optionalTables: STOCK_TABLES,
  sql: (_p, loaded) => demandSql(hasStockTables(loaded)),
  notes: () => demandNotes(),
  transform: (rows, p) => {
    const history = toHistory(rows, p.asOf);
    checkHistory(history, p.horizon);
    const known = (
      what: string,
      value: string | undefined,
      has: (s: (typeof history.series)[0]) => boolean,
    ) => {
      if (value !== undefined && !history.series.some(has))
        throw new UserError(
          `unknown ${what} '${value}': no order of it before ${dateOf(history.end)} (run 'shoplake query top-products' to see what sells)`,
          { code: `unknown_${what}` },
        );
    };
    known('product', p.product, (s) => s.product === p.product);
    known('region', p.region, (s) => s.region === p.region);
    const plan = futurePlan(history, p.horizon, p.discount, p.saleDays);
    const forecasts = forecastDemand(history, { horizon: p.horizon, level: p.interval, plan }).filter(
      (f) =>
        (p.product === undefined || f.product === p.product) &&
        (p.region === undefined || f.region === p.region),
    );
    return aggregateForecasts(forecasts, p.by, p.interval)
      .sort(
        (a, b) =>
          a.day - b.day ||
          (a.product < b.product ? -1 : a.product > b.product ? 1 : 0) ||
          (a.region < b.region ? -1 : 1),
      )
      .map((f) => ({
        date: dateOf(f.day),
        product_id: f.product,
        region: f.region,
        units: r2(f.mean),
        lower: f.lower,
        upper: f.upper,
        interval_probability: r4(f.probability),
        discount: r2(f.discount),
        sale_day: f.saleDay,
      }));
  },
});

/**
 * What the shop plans for the forecast days: `discount` on every product, and on sale days (Black Friday
 * and `saleDays`) each product's average discount on the sale days of its history (all products' average
 * for one never on sale then), or `discount` if that is larger.
 */
function futurePlan(
  history: DemandHistory,
  horizon: number,
  discount: number,
  saleDays: string | undefined,
): DemandCalendar {
  const days = new Set<number>();
  for (let d = history.end; d < history.end + horizon; d++) if (history.saleDays.has(d)) days.add(d);
  for (const s of saleDays?.split(',') ?? []) days.add(dayOf(s));
  const sums = new Map<string, [number, number]>();
  let all = 0;
  let n = 0;
  const first = Math.min(...history.series.map((s) => s.start));
  for (const day of history.saleDays) {
    if (day >= history.end || day < first) continue;
    for (const product of new Set(history.series.map((s) => s.product))) {
      const d = history.discount(product, day);
      const v = sums.get(product) ?? [0, 0];
      sums.set(product, [v[0] + d, v[1] + 1]);
      all += d;
      n++;
    }
  }
  const onSale = (product: string) => {
    const v = sums.get(product);
    return v && v[1] > 0 ? v[0] / v[1] : n > 0 ? all / n : 0;
  };
  return {
    saleDays: days,
    discount: (product, day) =>
      day < history.end
        ? history.discount(product, day)
        : days.has(day)
          ? Math.max(discount, onSale(product))
          : discount,
  };
}
