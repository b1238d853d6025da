import type { Note, NotesQuery } from '../../types.js';

/**
 * Guest orders are orders without a customer: customer_id NULL, or the literal 'GUEST' that seed-style
 * exports wrote for a missing id (kept as guest until every lake has been reloaded without it). Written so
 * that it is right whether or not the column is nullable.
 */
export function guestOrderSql(alias = ''): string {
  const col = `${alias ? `${alias}.` : ''}customer_id`;
  return `(${col} IS NULL OR ${col} = 'GUEST')`;
}

/** SQL condition: the order has a known customer (the complement of guestOrderSql). */
export function customerOrderSql(alias = ''): string {
  const col = `${alias ? `${alias}.` : ''}customer_id`;
  return `(${col} IS NOT NULL AND ${col} <> 'GUEST')`;
}

/**
 * The purchase rule, one flag per order made whole (inside a GROUP BY order_id): 1 when at least one of the
 * order's counted lines has a positive quantity. An order of return lines only (a refund) is not a
 * purchase: it is no order, repeat, recency or activity of the customer's, while its negative amounts still
 * net their value wherever the analysis sums money (docs/ANALYSES.md, "Refunds").
 */
export function purchaseFlagSql(alias = ''): string {
  return `CASE WHEN max(${alias ? `${alias}.` : ''}quantity) > 0 THEN 1 ELSE 0 END`;
}

/** One count an analysis left out: the notes query's column and how to say it. */
export interface LeftOut {
  column: string;
  code: string;
  message: (n: string) => string;
}

/** Guest orders a customer analysis left out (notes query column `guest_orders`). */
export const GUEST_ORDERS: LeftOut = {
  column: 'guest_orders',
  code: 'guest_orders_left_out',
  message: (n) => `left out ${n} guest order(s) (no customer id): customer analyses count customers only`,
};

/** Customers' refund-only orders an analysis did not count as purchases (notes query column `refund_orders`). */
export const REFUND_ONLY_ORDERS: LeftOut = {
  column: 'refund_orders',
  code: 'refund_only_orders_left_out',
  message: (n) =>
    `left out ${n} refund-only order(s) (every line a return) as purchases: a refund is not a purchase`,
};

/**
 * SQL of a scalar subquery: the customers' orders among the lines `where` picks whose lines are all
 * returns (see purchaseFlagSql), for a REFUND_ONLY_ORDERS note.
 */
export function refundOnlyOrdersSql(from: string, where: string, alias = ''): string {
  const col = (c: string) => `${alias ? `${alias}.` : ''}${c}`;
  return `(SELECT count(*) FROM (
      SELECT ${col('order_id')} FROM ${from} WHERE ${where} AND ${customerOrderSql(alias)}
      GROUP BY ${col('order_id')} HAVING ${purchaseFlagSql(alias)} = 0) refunds)`;
}

/**
 * A notes query whose one row holds a count per LeftOut column; each non-zero count becomes a note
 * (nothing left out, nothing said).
 */
export function leftOutNotes(sql: string, counts: readonly LeftOut[] = [GUEST_ORDERS]): NotesQuery {
  return {
    sql,
    read: (row) =>
      counts.flatMap((c): Note[] => {
        const n = Number(row[c.column] ?? 0);
        return n > 0 ? [{ code: c.code, count: n, message: c.message(n.toLocaleString('en-US')) }] : [];
      }),
  };
}
