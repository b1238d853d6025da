import { UserError } from '../../../errors/index.js';
import { epochSecondsSql, ratioSql } from './sql.js';

const DAY = 86400;

/**
 * CTEs ending in `stock`: units on hand per product × warehouse at the cut-off `b.cut_sec` (epoch
 * seconds, exclusive; NULL = everything the lake holds), from CTE `b` that the caller defines
 * (columns cut_sec, end_sec). The definition (docs/ANALYSES.md, `inventory`):
 *
 *   on_hand = latest count before the cut-off (stock_levels.on_hand at counted_at)
 *           + Σ stock_movements.quantity after counted_at (RECEIPT, SALE, RETURN, ADJUSTMENT; signed)
 *           − Σ quantity of order lines after counted_at that no movement records yet,
 *
 * where an order line ships from the warehouse of its region (the smallest warehouse_id of that region),
 * CANCELLED lines take nothing, and a line is recorded when a SALE (quantity > 0) or RETURN (quantity < 0)
 * movement of the same warehouse and product names its order_id as reference. So an order counts once:
 * from the warehouse's movements once they record it, from the orders table until then (late orders too).
 * Also CTE `ol` (order lines with their warehouse and epoch second) for the demand series.
 */
export function stockCtes(): string {
  const before = (col: string) => `(b.cut_sec IS NULL OR ${col} < b.cut_sec)`;
  return `${stockSourceCtes()},
    lvl AS (
      SELECT warehouse_id, product_id, counted_sec, on_hand, reorder_point, order_quantity, lead_time_days
      FROM (
        SELECT s.warehouse_id, s.product_id, ${epochSecondsSql('s.counted_at')} AS counted_sec, s.on_hand,
          s.reorder_point, s.order_quantity, s.lead_time_days,
          row_number() OVER (PARTITION BY s.warehouse_id, s.product_id ORDER BY s.counted_at DESC) AS rn
        FROM stock_levels s CROSS JOIN b WHERE ${before(epochSecondsSql('s.counted_at'))}
      ) latest
      WHERE rn = 1
    ),
    pairs AS (
      SELECT warehouse_id, product_id FROM lvl
      UNION
      SELECT warehouse_id, product_id FROM mvs
    ),
    base AS (
      SELECT p.warehouse_id, p.product_id, wr.region, l.counted_sec, coalesce(l.on_hand, 0) AS counted,
        l.reorder_point, l.order_quantity, l.lead_time_days
      FROM pairs p
      LEFT JOIN lvl l ON l.warehouse_id = p.warehouse_id AND l.product_id = p.product_id
      LEFT JOIN warehouses wr ON wr.warehouse_id = p.warehouse_id
    ),
    moved AS (
      SELECT x.warehouse_id, x.product_id, sum(m.quantity) AS moved
      FROM base x JOIN mvs m ON m.warehouse_id = x.warehouse_id AND m.product_id = x.product_id
      WHERE x.counted_sec IS NULL OR m.sec > x.counted_sec
      GROUP BY x.warehouse_id, x.product_id
    ),
    unrecorded AS (
      SELECT x.warehouse_id, x.product_id, sum(o.quantity) AS sold
      FROM base x
      JOIN ol o ON o.warehouse_id = x.warehouse_id AND o.product_id = x.product_id
      CROSS JOIN b
      LEFT JOIN recorded r ON r.warehouse_id = o.warehouse_id AND r.product_id = o.product_id
        AND r.reference = o.order_id
        AND r.movement_type = CASE WHEN o.quantity > 0 THEN 'SALE' ELSE 'RETURN' END
      WHERE r.reference IS NULL AND (x.counted_sec IS NULL OR o.sec > x.counted_sec) AND ${before('o.sec')}
      GROUP BY x.warehouse_id, x.product_id
    ),
    stock AS (
      SELECT x.warehouse_id, x.product_id, x.region, x.counted_sec, x.counted,
        coalesce(m.moved, 0) AS moved, coalesce(u.sold, 0) AS unrecorded_sold,
        x.counted + coalesce(m.moved, 0) - coalesce(u.sold, 0) AS on_hand,
        x.reorder_point, x.order_quantity, x.lead_time_days
      FROM base x
      LEFT JOIN moved m ON m.warehouse_id = x.warehouse_id AND m.product_id = x.product_id
      LEFT JOIN unrecorded u ON u.warehouse_id = x.warehouse_id AND u.product_id = x.product_id
    )`;
}

/**
 * CTEs `wh` (the warehouse that ships each region's lines), `ol` (non-cancelled order lines with their
 * warehouse and epoch second), `mvs` (movements before `b.cut_sec`) and `recorded` (the order lines a
 * SALE or RETURN movement names), from CTE `b` that the caller defines (column cut_sec).
 */
export function stockSourceCtes(): string {
  const before = (col: string) => `(b.cut_sec IS NULL OR ${col} < b.cut_sec)`;
  return `
    wh AS (SELECT region, min(warehouse_id) AS warehouse_id FROM warehouses GROUP BY region),
    ol AS (
      SELECT w.warehouse_id, o.product_id, o.order_id, o.quantity, ${epochSecondsSql('o.order_date')} AS sec
      FROM orders o JOIN wh w ON w.region = o.region
      WHERE o.status <> 'CANCELLED'
    ),
    mvs AS (
      SELECT m.warehouse_id, m.product_id, m.movement_type, m.quantity, m.reference,
        ${epochSecondsSql('m.moved_at')} AS sec
      FROM stock_movements m CROSS JOIN b WHERE ${before(epochSecondsSql('m.moved_at'))}
    ),
    recorded AS (
      SELECT DISTINCT warehouse_id, product_id, reference, movement_type FROM mvs
      WHERE movement_type IN ('SALE', 'RETURN') AND reference IS NOT NULL
    )`;
}

/**
 * CTE `daily`: units ordered (lines of `ol` with quantity > 0) per warehouse, product and `day` = whole
 * days before `b.<until>` (0 = the last day), over the `daysBack` days before it; days without a sale have
 * no row (the demand series fills them with 0).
 */
export function dailyDemandCte(until: string, daysBack: string): string {
  return `daily AS (
      SELECT o.warehouse_id, o.product_id,
        CAST(floor(${ratioSql(`b.${until} - o.sec`, String(DAY))}) AS BIGINT) AS day, sum(o.quantity) AS units
      FROM ol o CROSS JOIN b
      WHERE o.quantity > 0 AND o.sec < b.${until} AND o.sec >= b.${until} - ${daysBack} * ${DAY}
      GROUP BY o.warehouse_id, o.product_id, CAST(floor(${ratioSql(`b.${until} - o.sec`, String(DAY))}) AS BIGINT)
    )`;
}

/** A SQL row's value as a number (engines hand BIGINT sums and DECIMALs over in several forms). */
export function num(v: unknown): number {
  return v === null || v === undefined ? Number.NaN : Number(v);
}

/** The warehouse × product pairs of a result, refusing a --warehouse or --product that none of them has. */
export function checkFilters(
  analysis: string,
  pairs: readonly { warehouse_id: string; product_id: string }[],
  p: { warehouse?: string | undefined; product?: string | undefined },
): void {
  if (p.warehouse !== undefined && !pairs.some((x) => x.warehouse_id === p.warehouse))
    throw new UserError(
      `${analysis}: unknown warehouse '${p.warehouse}': the lake has no stock count or movement for it`,
      { code: 'unknown_warehouse' },
    );
  if (p.product !== undefined && !pairs.some((x) => x.product_id === p.product))
    throw new UserError(
      `${analysis}: unknown product '${p.product}': the lake has no stock count or movement for it`,
      { code: 'unknown_product' },
    );
}
