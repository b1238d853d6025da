import { expectedPurchases, fitNbd, type NbdModel, shrunkOrderValue } from '../../stats/index.js';
import { epochSecondsSql } from './sql.js';

const DAY = 86400;

/**
 * One row per customer who had signed up before the cutoff: tier, lifetime_value, exposure `t_days`
 * (from the later of signup and the first order in the lake, to the cutoff), completed orders `x` and
 * their `value` before the cutoff, and `future` = completed value from the cutoff to the end.
 * The end is :asOf (or the day after the last order); the cutoff is :holdoutDays before the end.
 */
export function customerHistorySql(): string {
  const since = (col: string) => epochSecondsSql(col);
  return `
    WITH o AS (
      SELECT customer_id, CAST(total_amount AS DOUBLE) AS amount, ${since('order_date')} AS sec
      FROM orders WHERE status = 'COMPLETED'
    ),
    b AS (
      SELECT min(sec) AS s0,
        coalesce(${since('CAST(:asOf AS TIMESTAMP)')}, (floor(max(sec) / ${DAY}) + 1) * ${DAY}) AS s1
      FROM o
    ),
    cust AS (
      SELECT c.customer_id, c.tier, CAST(c.lifetime_value AS DOUBLE) AS lifetime_value,
        greatest(b.s0, ${since('CAST(c.signup_date AS TIMESTAMP)')}) AS start_sec,
        b.s1 - :holdoutDays * ${DAY} AS cut, b.s1
      FROM customers c CROSS JOIN b
    )
    SELECT cust.customer_id, cust.tier, cust.lifetime_value, CAST(cust.cut - cust.start_sec AS DOUBLE) / ${DAY} AS t_days,
      sum(CASE WHEN o.sec < cust.cut THEN 1 ELSE 0 END) AS x,
      coalesce(sum(CASE WHEN o.sec < cust.cut THEN o.amount END), 0) AS value,
      coalesce(sum(CASE WHEN o.sec >= cust.cut AND o.sec < cust.s1 THEN o.amount END), 0) AS future
    FROM cust LEFT JOIN o ON o.customer_id = cust.customer_id
    WHERE cust.start_sec < cust.cut
    GROUP BY cust.customer_id, cust.tier, cust.lifetime_value, cust.cut, cust.start_sec`;
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
