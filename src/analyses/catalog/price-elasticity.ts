import { z } from 'zod';
import { defineAnalysis } from '../types.js';
import { dailySalesSql, estimateAll, pricingParams, r4 } from './parts/pricing.js';
import { hasStockTables, STOCK_TABLES } from './parts/stockouts.js';

/** Own-price elasticity per product from price and promotion variation (docs/ANALYSES.md). */
export default defineAnalysis({
  name: 'price-elasticity',
  description:
    "Price elasticity of demand per product with a confidence interval: daily order lines on price, controlling for weekday, Black Friday, trend and the competitors' mean price; days a warehouse was out of stock are left out",
  params: z.object(pricingParams),
  row: z.object({
    product_id: z.string(),
    status: z.string(),
    days: z.number().int(),
    stockout_days: z.number().int(),
    elasticity: z.number().nullable(),
    elasticity_low: z.number().nullable(),
    elasticity_high: z.number().nullable(),
    std_error: z.number().nullable(),
    competitor_effect: z.number().nullable(),
  }),
  unbound: { competitor: 'shape', confidence: 'transform' },
  optionalTables: STOCK_TABLES,
  sql: (p, loaded) => dailySalesSql(p.competitor, false, hasStockTables(loaded)),
  transform: (rows, p) =>
    estimateAll(rows, { product: p.product, confidence: p.confidence }, 'price-elasticity').map(
      ({ productId, stockoutDays, estimate: e }) => ({
        product_id: productId,
        status: e.status,
        days: e.days,
        stockout_days: stockoutDays,
        elasticity: r4(e.elasticity),
        elasticity_low: r4(e.low),
        elasticity_high: r4(e.high),
        std_error: r4(e.se),
        competitor_effect: r4(e.competitorEffect),
      }),
    ),
});
