import { customerOrderSql, purchaseFlagSql } from './customers.js';
import { epochSecondsSql, ratioSql } from './sql.js';

const DAY = 86400;
/** The customer's usual visit rate is measured in [c − BASE_FROM days, c − BASE_TO days): before most fades begin. */
export const BASE_FROM = 365;
export const BASE_TO = 120;

/**
 * Per cut-off role and active customer: what the churn model reads, from completed orders (made whole
 * first, so an order counts once; a refund is no order, its amount nets the value: purchaseFlagSql) and the clickstream's sessions, all strictly before the cut-off `c`,
 * and `orders_next`: completed orders in [c, c + :horizon days). The end `s1` is :asOf or 00:00 UTC of the
 * day after the last completed order. Roles (`backtest`: train at s1 − 2N, test at s1 − N; else train at
 * s1 − N, apply at s1) share one scan. Active = a completed order in the :activeDays before the cut-off
 * (someone gone longer has already churned: not a prediction).
 */
export function churnFeaturesSql(backtest: boolean): string {
  const n = `:horizon * ${DAY}`;
  const cuts = backtest
    ? `SELECT 'train' AS role, s1 - 2 * ${n} AS c, s0, s1 FROM b UNION ALL SELECT 'test' AS role, s1 - ${n} AS c, s0, s1 FROM b`
    : `SELECT 'train' AS role, s1 - ${n} AS c, s0, s1 FROM b UNION ALL SELECT 'apply' AS role, s1 AS c, s0, s1 FROM b`;
  const within = (col: string, from: string, to: string) => `${col} >= ${from} AND ${col} < ${to}`;
  return `
    WITH o AS (
      SELECT customer_id, order_id, sum(total_amount) AS amount, min(${epochSecondsSql('order_date')}) AS sec,
        ${purchaseFlagSql()} AS purchase
      FROM orders WHERE status = 'COMPLETED' AND ${customerOrderSql()}
      GROUP BY customer_id, order_id
    ),
    b AS (
      SELECT min(sec) AS s0,
        coalesce(${epochSecondsSql('CAST(:asOf AS TIMESTAMP)')}, (floor(${ratioSql('max(sec)', String(DAY))}) + 1) * ${DAY}) AS s1
      FROM o
    ),
    cuts AS (${cuts}),
    ofeat AS (
      SELECT cuts.role, cuts.c, cuts.s0, o.customer_id,
        count(CASE WHEN o.sec < cuts.c AND o.purchase = 1 THEN 1 END) AS orders_before,
        coalesce(sum(CASE WHEN o.sec < cuts.c THEN o.amount END), 0) AS value_before,
        max(CASE WHEN o.sec < cuts.c AND o.purchase = 1 THEN o.sec END) AS last_order,
        count(CASE WHEN ${within('o.sec', `cuts.c - 90 * ${DAY}`, 'cuts.c')} AND o.purchase = 1 THEN 1 END) AS orders_90,
        count(CASE WHEN ${within('o.sec', 'cuts.c', `cuts.c + ${n}`)} AND o.purchase = 1 THEN 1 END) AS orders_next
      FROM o CROSS JOIN cuts
      GROUP BY cuts.role, cuts.c, cuts.s0, o.customer_id
    ),
    ev AS (
      SELECT customer_id, session_id, action, ${epochSecondsSql('"timestamp"')} AS sec
      FROM clickstream WHERE session_id IS NOT NULL AND ${customerOrderSql()}
    ),
    s AS (
      SELECT customer_id, session_id, min(sec) AS sec,
        max(CASE WHEN action = 'ADD_TO_CART' THEN 1 ELSE 0 END) AS carted,
        max(CASE WHEN action = 'PURCHASE' THEN 1 ELSE 0 END) AS bought
      FROM ev GROUP BY customer_id, session_id
    ),
    span AS (SELECT min(sec) AS first_event FROM s),
    sfeat AS (
      SELECT cuts.role, s.customer_id,
        count(CASE WHEN ${within('s.sec', `cuts.c - 30 * ${DAY}`, 'cuts.c')} THEN 1 END) AS sessions_30,
        count(CASE WHEN ${within('s.sec', `cuts.c - 14 * ${DAY}`, 'cuts.c')} THEN 1 END) AS sessions_14,
        count(CASE WHEN ${within('s.sec', `cuts.c - ${BASE_FROM} * ${DAY}`, `cuts.c - ${BASE_TO} * ${DAY}`)} THEN 1 END) AS sessions_base,
        min(CASE WHEN s.sec < cuts.c THEN s.sec END) AS first_visit,
        count(CASE WHEN ${within('s.sec', `cuts.c - 90 * ${DAY}`, `cuts.c - 30 * ${DAY}`)} THEN 1 END) AS sessions_prev_60,
        count(CASE WHEN ${within('s.sec', `cuts.c - 30 * ${DAY}`, 'cuts.c')} AND s.carted = 1 THEN 1 END) AS carts_30,
        count(CASE WHEN ${within('s.sec', `cuts.c - 30 * ${DAY}`, 'cuts.c')} AND s.carted = 1 AND s.bought = 0 THEN 1 END)
          AS abandoned_30,
        count(CASE WHEN ${within('s.sec', 'cuts.c', `cuts.c + ${n}`)} THEN 1 END) AS sessions_next,
        max(CASE WHEN s.sec < cuts.c THEN s.sec END) AS last_visit
      FROM s CROSS JOIN cuts
      GROUP BY cuts.role, s.customer_id
    )
    SELECT ofeat.role, ofeat.c, ofeat.s0, span.first_event, cu.customer_id, cu.tier, cu.lifetime_value,
      ${epochSecondsSql('CAST(cu.signup_date AS TIMESTAMP)')} AS signup,
      ofeat.orders_before, ofeat.value_before, ofeat.last_order, ofeat.orders_90, ofeat.orders_next,
      coalesce(sfeat.sessions_30, 0) AS sessions_30, coalesce(sfeat.sessions_prev_60, 0) AS sessions_prev_60,
      coalesce(sfeat.carts_30, 0) AS carts_30, coalesce(sfeat.abandoned_30, 0) AS abandoned_30,
      coalesce(sfeat.sessions_next, 0) AS sessions_next, sfeat.last_visit,
      coalesce(sfeat.sessions_14, 0) AS sessions_14, coalesce(sfeat.sessions_base, 0) AS sessions_base,
      sfeat.first_visit
    FROM ofeat JOIN customers cu ON cu.customer_id = ofeat.customer_id
      CROSS JOIN span
      LEFT JOIN sfeat ON sfeat.role = ofeat.role AND sfeat.customer_id = ofeat.customer_id
    WHERE ofeat.orders_before > 0 AND ofeat.last_order >= ofeat.c - :activeDays * ${DAY}`;
}
