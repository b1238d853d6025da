import { z } from 'zod';
import { dateRangeSql, param } from '../params.js';
import { defineAnalysis } from '../types.js';
import { choiceSql } from './parts/sql.js';

// Ranking column per --by: units are Σ quantity, revenue Σ total_amount (never a count of lines), both net of
// return lines; orders are the orders that bought the product (a line of it with a positive quantity: a
// refund of it is no order of it, docs/ANALYSES.md "Refunds").
const RANKINGS = { revenue: 'revenue', units: 'units' } as const;

/** Best sellers by revenue or by units. */
export default defineAnalysis({
  name: 'top-products',
  description: 'Best-selling products by revenue (or units) of completed orders',
  params: z.object({
    from: param.from,
    to: param.to,
    region: param.region,
    by: z
      .enum(['revenue', 'units'] as const)
      .default('revenue')
      .describe('rank by revenue or units (default revenue)'),
    limit: param.limit,
  }),
  row: z.object({
    product_id: z.string(),
    product_name: z.string(),
    orders: z.number().int(),
    units: z.number().int(),
    revenue: z.number(),
  }),
  unbound: { by: 'shape' },
  sql: (p) => `
    SELECT product_id, max(product_name) AS product_name, count(DISTINCT CASE WHEN quantity > 0 THEN order_id END) AS orders,
      CAST(sum(quantity) AS BIGINT) AS units, CAST(round(sum(total_amount), 2) AS DOUBLE) AS revenue
    FROM orders
    WHERE status = 'COMPLETED' AND ${dateRangeSql('order_date')} AND (:region IS NULL OR region = :region)
    GROUP BY product_id
    ORDER BY ${choiceSql(RANKINGS, p.by)} DESC, product_id
    LIMIT CAST(:limit AS INTEGER)`,
});
