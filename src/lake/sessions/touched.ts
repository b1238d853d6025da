import { type DuckDbSession, sqlString } from '../../duckdb/index.js';
import type { DataLayout } from '../layout.js';
import { filesMayHoldSpan, tableSelectSql } from '../read-sql.js';
import { TABLES } from '../tables.js';
import { sessionsMaintenanceSkipped } from './maintain.js';

/** The tables whose rows the sessions table is computed from. */
export const SESSION_SOURCES = ['clickstream', 'orders', 'experiments'] as const;

/** Whether changing this table's rows changes sessions (so its writers go through withSessionsMaintained). */
export function feedsSessions(table: string): table is (typeof SESSION_SOURCES)[number] {
  return (SESSION_SOURCES as readonly string[]).includes(table);
}

/**
 * Distinct session ids of an experiments change up to which its sessions are recomputed one by one
 * (their events read again); a larger change (a whole experiment's assignments: 1.08M at 1M orders)
 * recomputes the table in passes instead, whose memory is bounded (EVENTS_PER_PASS).
 */
export const EXPERIMENT_TOUCH_MAX = 100_000;

/**
 * A relation of clickstream rows (session_id, customer_id, "timestamp") whose sessions a change to
 * `rows` (a relation with the table's columns: rows added or removed) reaches, null when none, or 'all'
 * when every session is to be recomputed. For clickstream, the rows themselves; for orders, the
 * PURCHASE events of the same customer at exactly an order's order_date, read between the orders'
 * earliest and latest dates; for experiments, the assigned session ids without a time (the refresh
 * reads their events between the sessions' own start and end; an id without events has no session),
 * or 'all' past `experimentTouchMax` of them.
 */
export async function touchedSessionsOf(
  db: DuckDbSession,
  layout: DataLayout,
  table: (typeof SESSION_SOURCES)[number],
  rows: string,
  experimentTouchMax = EXPERIMENT_TOUCH_MAX,
): Promise<string | null> {
  // A benchmark's collector without the sessions step does not look for touched sessions either.
  if (sessionsMaintenanceSkipped()) return null;
  if (table === 'clickstream') return `(SELECT session_id, customer_id, "timestamp" FROM ${rows})`;
  if (table === 'experiments') {
    await db.run(`CREATE OR REPLACE TEMP TABLE experiments_touch AS
      SELECT DISTINCT session_id FROM ${rows} WHERE session_id IS NOT NULL`);
    const [n] = await db.all('SELECT count(*) AS n FROM experiments_touch');
    const ids = Number(n?.n ?? 0);
    if (ids === 0) return null;
    if (ids > experimentTouchMax) return 'all';
    return `(SELECT session_id, CAST(NULL AS VARCHAR) AS customer_id, CAST(NULL AS TIMESTAMP) AS "timestamp"
      FROM experiments_touch)`;
  }
  await db.run(`CREATE OR REPLACE TEMP TABLE orders_touch AS
    SELECT DISTINCT customer_id, order_date FROM ${rows} WHERE customer_id IS NOT NULL`);
  const [range] = await db.all(
    'SELECT CAST(min(order_date) AS VARCHAR) AS lo, CAST(max(order_date) AS VARCHAR) AS hi FROM orders_touch',
  );
  if (range?.lo === null || range?.lo === undefined) return null;
  // Only the files of clickstream's partitions overlapping the orders' dates (a partition value is a
  // prefix of its rows' times): the scan otherwise opened every file of the table for each orders batch.
  const lo = String(range.lo);
  const hi = String(range.hi ?? range.lo);
  const clicks = tableSelectSql(layout, TABLES.clickstream, filesMayHoldSpan(layout, 'clickstream', lo, hi));
  // Literal bounds let the scan skip clickstream's row groups outside the orders' dates.
  return `(SELECT c.session_id, c.customer_id, c."timestamp" FROM (${clicks}) c
    SEMI JOIN orders_touch o ON o.customer_id = c.customer_id AND o.order_date = c."timestamp"
    WHERE c.action = 'PURCHASE'
      AND c."timestamp" BETWEEN TIMESTAMP ${sqlString(lo)} AND TIMESTAMP ${sqlString(hi)})`;
}
