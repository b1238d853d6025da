import { UserError } from '../../../errors/index.js';
import type { NotesQuery } from '../../types.js';
import { customerOrderSql, GUEST_ORDERS, guestOrderSql, leftOutNotes } from './customers.js';
import type { CatalogStats } from './hybrid.js';
import { epochSecondsSql } from './sql.js';

const DAY = 86400;
/**
 * An add to cart counts this much of a purchase in the implicit-feedback weight. Plain product views are
 * left out: most come from browsing popular pages, and with them recall@10 fell from 0.21 to 0.15 on a
 * 1,000-product catalog (measured, docs/BENCHMARKS.md), while adds to cart are about what the customer wanted.
 */
export const CART_WEIGHT = 0.25;

/**
 * CTEs `o` (non-cancelled order lines of known customers, with `sec`) and `cut`: `s1` = :asOf or 00:00 UTC
 * of the day after the last order, `c` = the cut-off, s1 itself or :holdoutDays before it `withHoldout`.
 */
function boundsSql(withHoldout: boolean): string {
  return `o AS (
      SELECT customer_id, product_id, ${epochSecondsSql('order_date')} AS sec
      FROM orders WHERE status <> 'CANCELLED' AND quantity > 0 AND ${customerOrderSql()}
    ),
    cut AS (
      SELECT s1 - ${withHoldout ? `:holdoutDays * ${DAY}` : '0'} AS c, s1 FROM (
        SELECT coalesce(${epochSecondsSql('CAST(:asOf AS TIMESTAMP)')},
          (floor(CAST(max(sec) AS DOUBLE) / ${DAY}) + 1) * ${DAY}) AS s1 FROM o
      ) b
    )`;
}

/**
 * One row per customer of the customers table and product they interacted with: order lines before
 * the cut-off (`orders_before`), adds to cart before it (`carts_before`), order lines
 * from the cut-off to the end (`orders_after`), with the customer's region and the product's category. A customer without any
 * interaction gets one row with a NULL product (a cold start). Cancelled orders are no signal of taste.
 */
export function interactionsSql(withHoldout: boolean): string {
  return `
    WITH ${boundsSql(withHoldout)},
    v AS (
      SELECT customer_id, product_id, ${epochSecondsSql('"timestamp"')} AS sec FROM clickstream
      WHERE action = 'ADD_TO_CART' AND product_id IS NOT NULL AND product_id <> ''
        AND ${customerOrderSql()}
    ),
    ia AS (
      SELECT o.customer_id, o.product_id,
        sum(CASE WHEN o.sec < cut.c THEN 1 ELSE 0 END) AS orders_before,
        0 AS carts_before,
        sum(CASE WHEN o.sec >= cut.c AND o.sec < cut.s1 THEN 1 ELSE 0 END) AS orders_after
      FROM o CROSS JOIN cut GROUP BY o.customer_id, o.product_id
      UNION ALL
      SELECT v.customer_id, v.product_id, 0 AS orders_before,
        sum(CASE WHEN v.sec < cut.c THEN 1 ELSE 0 END) AS carts_before, 0 AS orders_after
      FROM v CROSS JOIN cut GROUP BY v.customer_id, v.product_id
    )
    SELECT c.customer_id, c.region, ia.product_id, pr.category,
      coalesce(sum(ia.orders_before), 0) AS orders_before,
      coalesce(sum(ia.carts_before), 0) AS carts_before,
      coalesce(sum(ia.orders_after), 0) AS orders_after
    FROM customers c LEFT JOIN ia ON ia.customer_id = c.customer_id
      LEFT JOIN (SELECT product_id, min(category) AS category FROM products GROUP BY product_id) pr
        ON pr.product_id = ia.product_id
    WHERE ${customerOrderSql('c')}
    GROUP BY c.customer_id, c.region, ia.product_id, pr.category`;
}

/**
 * What the recommenders leave out of the orders that were not cancelled: guest orders (they cannot be
 * tied to a customer's taste) and customers' return lines (quantity 0 or less: a return is not a
 * purchase; counted as one, a refund made a basket of the product and a co-purchase with whatever else
 * the customer bought that day).
 */
export function interactionNotes(): NotesQuery {
  return leftOutNotes(
    `SELECT count(DISTINCT CASE WHEN ${guestOrderSql()} THEN order_id END) AS guest_orders,
       count(CASE WHEN quantity <= 0 AND ${customerOrderSql()} THEN 1 END) AS return_lines
     FROM orders WHERE status <> 'CANCELLED'`,
    [
      GUEST_ORDERS,
      {
        column: 'return_lines',
        code: 'return_lines_left_out',
        message: (n) => `left out ${n} return line(s) (quantity 0 or less): a return is not a purchase`,
      },
    ],
  );
}

/** What the recommenders know of one customer. */
export interface CustomerTaste {
  region: string;
  /** Product → implicit weight before the cut-off (0 entries left out). */
  weights: Map<string, number>;
  /** Products ordered before the cut-off (not recommended again). */
  bought: Set<string>;
  /** Products ordered from the cut-off on (the held-out truth). */
  after: Set<string>;
}

/** Implicit-feedback weight: log(1 + orders + CART_WEIGHT × adds to cart), so heavy users do not dominate. */
export function implicitWeight(orders: number, carts: number): number {
  return Math.log1p(orders + CART_WEIGHT * carts);
}

/** Groups interactionsSql rows by customer. */
export function toTastes(rows: readonly Record<string, unknown>[]): Map<string, CustomerTaste> {
  const out = new Map<string, CustomerTaste>();
  for (const r of rows) {
    const id = String(r.customer_id);
    let t = out.get(id);
    if (!t) {
      t = { region: String(r.region ?? ''), weights: new Map(), bought: new Set(), after: new Set() };
      out.set(id, t);
    }
    if (r.product_id === null || r.product_id === undefined) continue;
    const product = String(r.product_id);
    const before = Number(r.orders_before);
    const w = implicitWeight(before, Number(r.carts_before));
    if (w > 0) t.weights.set(product, w);
    if (before > 0) t.bought.add(product);
    if (Number(r.orders_after) > 0) t.after.add(product);
  }
  return out;
}

/**
 * Products by orders before the cut-off, most first (ties by id): overall and per region; with the
 * counts and every product's category for the hybrid recommender.
 */
export function popularity(
  tastes: ReadonlyMap<string, CustomerTaste>,
  rows: readonly Record<string, unknown>[],
): { overall: string[]; byRegion: Map<string, string[]>; stats: CatalogStats } {
  const category = new Map<string, string>();
  const total = new Map<string, number>();
  const regional = new Map<string, Map<string, number>>();
  for (const r of rows) {
    if (r.product_id === null || r.product_id === undefined) continue;
    category.set(
      String(r.product_id),
      r.category === null || r.category === undefined ? '' : String(r.category),
    );
    const n = Number(r.orders_before);
    if (!(n > 0)) continue;
    const product = String(r.product_id);
    total.set(product, (total.get(product) ?? 0) + n);
    const region = tastes.get(String(r.customer_id))?.region ?? '';
    const m = regional.get(region) ?? new Map<string, number>();
    m.set(product, (m.get(product) ?? 0) + n);
    regional.set(region, m);
  }
  const rank = (m: Map<string, number>) =>
    [...m.entries()].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1)).map(([p]) => p);
  return {
    overall: rank(total),
    byRegion: new Map([...regional.entries()].map(([region, m]) => [region, rank(m)])),
    stats: { sold: total, category },
  };
}

/** The first `limit` of `ranked` not in `exclude` nor already in `taken`. */
export function fillFrom(
  ranked: readonly string[],
  limit: number,
  exclude: ReadonlySet<string>,
  taken: Set<string>,
): string[] {
  const out: string[] = [];
  for (const p of ranked) {
    if (out.length >= limit) break;
    if (exclude.has(p) || taken.has(p)) continue;
    taken.add(p);
    out.push(p);
  }
  return out;
}

/** The customer's taste, or a user error naming what is missing. */
export function tasteOf(tastes: ReadonlyMap<string, CustomerTaste>, customer: string): CustomerTaste {
  const t = tastes.get(customer);
  if (!t)
    throw new UserError(`unknown customer '${customer}': not in the customers table`, {
      code: 'unknown_customer',
    });
  return t;
}
