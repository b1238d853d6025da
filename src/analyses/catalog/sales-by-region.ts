import { z } from 'zod';
import { ORDER_STATUSES } from '../../lake/index.js';
import { dateRangeSql, dollars, param } from '../params.js';
import { defineAnalysis } from '../types.js';

/** Seed scenario 1: revenue per region, largest first. */
export default defineAnalysis({
  name: 'sales-by-region',
  description: 'Sum of total_amount per region, largest first (seed scenario 1)',
  params: z.object({
    from: param.from,
    to: param.to,
    status: z
      .enum(ORDER_STATUSES)
      .optional()
      .describe('only orders with this status (default: all, as the seed)'),
  }),
  row: z.object({ region: z.string(), revenue: z.number(), order_lines: z.number().int() }),
  // Lines, not distinct orders: counting distinct ids costs ~25× the sum on 10M lines, and the seed's
  // question is revenue (lines = orders in data with one line per order, like the seed's).
  sql: () => `
    SELECT region, CAST(round(sum(total_amount), 2) AS DOUBLE) AS revenue, count(*) AS order_lines
    FROM orders
    WHERE ${dateRangeSql('order_date')} AND (:status IS NULL OR status = :status)
    GROUP BY region
    ORDER BY revenue DESC, region`,
  render: (rows) => rows.map((r) => `${r.region}: ${dollars(r.revenue)}`),
});
