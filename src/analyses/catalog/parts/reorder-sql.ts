import { demandSql } from './demand.js';
import { epochSecondsSql, ratioSql } from './sql.js';
import { dailyDemandCte, stockCtes } from './stock.js';

const DAY = 86400;
const bigint = (v: string) => `CAST(${v} AS BIGINT)`;
const dbl = (v: string) => `CAST(${v} AS DOUBLE)`;
const NULL_INT = 'CAST(NULL AS BIGINT)';
const NULL_STR = 'CAST(NULL AS STRING)';

/**
 * The rows reorder reads, one kind per row: 'pair' (stock at the cut-off, today's policy, unit cost and
 * the window's bounds), 'train' (units per day before the cut-off, day 0 = the last), 'held' (units per
 * held-out day, day 0 = the first), 'arriving' (receipts per held-out day) and 'supply' (movements other
 * than sales per day before the cut-off). The cut-off is :holdoutDays days before 00:00 UTC of the day
 * after the last non-cancelled order. With `withDemand`, also the rows of demandSql before the cut-off
 * (kinds 'u', 'p', 's' with stockout spans; warehouse_id NULL, region and value set) for the forecast.
 */
export function reorderSql(withDemand = false): string {
  return `
    WITH e AS (
      SELECT (floor(${ratioSql(`max(${epochSecondsSql('order_date')})`, String(DAY))}) + 1) * ${DAY} AS end_sec,
        min(${epochSecondsSql('order_date')}) AS first_sec
      FROM orders WHERE status <> 'CANCELLED'
    ),
    b AS (SELECT end_sec - :holdoutDays * ${DAY} AS cut_sec, end_sec, first_sec FROM e),
    ${stockCtes()},
    ${dailyDemandCte('cut_sec', ':demandDays')},
    held AS (
      SELECT o.warehouse_id, o.product_id,
        ${bigint(`floor(${ratioSql('o.sec - b.cut_sec', String(DAY))})`)} AS day, sum(o.quantity) AS units
      FROM ol o CROSS JOIN b
      WHERE o.quantity > 0 AND o.sec >= b.cut_sec AND o.sec < b.end_sec
      GROUP BY o.warehouse_id, o.product_id, ${bigint(`floor(${ratioSql('o.sec - b.cut_sec', String(DAY))})`)}
    ),
    arriving AS (
      SELECT m.warehouse_id, m.product_id,
        ${bigint(`floor(${ratioSql(`${epochSecondsSql('m.moved_at')} - b.cut_sec`, String(DAY))})`)} AS day,
        sum(m.quantity) AS units
      FROM stock_movements m CROSS JOIN b
      WHERE m.movement_type = 'RECEIPT' AND ${epochSecondsSql('m.moved_at')} >= b.cut_sec
        AND ${epochSecondsSql('m.moved_at')} < b.end_sec
      GROUP BY m.warehouse_id, m.product_id,
        ${bigint(`floor(${ratioSql(`${epochSecondsSql('m.moved_at')} - b.cut_sec`, String(DAY))})`)}
    ),
    supply AS (
      SELECT m.warehouse_id, m.product_id,
        ${bigint(`floor(${ratioSql(`b.cut_sec - ${epochSecondsSql('m.moved_at')}`, String(DAY))})`)} AS day,
        sum(m.quantity) AS units
      FROM stock_movements m CROSS JOIN b
      WHERE m.movement_type <> 'SALE' AND ${epochSecondsSql('m.moved_at')} < b.cut_sec
        AND ${epochSecondsSql('m.moved_at')} >= b.cut_sec - :demandDays * ${DAY}
      GROUP BY m.warehouse_id, m.product_id,
        ${bigint(`floor(${ratioSql(`b.cut_sec - ${epochSecondsSql('m.moved_at')}`, String(DAY))})`)}
    ),
    cost AS (SELECT product_id, coalesce(unit_cost, list_price) AS unit_cost FROM products)
    SELECT 'pair' AS kind, s.warehouse_id, s.product_id, ${NULL_INT} AS day, ${NULL_INT} AS units,
      ${bigint('s.on_hand')} AS on_hand, ${bigint('s.reorder_point')} AS reorder_point,
      ${bigint('s.order_quantity')} AS order_quantity, ${bigint('s.lead_time_days')} AS lead_time_days,
      ${dbl('c.unit_cost')} AS unit_cost, ${dbl('b.first_sec')} AS first_sec, ${dbl('b.cut_sec')} AS cut_sec,
      s.region, CAST(NULL AS DOUBLE) AS value
    FROM stock s CROSS JOIN b LEFT JOIN cost c ON c.product_id = s.product_id
    UNION ALL
    SELECT 'train' AS kind, warehouse_id, product_id, ${bigint('day')}, ${bigint('units')}, ${NULL_INT}, ${NULL_INT},
      ${NULL_INT}, ${NULL_INT}, CAST(NULL AS DOUBLE), CAST(NULL AS DOUBLE), CAST(NULL AS DOUBLE), ${NULL_STR}, CAST(NULL AS DOUBLE) FROM daily
    UNION ALL
    SELECT 'held' AS kind, warehouse_id, product_id, day, ${bigint('units')}, ${NULL_INT}, ${NULL_INT},
      ${NULL_INT}, ${NULL_INT}, CAST(NULL AS DOUBLE), CAST(NULL AS DOUBLE), CAST(NULL AS DOUBLE), ${NULL_STR}, CAST(NULL AS DOUBLE) FROM held
    UNION ALL
    SELECT 'arriving' AS kind, warehouse_id, product_id, day, ${bigint('units')}, ${NULL_INT}, ${NULL_INT},
      ${NULL_INT}, ${NULL_INT}, CAST(NULL AS DOUBLE), CAST(NULL AS DOUBLE), CAST(NULL AS DOUBLE), ${NULL_STR}, CAST(NULL AS DOUBLE) FROM arriving
    UNION ALL
    SELECT 'supply' AS kind, warehouse_id, product_id, day, ${bigint('units')}, ${NULL_INT}, ${NULL_INT},
      ${NULL_INT}, ${NULL_INT}, CAST(NULL AS DOUBLE), CAST(NULL AS DOUBLE), CAST(NULL AS DOUBLE), ${NULL_STR}, CAST(NULL AS DOUBLE) FROM supply${
        withDemand
          ? `
    UNION ALL
    SELECT kind, CAST(NULL AS STRING), product_id, day, ${NULL_INT}, ${NULL_INT}, ${NULL_INT}, ${NULL_INT},
      ${NULL_INT}, CAST(NULL AS DOUBLE), CAST(NULL AS DOUBLE), CAST(NULL AS DOUBLE), region, value
    FROM (${demandSql(true, `(SELECT end_sec - :holdoutDays * ${DAY} FROM e)`)}) dem`
          : ''
      }
    ORDER BY 2 NULLS FIRST, 3, 1, 4 NULLS FIRST, 13 NULLS FIRST, 14 NULLS FIRST`;
}
