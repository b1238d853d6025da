import { z } from 'zod';
import { defineAnalysis } from '../types.js';
import { isoDate } from './parts/params.js';
import { epochSecondsSql } from './parts/sql.js';

/**
 * Segments on the R × F score grid commonly used for RFM (R rows, F columns), with R = 1 split off as
 * Lost. Checked top to bottom; the first match wins.
 */
export const RFM_SEGMENTS: readonly [string, string][] = [
  ['Champions', 'r = 5 AND f >= 4'],
  ['Loyal', 'r >= 3 AND f >= 4'],
  ['Potential Loyalists', 'r >= 4 AND f >= 2'],
  ['New Customers', 'r = 5 AND f = 1'],
  ['Promising', 'r = 4 AND f = 1'],
  ['Need Attention', 'r = 3 AND f = 3'],
  ['About to Sleep', 'r = 3 AND f <= 2'],
  ["Can't Lose", 'r <= 2 AND f = 5'],
  ['At Risk', 'r <= 2 AND f >= 3'],
  ['Hibernating', 'r = 2 AND f <= 2'],
  ['Lost', 'r = 1 AND f <= 2'],
];

/** Score 1-5 from a rank among n (ties share a rank, so equal values share a score). */
const score = (order: string) =>
  `CAST(floor(5.0 * (rank() OVER (ORDER BY ${order}) - 1) / count(*) OVER ()) AS INTEGER) + 1`;

/** Recency, frequency and monetary scores per customer, grouped into named segments (and tiers). */
export default defineAnalysis({
  name: 'rfm',
  description:
    'RFM quintile scores of customers with completed orders, grouped into named segments (and tiers)',
  params: z.object({
    asOf: isoDate.optional().describe('reference day (default: the day after the last order)'),
    by: z.enum(['segment', 'segment-tier']).default('segment').describe('segment (default) or segment-tier'),
  }),
  row: z.object({
    segment: z.string(),
    tier: z.string(),
    customers: z.number().int(),
    share: z.number(),
    revenue: z.number(),
    avg_recency_days: z.number(),
    avg_frequency: z.number(),
    avg_monetary: z.number(),
  }),
  sql: (p) => {
    const segment = `CASE ${RFM_SEGMENTS.map(([name, cond]) => `WHEN ${cond} THEN '${name.replace("'", "''")}'`).join(' ')} ELSE 'Other' END`;
    return `
    WITH ref AS (
      SELECT coalesce(${epochSecondsSql('CAST(:asOf AS TIMESTAMP)')},
        (floor(max(${epochSecondsSql('order_date')}) / 86400) + 1) * 86400) AS ref_sec
      FROM orders
    ),
    per AS (
      SELECT o.customer_id, count(DISTINCT o.order_id) AS frequency,
        CAST(sum(o.total_amount) AS DOUBLE) AS monetary,
        floor((min(ref.ref_sec) - max(${epochSecondsSql('o.order_date')})) / 86400) AS recency_days
      FROM orders o CROSS JOIN ref
      WHERE o.status = 'COMPLETED' AND ${epochSecondsSql('o.order_date')} < ref.ref_sec
      GROUP BY o.customer_id
    ),
    scored AS (
      SELECT per.*,
        ${score('recency_days DESC')} AS r,
        ${score('frequency')} AS f,
        ${score('monetary')} AS m
      FROM per
    ),
    seg AS (
      SELECT s.*, ${segment} AS segment, ${p.by === 'segment-tier' ? "coalesce(c.tier, 'UNKNOWN')" : "'all'"} AS tier
      FROM scored s LEFT JOIN customers c ON c.customer_id = s.customer_id
    )
    SELECT segment, tier, count(*) AS customers,
      CAST(round(count(*) * 1.0 / sum(count(*)) OVER (), 4) AS DOUBLE) AS share,
      CAST(round(sum(monetary), 2) AS DOUBLE) AS revenue,
      CAST(round(avg(recency_days), 2) AS DOUBLE) AS avg_recency_days,
      CAST(round(avg(frequency), 2) AS DOUBLE) AS avg_frequency,
      CAST(round(avg(monetary), 2) AS DOUBLE) AS avg_monetary
    FROM seg
    GROUP BY segment, tier
    ORDER BY revenue DESC, segment, tier`;
  },
});
