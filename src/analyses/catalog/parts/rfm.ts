import type { NotesQuery } from '../../types.js';
import {
  customerOrderSql,
  GUEST_ORDERS,
  guestOrderSql,
  leftOutNotes,
  purchaseFlagSql,
  REFUND_ONLY_ORDERS,
  refundOnlyOrdersSql,
} from './customers.js';
import { constantSql, epochSecondsSql, ratioSql } from './sql.js';

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

const SEGMENT_NAMES = RFM_SEGMENTS.map(([name]) => name);

/** Score 1-5 from a rank among n (ties share a rank, so equal values share a score). */
export const score = (order: string) =>
  `CAST(floor(${ratioSql(`5 * (rank() OVER (ORDER BY ${order}) - 1)`, 'count(*) OVER ()')}) AS INTEGER) + 1`;

/** SQL CASE naming the segment of scores r and f. */
export function segmentSql(): string {
  const whens = RFM_SEGMENTS.map(([name, cond]) => `WHEN ${cond} THEN ${constantSql(SEGMENT_NAMES, name)}`);
  return `CASE ${whens.join(' ')} ELSE 'Other' END`;
}

/** CTE `ref`: the reference instant in epoch seconds, :asOf or 00:00 UTC of the day after the last order. */
function refSql(): string {
  return `ref AS (
      SELECT coalesce(${epochSecondsSql('CAST(:asOf AS TIMESTAMP)')},
        (floor(${ratioSql(`max(${epochSecondsSql('order_date')})`, '86400')}) + 1) * 86400) AS ref_sec
      FROM orders
    )`;
}

/** The completed orders RFM reads (alias o, with CTE ref): before the reference instant. */
const COUNTED = `o.status = 'COMPLETED' AND ${epochSecondsSql('o.order_date')} < ref.ref_sec`;

/**
 * CTEs ending in `seg`: one row per customer with completed purchases before the reference day, with
 * recency_days (since the last purchase), frequency (distinct purchases), monetary (Σ total_amount of every
 * completed order, refunds netted, in the column's own type), scores r, f, m, segment and tier (tier only
 * when `withTier`). Guest orders are left out (see rfmNotes); a refund is no purchase (purchaseFlagSql).
 */
export function rfmCustomersSql(withTier: boolean): string {
  const segment = segmentSql();
  return `WITH ${refSql()},
    ord AS (
      SELECT o.customer_id, o.order_id, sum(o.total_amount) AS amount,
        max(${epochSecondsSql('o.order_date')}) AS sec, ${purchaseFlagSql('o')} AS purchase
      FROM orders o CROSS JOIN ref
      WHERE ${COUNTED} AND ${customerOrderSql('o')}
      GROUP BY o.customer_id, o.order_id
    ),
    per AS (
      SELECT ord.customer_id, CAST(sum(ord.purchase) AS BIGINT) AS frequency, sum(ord.amount) AS monetary,
        floor(${ratioSql('min(ref.ref_sec) - max(CASE WHEN ord.purchase = 1 THEN ord.sec END)', '86400')}) AS recency_days
      FROM ord CROSS JOIN ref
      GROUP BY ord.customer_id
      HAVING sum(ord.purchase) > 0
    ),
    scored AS (
      SELECT per.*,
        ${score('recency_days DESC')} AS r,
        ${score('frequency')} AS f,
        ${score('monetary')} AS m
      FROM per
    ),
    seg AS (
      SELECT s.*, ${segment} AS segment, ${withTier ? "coalesce(c.tier, 'UNKNOWN')" : "'all'"} AS tier
      FROM scored s LEFT JOIN customers c ON c.customer_id = s.customer_id
    )`;
}

/**
 * Notes of rfm and rfm-customers: the completed guest orders before the reference day they left out, and
 * the customers' refund-only orders they did not count as purchases (their amounts still net monetary).
 */
export function rfmNotes(): NotesQuery {
  return leftOutNotes(
    `WITH ${refSql()}
    SELECT count(DISTINCT o.order_id) AS guest_orders,
      ${refundOnlyOrdersSql('orders o CROSS JOIN ref', COUNTED, 'o')} AS refund_orders
    FROM orders o CROSS JOIN ref
    WHERE ${COUNTED} AND ${guestOrderSql('o')}`,
    [GUEST_ORDERS, REFUND_ONLY_ORDERS],
  );
}
