import { z } from 'zod';
import { UserError } from '../../../errors/index.js';
import {
  type DailySales,
  type ElasticityEstimate,
  estimateElasticity,
  MIN_DAYS,
} from '../../models/pricing/index.js';
import { dateRangeSql, param } from '../../params.js';
import { epochSecondsSql, ratioSql } from './sql.js';
import { stockoutCtes } from './stockouts.js';

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
 * mean price, plus the product's unit cost. The heavy aggregation stays in the engine. With `withStock`
 * (the lake has stock tables), `stockout` is 1 on a day when the warehouse of any region was out of stock
 * of the product for some part of it (stockouts.ts): its sales do not show the demand.
 */
export function dailySalesSql(competitor: 'mean' | 'none', withCost = false, withStock = false): string {
  const comp =
    competitor === 'mean'
      ? `LEFT JOIN (
          SELECT product_id, CAST(price_date AS STRING) AS day, avg(CAST(price AS DOUBLE)) AS competitor_price
          FROM competitor_prices
          WHERE (:product IS NULL OR product_id = :product)
          GROUP BY 1, 2
        ) c ON c.product_id = s.product_id AND c.day = s.day`
      : '';
  const stock = withStock
    ? `LEFT JOIN (
          SELECT s2.product_id, s2.day, 1 AS stockout
          FROM s s2 JOIN stockouts so ON so.product_id = s2.product_id AND so.from_day <= s2.eday
            AND (so.to_day IS NULL OR so.to_day >= s2.eday)
          GROUP BY s2.product_id, s2.day
        ) st ON st.product_id = s.product_id AND st.day = s.day`
    : '';
  return `
    WITH s AS (
      SELECT product_id, CAST(CAST(order_date AS DATE) AS STRING) AS day,
        min(CAST(floor(${ratioSql(epochSecondsSql('order_date'), '86400')}) AS BIGINT)) AS eday, count(*) AS lines,
        sum(quantity) AS units, CAST(sum(quantity * price) AS DOUBLE) AS amount
      FROM orders
      WHERE quantity > 0 AND (:product IS NULL OR product_id = :product) AND ${dateRangeSql('order_date')}
      GROUP BY 1, 2
    )${withStock ? `,${stockoutCtes()}` : ''}
    SELECT s.product_id, s.day, s.lines, s.units, s.amount / s.units AS price,
      ${competitor === 'mean' ? 'c.competitor_price' : 'CAST(NULL AS DOUBLE) AS competitor_price'},
      ${withCost ? 'CAST(pr.unit_cost AS DOUBLE)' : 'CAST(NULL AS DOUBLE)'} AS unit_cost,
      ${withStock ? 'coalesce(st.stockout, 0)' : '0'} AS stockout
    FROM s
    ${comp}
    ${stock}
    ${withCost ? 'LEFT JOIN products pr ON pr.product_id = s.product_id' : ''}
    ORDER BY s.product_id, s.day`;
}

/** One product's daily sales and its estimate. */
export interface ProductEstimate {
  productId: string;
  sales: DailySales[];
  /** Days with sales left out of the fit because a warehouse was out of stock (sales hid demand). */
  stockoutDays: number;
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
  const byProduct = new Map<string, { sales: DailySales[]; stockoutDays: number }>();
  for (const r of rows) {
    const id = String(r.product_id);
    const entry = byProduct.get(id) ?? { sales: [], stockoutDays: 0 };
    byProduct.set(id, entry);
    // A day out of stock sold what there was, not what was asked for: left out (and out of the window).
    if (num(r.stockout ?? 0) > 0) entry.stockoutDays++;
    else entry.sales.push(dailyOf(r));
  }
  return [...byProduct].map(([productId, { sales, stockoutDays }]) => ({
    productId,
    sales,
    stockoutDays,
    estimate: estimateElasticity(sales, windowDays - stockoutDays, params.confidence),
  }));
}

/** Rounds to 4 decimals; null stays null. */
export const r4 = (x: number | null) =>
  x === null || !Number.isFinite(x) ? null : Math.round(x * 10000) / 10000;
