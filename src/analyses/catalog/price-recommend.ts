import { z } from 'zod';
import { expectedChange, marginChange, optimalPrice, type PriceObjective } from '../models/pricing/index.js';
import { defineAnalysis } from '../types.js';
import { dailySalesSql, estimateAll, type ProductEstimate, pricingParams, r4 } from './parts/pricing.js';

/** The current price is the highest daily price of the product's last CURRENT_DAYS days with sales. */
const CURRENT_DAYS = 7;
/** Baseline demand: mean daily units of the last BASELINE_DAYS days with sales, at the current price. */
const BASELINE_DAYS = 28;

const row = z.object({
  product_id: z.string(),
  status: z.string(),
  elasticity: z.number().nullable(),
  current_price: z.number().nullable(),
  recommended_price: z.number().nullable(),
  price_change: z.number().nullable().meta({ format: 'percent' }),
  units_per_day: z.number().nullable(),
  units_change: z.number().nullable().meta({ format: 'percent' }),
  units_change_low: z.number().nullable().meta({ format: 'percent' }),
  units_change_high: z.number().nullable().meta({ format: 'percent' }),
  revenue_change: z.number().nullable().meta({ format: 'percent' }),
  revenue_change_low: z.number().nullable().meta({ format: 'percent' }),
  revenue_change_high: z.number().nullable().meta({ format: 'percent' }),
  margin_change: z.number().nullable().meta({ format: 'percent' }),
});

/** One row of price-recommend. */
type RecommendRow = z.infer<typeof row>;

/** One product's recommendation; rows without an estimate say why in `status`. */
function recommend(
  pe: ProductEstimate,
  maxChange: number,
  objective: PriceObjective,
  unitCost: number | null,
): RecommendRow {
  const e = pe.estimate;
  const current = Math.max(...pe.sales.slice(-CURRENT_DAYS).map((s) => s.price));
  const base: RecommendRow = {
    product_id: pe.productId,
    status: e.status,
    elasticity: r4(e.elasticity),
    current_price: r4(current),
    recommended_price: null,
    price_change: null,
    units_per_day: null,
    units_change: null,
    units_change_low: null,
    units_change_high: null,
    revenue_change: null,
    revenue_change_low: null,
    revenue_change_high: null,
    margin_change: null,
  };
  const elasticity = e.elasticity;
  if (elasticity === null || e.low === null || e.high === null) return base;
  if (objective === 'margin' && unitCost === null) return { ...base, status: 'no unit cost' };
  const price = Math.round(optimalPrice(current, elasticity, maxChange, objective, unitCost) * 100) / 100;
  // Recent days' units moved to the current price with the estimated elasticity, then averaged.
  const recent = pe.sales.slice(-BASELINE_DAYS);
  const units = recent.reduce((a, s) => a + s.units * (current / s.price) ** -elasticity, 0) / recent.length;
  const mid = expectedChange(current, price, elasticity);
  // The change is monotone in the elasticity, so the interval's ends give the change's interval.
  const ends = [expectedChange(current, price, e.low), expectedChange(current, price, e.high)];
  return {
    ...base,
    status: 'recommended',
    recommended_price: price,
    price_change: r4(price / current - 1),
    units_per_day: r4(units),
    units_change: r4(mid.units),
    units_change_low: r4(Math.min(...ends.map((c) => c.units))),
    units_change_high: r4(Math.max(...ends.map((c) => c.units))),
    revenue_change: r4(mid.revenue),
    revenue_change_low: r4(Math.min(...ends.map((c) => c.revenue))),
    revenue_change_high: r4(Math.max(...ends.map((c) => c.revenue))),
    margin_change: unitCost === null ? null : r4(marginChange(current, price, elasticity, unitCost)),
  };
}

/** The revenue- or margin-maximising price per product within ±max-change (docs/ANALYSES.md). */
export default defineAnalysis({
  name: 'price-recommend',
  description:
    'Revenue- or margin-maximising price per product within ±--max-change of the current price, from price-elasticity, with the expected change in units and revenue and its interval',
  params: z.object({
    ...pricingParams,
    maxChange: z.coerce
      .number()
      .gt(0, 'max-change must be above 0 (a share: 0.1 = ±10 %)')
      .max(0.5, 'max-change must be at most 0.5 (±50 %)')
      .default(0.1)
      .describe('largest relative price change (default 0.1 = ±10 %)'),
    objective: z.enum(['revenue', 'margin']).default('revenue').describe('revenue (default) or margin'),
  }),
  row,
  // objective is read by transform; it changes the SQL only on a lake without products (margin needs
  // the cost and then fails saying the table is missing), so the catalog check counts it as transform.
  unbound: { competitor: 'shape', confidence: 'transform', maxChange: 'transform', objective: 'transform' },
  // The unit cost is read whenever the lake has products, so margin_change is given under the revenue
  // objective too (it was null there although the cost was known); the margin objective needs it.
  optionalTables: ['products'],
  sql: (p, loaded) =>
    dailySalesSql(p.competitor, p.objective === 'margin' || loaded === undefined || loaded.has('products')),
  transform: (rows, p) => {
    const cost = new Map(
      rows.map((r) => [String(r.product_id), r.unit_cost == null ? null : Number(r.unit_cost)]),
    );
    return estimateAll(rows, { product: p.product, confidence: p.confidence }, 'price-recommend').map((pe) =>
      recommend(pe, p.maxChange, p.objective, cost.get(pe.productId) ?? null),
    );
  },
});
