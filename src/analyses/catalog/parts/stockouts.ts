import { epochSecondsSql, ratioSql } from './sql.js';
import { stockSourceCtes } from './stock.js';

const DAY = 86400;
const epochDay = (sec: string) => `CAST(floor(${ratioSql(sec, String(DAY))}) AS BIGINT)`;

/** The lake tables stockouts are read from: all three loaded, or censoring is off. */
export const STOCK_TABLES = ['warehouses', 'stock_levels', 'stock_movements'] as const;

/**
 * Whether the lake has what stockouts are read from. `loaded` undefined (a caller that does not say
 * which tables the lake has, e.g. a check of SQL texts) counts as having them.
 */
export function hasStockTables(loaded: ReadonlySet<string> | undefined): boolean {
  return loaded === undefined || STOCK_TABLES.every((t) => loaded.has(t));
}

/**
 * CTEs ending in `stockouts` (region, product_id, from_day, to_day): the UTC days (epoch day numbers,
 * both included; to_day NULL = still out at the lake's end) on which the warehouse that ships a region's
 * lines was out of stock of a product. Out of stock means on hand ≤ 0, with on hand as `inventory`
 * defines it (stock.ts) followed through time: at each second with a count, a movement or an order line
 * no movement records, on hand = the latest count at or before it + Σ movements and unrecorded lines
 * (negated) after that count up to and including the second (0 and everything before, for a pair never
 * counted); it stays so until the next such second, and a day is out of stock when any part of it is.
 * Before a pair's first count its stock is not known, so those days are not judged (orders often go back
 * further than stock records). Reads warehouses, stock_levels, stock_movements and orders; defines CTE
 * `b` itself (the caller must not).
 */
export function stockoutCtes(): string {
  const pair = 'PARTITION BY warehouse_id, product_id ORDER BY sec';
  return `
    b AS (SELECT CAST(NULL AS BIGINT) AS cut_sec),
    ${stockSourceCtes()},
    so_delta AS (
      SELECT m.warehouse_id, m.product_id, m.sec, m.quantity AS q, CAST(NULL AS BIGINT) AS c FROM mvs m
      UNION ALL
      SELECT o.warehouse_id, o.product_id, o.sec, -o.quantity AS q, CAST(NULL AS BIGINT) AS c
      FROM ol o
      LEFT JOIN recorded r ON r.warehouse_id = o.warehouse_id AND r.product_id = o.product_id
        AND r.reference = o.order_id
        AND r.movement_type = CASE WHEN o.quantity > 0 THEN 'SALE' ELSE 'RETURN' END
      WHERE r.reference IS NULL
      UNION ALL
      SELECT s.warehouse_id, s.product_id, ${epochSecondsSql('s.counted_at')} AS sec, 0 AS q,
        CAST(s.on_hand AS BIGINT) AS c
      FROM stock_levels s
    ),
    so_point AS (
      SELECT warehouse_id, product_id, sec, sum(q) AS q, max(c) AS c
      FROM so_delta GROUP BY warehouse_id, product_id, sec
    ),
    so_run AS (
      SELECT warehouse_id, product_id, sec, c,
        sum(q) OVER (${pair} ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW) AS cum,
        max(CASE WHEN c IS NOT NULL THEN sec END) OVER (${pair} ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW) AS anchor,
        lead(sec) OVER (${pair}) AS next_sec,
        max(c) OVER (PARTITION BY warehouse_id, product_id) AS any_count
      FROM so_point
    ),
    so_on_hand AS (
      SELECT r.warehouse_id, r.product_id, r.sec, r.next_sec,
        CASE WHEN r.anchor IS NULL THEN r.cum ELSE a.c + r.cum - a.cum END AS on_hand,
        r.anchor IS NULL AND r.any_count IS NOT NULL AS before_count
      FROM so_run r
      LEFT JOIN so_run a ON a.warehouse_id = r.warehouse_id AND a.product_id = r.product_id AND a.sec = r.anchor
    ),
    stockouts AS (
      SELECT w.region, x.product_id, ${epochDay('x.sec')} AS from_day,
        CASE WHEN x.next_sec IS NULL THEN CAST(NULL AS BIGINT) ELSE ${epochDay('x.next_sec - 1')} END AS to_day
      FROM so_on_hand x JOIN wh w ON w.warehouse_id = x.warehouse_id
      WHERE x.on_hand <= 0 AND NOT x.before_count
    )`;
}

/** Marks the out-of-stock days of one series (start … end − 1) from its stockout spans; undefined if none. */
export function censoredDays(
  spans: readonly { from: number; to: number | null }[] | undefined,
  start: number,
  end: number,
): boolean[] | undefined {
  if (!spans || spans.length === 0 || end <= start) return undefined;
  const out = new Array<boolean>(end - start).fill(false);
  let any = false;
  for (const s of spans) {
    const hi = Math.min(end - 1, s.to ?? end - 1);
    for (let d = Math.max(start, s.from); d <= hi; d++) {
      out[d - start] = true;
      any = true;
    }
  }
  return any ? out : undefined;
}
