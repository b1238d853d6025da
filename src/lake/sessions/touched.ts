import { type DuckDbSession, sqlString } from '../../duckdb/index.js';
import type { DataLayout } from '../layout.js';
import { tableSelectSql } from '../read-sql.js';
import { TABLES } from '../tables.js';

/** The tables whose rows the sessions table is computed from. */
export const SESSION_SOURCES = ['clickstream', 'orders'] as const;

/** Whether changing this table's rows changes sessions (so its writers go through withSessionsMaintained). */
export function feedsSessions(table: string): table is (typeof SESSION_SOURCES)[number] {
  return (SESSION_SOURCES as readonly string[]).includes(table);
}

/**
 * A relation of clickstream rows (session_id, customer_id, "timestamp") whose sessions a change to
 * `rows` (a relation with the table's columns: rows added or removed) reaches, or null when none. For
 * clickstream, the rows themselves; for orders, the PURCHASE events of the same customer at exactly an
 * order's order_date, read between the orders' earliest and latest dates.
 */
export async function touchedSessionsOf(
  db: DuckDbSession,
  layout: DataLayout,
  table: (typeof SESSION_SOURCES)[number],
  rows: string,
): Promise<string | null> {
  if (table === 'clickstream') return `(SELECT session_id, customer_id, "timestamp" FROM ${rows})`;
  await db.run(`CREATE OR REPLACE TEMP TABLE orders_touch AS
    SELECT DISTINCT customer_id, order_date FROM ${rows} WHERE customer_id IS NOT NULL`);
  const [range] = await db.all(
    'SELECT CAST(min(order_date) AS VARCHAR) AS lo, CAST(max(order_date) AS VARCHAR) AS hi FROM orders_touch',
  );
  if (range?.lo === null || range?.lo === undefined) return null;
  const clicks = tableSelectSql(layout, TABLES.clickstream);
  // Literal bounds let the scan skip clickstream's row groups outside the orders' dates.
  return `(SELECT c.session_id, c.customer_id, c."timestamp" FROM (${clicks}) c
    SEMI JOIN orders_touch o ON o.customer_id = c.customer_id AND o.order_date = c."timestamp"
    WHERE c.action = 'PURCHASE'
      AND c."timestamp" BETWEEN TIMESTAMP ${sqlString(String(range.lo))} AND TIMESTAMP ${sqlString(String(range.hi))})`;
}
