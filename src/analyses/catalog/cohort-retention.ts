import { z } from 'zod';
import { dateRangeSql, param } from '../params.js';
import { defineAnalysis } from '../types.js';
import {
  customerOrderSql,
  GUEST_ORDERS,
  guestOrderSql,
  leftOutNotes,
  purchaseFlagSql,
  REFUND_ONLY_ORDERS,
  refundOnlyOrdersSql,
} from './parts/customers.js';
import { ratioSql } from './parts/sql.js';

const DAY_MS = 86_400_000;

/** The orders cohorts read: completed, in the date range and region. */
const COUNTED = `status = 'COMPLETED' AND ${dateRangeSql('order_date')} AND (:region IS NULL OR region = :region)`;

/** Index of `period` counted from `cohort` in months or weeks (both YYYY-MM-DD period starts). */
function periodIndex(cohort: string, period: string, unit: 'month' | 'week'): number {
  if (unit === 'week') return Math.round((Date.parse(period) - Date.parse(cohort)) / (7 * DAY_MS));
  const months = (s: string) => Number(s.slice(0, 4)) * 12 + Number(s.slice(5, 7));
  return months(period) - months(cohort);
}

/** Monthly or weekly cohorts by first completed order: share ordering again in each later period. */
export default defineAnalysis({
  name: 'cohort-retention',
  description:
    'Cohorts by month (or week) of first completed purchase: share buying in each later period, repeat rate',
  params: z.object({
    from: param.from,
    to: param.to,
    region: param.region,
    period: z.enum(['month', 'week']).default('month').describe('cohort and period length (default month)'),
    tz: param.tz,
  }),
  row: z.object({
    cohort: z.string(),
    cohort_size: z.number().int(),
    repeat_rate: z.number(),
    period_index: z.number().int(),
    period: z.string(),
    customers: z.number().int(),
    retention: z.number(),
  }),
  // A customer repeats with two or more distinct completed purchases (orders, not lines; a refund is no
  // purchase, purchaseFlagSql) in the range; an order falls in the period of its first line.
  sql: () => `
    WITH o AS (
      SELECT customer_id, order_id, min(CAST(date_trunc(:period, local_time(order_date, :tz)) AS DATE)) AS p
      FROM orders
      WHERE ${COUNTED} AND ${customerOrderSql()}
      GROUP BY customer_id, order_id
      HAVING ${purchaseFlagSql()} = 1
    ),
    firsts AS (
      SELECT customer_id, min(p) AS cohort,
        CASE WHEN count(DISTINCT order_id) >= 2 THEN 1 ELSE 0 END AS repeated
      FROM o GROUP BY customer_id
    ),
    sizes AS (
      SELECT cohort, count(*) AS cohort_size, ${ratioSql('sum(repeated)', 'count(*)')} AS repeat_rate
      FROM firsts GROUP BY cohort
    ),
    active AS (
      SELECT f.cohort, o.p, count(DISTINCT o.customer_id) AS customers
      FROM o JOIN firsts f ON f.customer_id = o.customer_id
      GROUP BY f.cohort, o.p
    )
    SELECT CAST(a.cohort AS STRING) AS cohort, s.cohort_size, s.repeat_rate, CAST(a.p AS STRING) AS period,
      a.customers
    FROM active a JOIN sizes s ON s.cohort = a.cohort
    ORDER BY a.cohort, a.p`,
  notes: () =>
    leftOutNotes(
      `SELECT count(DISTINCT order_id) AS guest_orders, ${refundOnlyOrdersSql('orders', COUNTED)} AS refund_orders
       FROM orders WHERE ${COUNTED} AND ${guestOrderSql()}`,
      [GUEST_ORDERS, REFUND_ONLY_ORDERS],
    ),
  transform: (rows, p) =>
    rows.map((r) => {
      const size = Number(r.cohort_size);
      const customers = Number(r.customers);
      return {
        cohort: String(r.cohort),
        cohort_size: size,
        repeat_rate: Math.round(Number(r.repeat_rate) * 10000) / 10000,
        period_index: periodIndex(String(r.cohort), String(r.period), p.period),
        period: String(r.period),
        customers,
        retention: Math.round((customers / size) * 10000) / 10000,
      };
    }),
});
