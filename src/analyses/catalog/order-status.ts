import { z } from 'zod';
import { dateRangeSql, param } from '../params.js';
import { defineAnalysis } from '../types.js';
import { ratioSql } from './parts/sql.js';

/** How orders split across COMPLETED, PENDING and CANCELLED. */
export default defineAnalysis({
  name: 'order-status',
  description: 'Orders (distinct order ids) and revenue per status, with each status share of orders',
  params: z.object({ from: param.from, to: param.to, region: param.region }),
  row: z.object({ status: z.string(), orders: z.number().int(), share: z.number(), revenue: z.number() }),
  // Status is per line: an order whose lines have different statuses counts once under each of them, so
  // shares (of all distinct orders) can add up to more than 1. Revenue is the Σ total_amount of the lines.
  sql: () => `
    WITH o AS (
      SELECT status, order_id, total_amount
      FROM orders
      WHERE ${dateRangeSql('order_date')} AND (:region IS NULL OR region = :region)
    )
    SELECT status, count(DISTINCT order_id) AS orders,
      CAST(round(${ratioSql('count(DISTINCT order_id)', '(SELECT count(DISTINCT order_id) FROM o)')}, 4) AS DOUBLE)
        AS share,
      CAST(round(sum(total_amount), 2) AS DOUBLE) AS revenue
    FROM o
    GROUP BY status
    ORDER BY orders DESC, status`,
});
