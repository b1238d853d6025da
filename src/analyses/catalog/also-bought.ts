import { z } from 'zod';
import { UserError } from '../../errors/index.js';
import { defineAnalysis } from '../types.js';
import { customerOrderSql } from './parts/customers.js';
import { interactionNotes } from './parts/interactions.js';
import { epochSecondsSql, ratioSql } from './parts/sql.js';

const DAY = 86400;
const r4 = (x: number) => Math.round(x * 10000) / 10000;

/**
 * Baskets are a customer's non-cancelled orders of one UTC day (a shop's orders have one product per
 * line, and an add-on is often ordered minutes after the main item). One 'self' row says whether the
 * product is known at all; one 'pair' row per product sharing a basket with it, with the counts for
 * support, confidence and lift, and from the clickstream: sessions viewing both, and the other product's
 * view and purchase sessions.
 */
function alsoBoughtSql(): string {
  return `
    WITH o AS (
      SELECT DISTINCT customer_id, CAST(floor(${ratioSql(epochSecondsSql('order_date'), String(DAY))}) AS BIGINT) AS day,
        product_id
      FROM orders WHERE status <> 'CANCELLED' AND quantity > 0 AND ${customerOrderSql()}
    ),
    n AS (SELECT count(*) AS baskets FROM (SELECT DISTINCT customer_id, day FROM o) x),
    pc AS (SELECT product_id, count(*) AS baskets_with FROM o GROUP BY product_id),
    a AS (SELECT customer_id, day FROM o WHERE product_id = :product),
    pair AS (
      SELECT o.product_id, count(*) AS together
      FROM a JOIN o ON o.customer_id = a.customer_id AND o.day = a.day
      WHERE o.product_id <> :product
      GROUP BY o.product_id
    ),
    ev AS (
      SELECT session_id, product_id, action FROM clickstream
      WHERE product_id IS NOT NULL AND product_id <> '' AND session_id IS NOT NULL
    ),
    va AS (SELECT DISTINCT session_id FROM ev WHERE product_id = :product AND action = 'VIEW'),
    cv AS (
      SELECT ev.product_id, count(DISTINCT ev.session_id) AS co_view_sessions
      FROM va JOIN ev ON ev.session_id = va.session_id
      WHERE ev.product_id <> :product AND ev.action = 'VIEW'
      GROUP BY ev.product_id
    ),
    conv AS (
      SELECT product_id,
        count(DISTINCT CASE WHEN action = 'VIEW' THEN session_id END) AS view_sessions,
        count(DISTINCT CASE WHEN action = 'PURCHASE' THEN session_id END) AS purchase_sessions
      FROM ev GROUP BY product_id
    )
    SELECT 'pair' AS kind, pair.product_id, pair.together, pc.baskets_with AS baskets_b,
      pa.baskets_with AS baskets_a, n.baskets, coalesce(cv.co_view_sessions, 0) AS co_view_sessions,
      coalesce(conv.view_sessions, 0) AS view_sessions, coalesce(conv.purchase_sessions, 0) AS purchase_sessions
    FROM pair JOIN pc ON pc.product_id = pair.product_id
      JOIN pc pa ON pa.product_id = :product
      CROSS JOIN n
      LEFT JOIN cv ON cv.product_id = pair.product_id
      LEFT JOIN conv ON conv.product_id = pair.product_id
    UNION ALL
    SELECT 'self' AS kind, :product AS product_id,
      (SELECT count(*) FROM o WHERE product_id = :product) AS together, 0 AS baskets_b, 0 AS baskets_a,
      0 AS baskets, (SELECT count(*) FROM ev WHERE product_id = :product) AS co_view_sessions,
      0 AS view_sessions, 0 AS purchase_sessions`;
}

/** Products bought together with one product: support, confidence, lift, and clickstream signals. */
export default defineAnalysis({
  name: 'also-bought',
  description:
    'Products bought with a product (same customer, same day): support, confidence, lift (times_expected), co-views and view-to-purchase',
  params: z.object({
    product: z.string().min(1).describe('product id'),
    minBaskets: z.coerce
      .number()
      .int()
      .min(1)
      .default(3)
      .describe('least baskets a pair must share to be listed (default 3)'),
    limit: z.coerce.number().int().min(1).max(10_000).default(10).describe('number of rows (default 10)'),
  }),
  row: z.object({
    product_id: z.string(),
    baskets: z.number().int(),
    support: z.number().meta({ format: 'percent' }),
    confidence: z.number().meta({ format: 'percent' }),
    // The lift, named so that tables show it as a factor (a column named *lift* is shown as a percentage).
    times_expected: z.number(),
    co_view_sessions: z.number().int(),
    view_to_purchase: z.number().nullable().meta({ format: 'percent' }),
  }),
  unbound: { minBaskets: 'transform', limit: 'transform' },
  sql: () => alsoBoughtSql(),
  notes: () => interactionNotes(),
  transform: (rows, p) => {
    const self = rows.find((r) => r.kind === 'self');
    if (!self || (Number(self.together) === 0 && Number(self.co_view_sessions) === 0))
      throw new UserError(`unknown product '${p.product}': no order or event has it`, {
        code: 'unknown_product',
      });
    return rows
      .filter((r) => r.kind === 'pair' && Number(r.together) >= p.minBaskets)
      .map((r) => {
        const together = Number(r.together);
        const baskets = Number(r.baskets);
        const confidence = together / Number(r.baskets_a);
        const views = Number(r.view_sessions);
        return {
          product_id: String(r.product_id),
          baskets: together,
          support: r4(together / baskets),
          confidence: r4(confidence),
          times_expected: r4(confidence / (Number(r.baskets_b) / baskets)),
          co_view_sessions: Number(r.co_view_sessions),
          view_to_purchase: views > 0 ? r4(Number(r.purchase_sessions) / views) : null,
        };
      })
      .sort(
        (a, b) =>
          b.times_expected - a.times_expected ||
          b.baskets - a.baskets ||
          (a.product_id < b.product_id ? -1 : 1),
      )
      .slice(0, p.limit);
  },
});
