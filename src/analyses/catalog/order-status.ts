import { z } from 'zod';
import { dateRangeSql, param } from '../params.js';
import { defineAnalysis } from '../types.js';

/** How orders split across COMPLETED, PENDING and CANCELLED. */
export default defineAnalysis({
  name: 'order-status',
  description: 'Orders and revenue per status, with each status share of orders',
  params: z.object({ from: param.from, to: param.to, region: param.region }),
  row: z.object({ status: z.string(), orders: z.number().int(), share: z.number(), revenue: z.number() }),
  sql: () => `
    SELECT status, count(*) AS orders,
      CAST(round(count(*) * 1.0 / sum(count(*)) OVER (), 4) AS DOUBLE) AS share,
      CAST(round(sum(total_amount), 2) AS DOUBLE) AS revenue
    FROM orders
    WHERE ${dateRangeSql('order_date')} AND (:region IS NULL OR region = :region)
    GROUP BY status
    ORDER BY orders DESC, status`,
});
