import type { DuckDbSession } from '../../duckdb/index.js';
import { type BatchEntry, newBatchId } from '../batches.js';
import { BATCH_COLUMN, type DataLayout, tableDirectory } from '../layout.js';
import type { HeldLock } from '../lock.js';
import { commitTableHeld, tableSnapshot } from '../manifest.js';
import { lakeParquetSql } from '../parquet-sql.js';
import { filesMayHoldSpan, tableSelectSql } from '../read-sql.js';
import { TABLES } from '../tables.js';
import { discardFiles, writeFiles } from '../writer.js';
import { ASSIGNMENT_SEPARATOR, sessionRowsSql, VARIANT_SEPARATOR } from './derive.js';
import { writeAllSessions } from './full.js';
import { newIdsAssignedSql, noteRewrites, rewriteWithout, touchedSessions } from './incremental.js';
import { unordered } from './unordered.js';

/** Committed batch-log lengths of the tables the sessions table is computed from. */
export interface SourceLogs {
  clickstream: number;
  orders: number;
  experiments: number;
}

/** How a refresh runs; both default to the general case. */
export interface RefreshOptions {
  /** Events one pass of a full computation groups at most (default EVENTS_PER_PASS). */
  eventsPerPass?: number;
  /**
   * The table was in step before this change and experiments did not change since: a known session's
   * old assignments still hold, so only ids new to the table are looked up in experiments.
   */
  experimentsUnchanged?: boolean;
}

/** What one refresh of the sessions table did. */
export interface SessionsRefresh {
  /** 'all' when every session was recomputed (first build, or a table found out of step). */
  mode: 'all' | 'touched';
  /** Session rows taken out (recomputed or gone). */
  removed: number;
  /** Session rows written. */
  written: number;
  seconds: number;
}

/**
 * Events one pass of a full computation groups at most (more are derived in passes over ranges of hours,
 * src/lake/sessions/full.ts):
 * at 4M events a pass peaked at about 1 GB of RSS under the ingest's 3 GB DuckDB limit (2026-11-26);
 * recomputing 11.1M sessions from 40M events in ten such passes peaked at 1.58 GB for the whole process
 * after the funnel lost its lists (same day).
 * 8M a pass ran out of that limit inside a 40M-event build-lake (10 passes of 4M: 11.1M sessions in
 * 50 s, the same run).
 * Passes over ranges of hours (no copy of the events) with the assignments column: 2.2–2.3 GB, 64 s of
 * CPU at 40M events (docs/BENCHMARKS.md, "The sessions table's full computation"); 52–59 s after the
 * derivation's cheaper paths and assignments ("The sessions step's cost in build-lake").
 */
export const EVENTS_PER_PASS = 4_000_000;

/**
 * Recomputes the sessions that the clickstream rows in `touched` (a relation with session_id,
 * customer_id and "timestamp": rows just added, or just removed) belong to, or every session ('all'),
 * from clickstream as it is now, and commits the result to the sessions table under its lock (`held`).
 * `logs` are clickstream's and orders' committed batch-log lengths the result reflects; `options` say
 * how many events a full computation groups at once and whether old assignments still hold.
 *
 * Which sessions a change reaches: a session_id's session (its old row spans every old event, so the
 * events to read lie between its old start and end and the touched times); for events without a
 * session_id, the customer's derived sessions within the 30-minute gap of the touched times, and the
 * span they cover: outside it the nearest event is more than the gap away, so sessionizing the events
 * inside it alone gives the same sessions as sessionizing all of them.
 */
export async function refreshSessions(
  db: DuckDbSession,
  layout: DataLayout,
  held: HeldLock,
  touched: string | 'all',
  logs: SourceLogs,
  options: RefreshOptions = {},
): Promise<SessionsRefresh> {
  const { eventsPerPass = EVENTS_PER_PASS, experimentsUnchanged = false } = options;
  const started = performance.now();
  const spec = TABLES.sessions;
  const dir = tableDirectory(layout, 'sessions');
  const clickFiles = tableSnapshot(tableDirectory(layout, 'clickstream')).files;
  const clicks = `(${tableSelectSql(layout, TABLES.clickstream, clickFiles)})`;
  const orders = `(${tableSelectSql(layout, TABLES.orders)})`;
  const experiments = `(${tableSelectSql(layout, TABLES.experiments)})`;
  const current = tableSnapshot(dir).files;
  const batchId = newBatchId();
  const written: string[] = [];
  const rewritten: string[] = [];
  const retire = new Set<string>();
  // With the id index kept (incremental.ts): each rewritten file and its kept copy, and the keys taken out.
  const rewrites: [string, string][] = [];
  let takenOut: Map<string, number[]> | null = null;
  let removed = 0;
  let loaded = 0;
  let mode: SessionsRefresh['mode'] = 'touched';
  try {
    if (touched === 'all' || current.length === 0) {
      mode = 'all';
      for (const f of current) retire.add(f);
      removed = await countRows(db, current);
      loaded = await writeAllSessions(
        db,
        layout,
        batchId,
        { clicks, orders, experiments },
        eventsPerPass,
        written,
      );
    } else {
      const hit = await touchedSessions(
        db,
        dir,
        touched,
        current,
        clicks,
        clickFiles,
        (files) => `(${tableSelectSql(layout, TABLES.clickstream, files)})`,
      );
      removed = hit.rows;
      takenOut = hit.takenOut;
      for (const file of hit.files) {
        retire.add(file);
        const kept = await rewriteWithout(db, file);
        if (kept) {
          rewritten.push(kept);
          rewrites.push([file, kept]);
        }
      }
      // Only the recomputed sessions' assignments, by the same literal ids: experiments files are sorted
      // by session_id (TABLES.experiments.sortBy), so the scan skips the row groups holding none of them
      // instead of reading every session id of the table (+0.05 s of CPU a collector batch at 1M orders).
      // With the index, when experiments did not change since the table was last refreshed: a known
      // session's assignments are its old row's (every row reflects experiments as they are), so only the
      // ids new to the table are looked up. At 10M orders the lookup of a batch's ~1,000 ids was ~45 ms of
      // CPU, half of the derivation's statement (2026-11-26). And of those only the ones whose key an
      // experiments file holds (newIdsAssignedSql): nearly none of a live batch's new sessions.
      const fresh =
        hit.newIds && experimentsUnchanged
          ? await newIdsAssignedSql(db, layout, hit.newIds, hit.newKeys)
          : null;
      const assigned =
        hit.newIds && experimentsUnchanged
          ? `(SELECT DISTINCT session_id, split_part(a, '${VARIANT_SEPARATOR}', 1) AS experiment,
                split_part(a, '${VARIANT_SEPARATOR}', 2) AS variant
              FROM (SELECT session_id, unnest(string_split(assignments, '${ASSIGNMENT_SEPARATOR}')) AS a
                FROM refresh_hit WHERE NOT derived AND assignments <> '')${
                  fresh
                    ? `
              UNION ALL ${fresh}`
                    : ''
                })`
          : `(SELECT * FROM ${experiments} x WHERE ${hit.idFilter('x.session_id')})`;
      // Only the orders in the span the events were read from: an order links to a session through a
      // PURCHASE event at exactly its order_date, so no other can. Only the files of the partitions
      // overlapping the span are bound (a partition value is a prefix of its rows' times; 1 of 30 day
      // files at 10M orders), and the literal bounds skip their row groups outside it.
      const span = hit.span;
      const orderFiles = span ? filesMayHoldSpan(layout, 'orders', span.lo, span.hi) : [];
      const ordersNear =
        orderFiles.length > 0 ? `(${tableSelectSql(layout, TABLES.orders, orderFiles)})` : orders;
      const near = `(SELECT * FROM ${ordersNear} o WHERE ${hit.spanFilter('o.order_date')})`;
      await unordered(
        db,
        `CREATE OR REPLACE TEMP TABLE sessions_new AS ${sessionRowsSql('refresh_events', near, assigned)}`,
      );
      const out = await writeSorted(db, layout, batchId, 'hour');
      written.push(...out.files);
      loaded = out.rows;
    }
    await commitTableHeld(dir, held, (now) => {
      const entry: BatchEntry = {
        type: 'batch',
        id: batchId,
        table: 'sessions',
        kind: 'derived',
        source: tableDirectory(layout, 'clickstream'),
        mapping: null,
        at: new Date().toISOString(),
        read: removed,
        loaded,
        duplicate: 0,
        quarantined: 0,
        files: written.map((f) => f.slice(dir.length + 1)),
        replaces: [],
        quarantineFile: null,
        duplicatesFile: null,
        sourceLog: logs.clickstream,
        ordersLog: logs.orders,
        experimentsLog: logs.experiments,
      };
      const files = [...now.files.filter((f) => !retire.has(f)), ...written, ...rewritten];
      return { files, logEntry: entry, addedColumns: [...spec.columns.map((c) => c.name), BATCH_COLUMN] };
    });
    noteRewrites(rewrites, takenOut);
    const report = { mode, removed, written: loaded, seconds: (performance.now() - started) / 1000 };
    written.length = 0;
    rewritten.length = 0;
    return report;
  } finally {
    discardFiles([...written, ...rewritten]);
    await db.run('DROP TABLE IF EXISTS sessions_new');
    await db.run('DROP TABLE IF EXISTS sessions_tail');
    await db.run('DROP TABLE IF EXISTS refresh_events');
  }
}

/**
 * Writes sessions_new sorted by session_id, so that a refresh finds its sessions' rows by the row groups'
 * statistics. A full computation writes day partitions (few files: analyses read every one); a refresh
 * writes hour partitions, so that the next refreshes, which live traffic points at the last hours,
 * rewrite small files (measured: 170 hour files made the analyses 2-4x slower than 7 day files at 1M
 * orders).
 */
function writeSorted(
  db: DuckDbSession,
  layout: DataLayout,
  batchId: string,
  grain: 'day' | 'hour',
  where = 'true',
  from = 'sessions_new',
) {
  return writeFiles(
    db,
    layout,
    TABLES.sessions,
    `(SELECT * FROM ${from} WHERE ${where} ORDER BY session_id)`,
    batchId,
    grain,
  );
}

async function countRows(db: DuckDbSession, files: readonly string[]): Promise<number> {
  if (files.length === 0) return 0;
  const [r] = await db.all(`SELECT count(*) AS n FROM ${lakeParquetSql(files, '')}`);
  return Number(r?.n ?? 0);
}
