import { expectedPurchases, fitNbd, type NbdModel, shrunkOrderValue } from '../../stats/index.js';
import type { NotesQuery } from '../../types.js';
import { customerOrderSql, GUEST_ORDERS, guestOrderSql, leftOutNotes, purchaseFlagSql } from './customers.js';
import { epochSecondsSql, ratioSql } from './sql.js';

const DAY = 86400;

/**
 * CTEs `o` (one row per completed order: customer, Σ total_amount of its completed lines, time of its first
 * line in epoch seconds, `purchase` 1 unless it is a refund: purchaseFlagSql) and `b`: s0 = the lake's first completed order, s1 = the end, :asOf or 00:00 UTC of
 * the day after the last completed order. Orders are made whole before the joins, so that an order counts
 * once and falls wholly before or after the cutoff, whatever its number of lines.
 */
function ordersAndBoundsSql(): string {
  const since = (col: string) => epochSecondsSql(col);
  return `o AS (
      SELECT customer_id, order_id, sum(total_amount) AS amount, min(${since('order_date')}) AS sec,
        ${purchaseFlagSql()} AS purchase
      FROM orders WHERE status = 'COMPLETED'
      GROUP BY customer_id, order_id
    ),
    b AS (
      SELECT min(sec) AS s0,
        coalesce(${since('CAST(:asOf AS TIMESTAMP)')}, (floor(${ratioSql('max(sec)', String(DAY))}) + 1) * ${DAY}) AS s1
      FROM o
    )`;
}

/**
 * One row per customer who had signed up before the cutoff: tier, lifetime_value, exposure `t_days`
 * (from the later of signup and the first order in the lake, to the cutoff), distinct completed purchases `x`
 * before the cutoff (a refund is none), the `value` of every completed order before it (refunds netted), and
 * `future` = completed value from the cutoff to the end.
 * The end is :asOf (or the day after the last order); the cutoff is the end itself, or :holdoutDays before
 * it `withHoldout`. Orders count by their customer in the customers table, so guest orders (and orders of
 * customers missing from it) are left out: clvNotes counts them.
 */
export function customerHistorySql(withHoldout: boolean): string {
  const cut = withHoldout ? `b.s1 - :holdoutDays * ${DAY}` : 'b.s1';
  // A customers row with the id GUEST would stand for the guests, so it is not a customer either.
  return `
    WITH ${ordersAndBoundsSql()},
    cust AS (
      SELECT c.customer_id, c.tier, c.lifetime_value,
        greatest(b.s0, ${epochSecondsSql('CAST(c.signup_date AS TIMESTAMP)')}) AS start_sec, ${cut} AS cut, b.s1
      FROM customers c CROSS JOIN b
      WHERE ${customerOrderSql('c')}
    )
    SELECT cust.customer_id, cust.tier, cust.lifetime_value,
      ${ratioSql('cust.cut - cust.start_sec', String(DAY))} AS t_days,
      coalesce(sum(CASE WHEN o.sec < cust.cut THEN o.purchase ELSE 0 END), 0) AS x,
      coalesce(sum(CASE WHEN o.sec < cust.cut THEN o.amount END), 0) AS value,
      coalesce(sum(CASE WHEN o.sec >= cust.cut AND o.sec < cust.s1 THEN o.amount END), 0) AS future
    FROM cust LEFT JOIN o ON o.customer_id = cust.customer_id
    WHERE cust.start_sec < cust.cut
    GROUP BY cust.customer_id, cust.tier, cust.lifetime_value, cust.cut, cust.start_sec`;
}

/** Completed orders before the end that clv and clv-backtest leave out: guests, and customers unknown. */
export function clvNotes(): NotesQuery {
  return leftOutNotes(
    `WITH ${ordersAndBoundsSql()}
    SELECT count(DISTINCT CASE WHEN ${guestOrderSql('o')} THEN o.order_id END) AS guest_orders,
      count(DISTINCT CASE WHEN ${customerOrderSql('o')} AND c.customer_id IS NULL THEN o.order_id END)
        AS unknown_customer_orders
    FROM o CROSS JOIN b LEFT JOIN customers c ON c.customer_id = o.customer_id
    WHERE o.sec < b.s1`,
    [
      GUEST_ORDERS,
      {
        column: 'unknown_customer_orders',
        code: 'unknown_customer_orders_left_out',
        message: (n) =>
          `left out ${n} completed order(s) of customers missing from the customers table (no signup date or tier)`,
      },
    ],
  );
}

/** A customer's history as the model sees it. */
export interface CustomerHistory {
  customerId: string;
  tier: string;
  lifetimeValue: number;
  t: number;
  x: number;
  value: number;
  future: number;
}

export function toHistory(rows: Record<string, unknown>[]): CustomerHistory[] {
  return rows.map((r) => ({
    customerId: String(r.customer_id),
    tier: String(r.tier),
    lifetimeValue: Number(r.lifetime_value),
    t: Number(r.t_days),
    x: Number(r.x),
    value: Number(r.value),
    future: Number(r.future),
  }));
}

/** Fitted NBD purchase model plus the population's mean order value. */
export interface ClvModel {
  nbd: NbdModel;
  meanOrderValue: number;
}

export function fitClv(history: readonly CustomerHistory[]): ClvModel {
  const orders = history.reduce((s, h) => s + h.x, 0);
  const value = history.reduce((s, h) => s + h.value, 0);
  return {
    nbd: fitNbd(history.map((h) => ({ x: h.x, t: h.t }))),
    meanOrderValue: orders > 0 ? value / orders : 0,
  };
}

/** Predicted value of a customer's completed orders in the next `days`. */
export function predictValue(model: ClvModel, h: CustomerHistory, days: number): number {
  return expectedPurchases(model.nbd, h.x, h.t, days) * shrunkOrderValue(h.value, h.x, model.meanOrderValue);
}

/** The naive baseline: the customer's own past daily spend continues. */
export function naiveValue(h: CustomerHistory, days: number): number {
  return h.t > 0 ? (h.value / h.t) * days : 0;
}
