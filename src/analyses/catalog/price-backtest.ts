import { z } from 'zod';
import { designSpec, predictLines } from '../models/pricing/index.js';
import { defineAnalysis } from '../types.js';
import { dailyOf, dailySalesSql, estimateAll, pricingParams, r4 } from './parts/pricing.js';

const DAY_MS = 86_400_000;
/** The naive baseline averages each weekday over this many last training days. */
const NAIVE_DAYS = 28;

interface Score {
  absError: number;
  actual: number;
}

/**
 * Time-split check of price-elasticity: fit each product on the days before the cut-off, predict its daily
 * order lines after it from the prices actually charged, and compare with a price-blind weekday average.
 */
export default defineAnalysis({
  name: 'price-backtest',
  description:
    'Backtest of price-elasticity: daily order lines in the last --holdout-days predicted from the prices charged (model fitted before the cut-off), WAPE and MAE next to a price-blind weekday average',
  params: z.object({
    product: pricingParams.product,
    competitor: pricingParams.competitor,
    from: pricingParams.from,
    to: pricingParams.to,
    holdoutDays: z.coerce
      .number()
      .int()
      .min(1, 'holdout-days must be at least 1')
      .max(365, 'holdout-days must be at most 365')
      .default(28)
      .describe('days held out at the end (default 28)'),
  }),
  row: z.object({
    method: z.string(),
    products: z.number().int(),
    product_days: z.number().int(),
    wape: z.number().nullable().meta({ format: 'percent' }),
    mae: z.number().nullable(),
  }),
  unbound: { competitor: 'shape', holdoutDays: 'transform' },
  sql: (p) => dailySalesSql(p.competitor),
  transform: (rows, p) => {
    let last = Number.NEGATIVE_INFINITY;
    for (const r of rows) last = Math.max(last, Date.parse(`${String(r.day)}T00:00:00Z`));
    const cut = new Date(last - (p.holdoutDays - 1) * DAY_MS).toISOString().slice(0, 10);
    const training = rows.filter((r) => String(r.day) < cut);
    const estimates = estimateAll(training, { product: p.product, confidence: 0.9 }, 'price-backtest');
    const held = new Map<string, ReturnType<typeof dailyOf>[]>();
    for (const r of rows) {
      if (String(r.day) < cut) continue;
      const list = held.get(String(r.product_id)) ?? [];
      list.push(dailyOf(r));
      held.set(String(r.product_id), list);
    }
    const model: Score = { absError: 0, actual: 0 };
    const naive: Score = { absError: 0, actual: 0 };
    let products = 0;
    let days = 0;
    for (const pe of estimates) {
      const test = held.get(pe.productId);
      if (pe.estimate.status !== 'estimated' || !test) continue;
      const spec = designSpec(pe.sales);
      // Price-blind baseline: the product's mean lines per weekday over its last training days.
      const recent = pe.sales.slice(-NAIVE_DAYS);
      const byWeekday = (day: string) => {
        const w = new Date(`${day}T00:00:00Z`).getUTCDay();
        const same = recent.filter((s) => new Date(`${s.day}T00:00:00Z`).getUTCDay() === w);
        const pool = same.length > 0 ? same : recent;
        return pool.reduce((a, s) => a + s.lines, 0) / pool.length;
      };
      let counted = 0;
      for (const day of test) {
        const predicted = predictLines(pe.estimate, spec, day);
        if (!Number.isFinite(predicted)) continue;
        model.absError += Math.abs(day.lines - predicted);
        naive.absError += Math.abs(day.lines - byWeekday(day.day));
        model.actual += day.lines;
        naive.actual += day.lines;
        counted++;
      }
      if (counted > 0) products++;
      days += counted;
    }
    const row = (method: string, s: Score) => ({
      method,
      products,
      product_days: days,
      // No product with an estimate sold in the held-out days: nothing to score (nulls, not a guess).
      wape: days === 0 ? null : r4(s.absError / s.actual),
      mae: days === 0 ? null : r4(s.absError / days),
    });
    return [row('price-elasticity', model), row('weekday-average', naive)];
  },
});
