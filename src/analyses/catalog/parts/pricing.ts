import { z } from 'zod';
import { UserError } from '../../../errors/index.js';
import {
  type DailySales,
  type ElasticityEstimate,
  estimateElasticity,
  MIN_DAYS,
} from '../../models/pricing/index.js';
import { dateRangeSql, param } from '../../params.js';

/** Parameters both pricing analyses take. */
export const pricingParams = {
  product: z.string().min(1).optional().describe('only this product (product_id)'),
  from: param.from,
  to: param.to,
  competitor: z
    .enum(['mean', 'none'])
    .default('mean')
    .describe(
      "control for the competitors' mean price (mean, default) or not (none: a lake without the feed)",
    ),
  confidence: z.coerce
    .number()
    .gt(0.5, 'confidence must be above 0.5')
    .lt(1, 'confidence must be below 1')
    .default(0.9)
    .describe('confidence level of the intervals (default 0.9)'),
};

/**
 * Per product and day: order lines, units, average selling price and (competitor=mean) the competitors'
 * mean price, plus the product's unit cost. The heavy aggregation stays in the engine.
 */
export function dailySalesSql(competitor: 'mean' | 'none', withCost = false): string {
  const comp =
    competitor === 'mean'
      ? `LEFT JOIN (
          SELECT product_id, CAST(price_date AS STRING) AS day, avg(CAST(price AS DOUBLE)) AS competitor_price
          FROM competitor_prices
          WHERE (:product IS NULL OR product_id = :product)
          GROUP BY 1, 2
        ) c ON c.product_id = s.product_id AND c.day = s.day`
      : '';
  return `
    SELECT s.product_id, s.day, s.lines, s.units, s.amount / s.units AS price,
      ${competitor === 'mean' ? 'c.competitor_price' : 'CAST(NULL AS DOUBLE) AS competitor_price'},
      ${withCost ? 'CAST(pr.unit_cost AS DOUBLE)' : 'CAST(NULL AS DOUBLE)'} AS unit_cost
    FROM (
      SELECT product_id, CAST(CAST(order_date AS DATE) AS STRING) AS day, count(*) AS lines,
        sum(quantity) AS units, CAST(sum(quantity * price) AS DOUBLE) AS amount
      FROM orders
      WHERE quantity > 0 AND (:product IS NULL OR product_id = :product) AND ${dateRangeSql('order_date')}
      GROUP BY 1, 2
    ) s
    ${comp}
    ${withCost ? 'LEFT JOIN products pr ON pr.product_id = s.product_id' : ''}
    ORDER BY s.product_id, s.day`;
}

/** One product's daily sales and its estimate. */
export interface ProductEstimate {
  productId: string;
  sales: DailySales[];
  estimate: ElasticityEstimate;
}

const num = (v: unknown) => Number(v);

/** One SQL row of dailySalesSql as the model's daily sales. */
export function dailyOf(r: Record<string, unknown>): DailySales {
  return {
    day: String(r.day),
    lines: num(r.lines),
    units: num(r.units),
    price: num(r.price),
    competitorPrice:
      r.competitor_price === null || r.competitor_price === undefined ? null : num(r.competitor_price),
  };
}

/** Groups the SQL rows by product and estimates each one's elasticity; user errors for bad input. */
export function estimateAll(
  rows: readonly Record<string, unknown>[],
  params: { product?: string | undefined; confidence: number },
  analysis: string,
): ProductEstimate[] {
  if (params.product !== undefined && rows.length === 0)
    throw new UserError(`${analysis}: unknown product '${params.product}': no orders of it in the window`, {
      code: 'unknown_product',
    });
  // The window runs from the first to the last day with a sale (days without any sale inside count).
  let first = Number.POSITIVE_INFINITY;
  let last = Number.NEGATIVE_INFINITY;
  for (const r of rows) {
    const t = Date.parse(`${String(r.day)}T00:00:00Z`);
    first = Math.min(first, t);
    last = Math.max(last, t);
  }
  const windowDays = rows.length === 0 ? 0 : (last - first) / 86_400_000 + 1;
  if (windowDays < MIN_DAYS)
    throw new UserError(
      `${analysis}: too little history: ${windowDays} days of orders, at least ${MIN_DAYS} needed`,
      { code: 'too_little_history' },
    );
  const byProduct = new Map<string, DailySales[]>();
  for (const r of rows) {
    const id = String(r.product_id);
    const list = byProduct.get(id) ?? [];
    list.push(dailyOf(r));
    byProduct.set(id, list);
  }
  return [...byProduct].map(([productId, sales]) => ({
    productId,
    sales,
    estimate: estimateElasticity(sales, windowDays, params.confidence),
  }));
}

/** Rounds to 4 decimals; null stays null. */
export const r4 = (x: number | null) =>
  x === null || !Number.isFinite(x) ? null : Math.round(x * 10000) / 10000;
