import { randomUUID } from 'node:crypto';
import { rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { type DuckDbSession, sqlString } from '../../duckdb/index.js';
import { type BatchEntry, newBatchId } from '../batches.js';
import { BATCH_COLUMN, type DataLayout, tableDirectory } from '../layout.js';
import type { HeldLock } from '../lock.js';
import { commitTableHeld, tableSnapshot } from '../manifest.js';
import { lakeParquetFormat, lakeParquetSql } from '../parquet-sql.js';
import { tableSelectSql } from '../read-sql.js';
import { TABLES } from '../tables.js';
import { discardFiles, writeFiles } from '../writer.js';
import { SESSION_GAP_MINUTES, sessionRowsSql } from './derive.js';
import { writeAllSessions } from './full.js';
import { unordered } from './unordered.js';

/** Committed batch-log lengths of the tables the sessions table is computed from. */
export interface SourceLogs {
  clickstream: number;
  orders: number;
  experiments: number;
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
 * CPU at 40M events (docs/BENCHMARKS.md, "The sessions table's full computation").
 */
export const EVENTS_PER_PASS = 4_000_000;

// Touched session ids up to which a refresh looks them up as a literal list (a collector batch has ~1,000).
const ID_LIST_MAX = 20_000;

// A margin of a few seconds over the gap: whole-second rounding of event times can put two events just
// over 30 minutes apart in one session. Recomputing a session more than needed is harmless.
const REACH = `INTERVAL ${SESSION_GAP_MINUTES * 60 + 5} SECOND`;

/**
 * Recomputes the sessions that the clickstream rows in `touched` (a relation with session_id,
 * customer_id and "timestamp": rows just added, or just removed) belong to, or every session ('all'),
 * from clickstream as it is now, and commits the result to the sessions table under its lock (`held`).
 * `logs` are clickstream's and orders' committed batch-log lengths the result reflects; a full
 * computation groups at most `eventsPerPass` events at once.
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
  eventsPerPass = EVENTS_PER_PASS,
): Promise<SessionsRefresh> {
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
      const hit = await touchedSessions(db, touched, current, clicks);
      removed = hit.rows;
      for (const file of hit.files) {
        retire.add(file);
        const kept = await rewriteWithout(db, file);
        if (kept) rewritten.push(kept);
      }
      // Only the recomputed sessions' assignments, by the same literal ids: experiments files are sorted
      // by session_id (TABLES.experiments.sortBy), so the scan skips the row groups holding none of them
      // instead of reading every session id of the table (+0.05 s of CPU a collector batch at 1M orders).
      const assigned = `(SELECT * FROM ${experiments} x WHERE ${hit.idFilter('x.session_id')})`;
      await unordered(
        db,
        `CREATE OR REPLACE TEMP TABLE sessions_new AS ${sessionRowsSql('refresh_events', orders, assigned)}`,
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

/**
 * Finds the old session rows the touched events reach (temp table `refresh_hit`) and the clickstream
 * events to sessionize again (temp table `refresh_events`); returns the files holding those rows, and
 * a condition on a session_id column that holds for every non-derived session recomputed.
 */
async function touchedSessions(
  db: DuckDbSession,
  touched: string,
  current: readonly string[],
  clicks: string,
): Promise<{ files: string[]; rows: number; idFilter: (column: string) => string }> {
  const old = lakeParquetSql(current, 'filename = true, hive_partitioning = false');
  await db.run(`CREATE OR REPLACE TEMP TABLE refresh_touch AS
    SELECT session_id, customer_id, "timestamp" AS ts FROM ${touched}`);
  // Literal bounds (the touched ids' range, the derived events' time range) let the scans skip the
  // files and row groups that cannot hold a hit: session files are day partitions sorted by session_id.
  const [b] = await db.all(`SELECT min(session_id) AS id_lo, max(session_id) AS id_hi,
      count(DISTINCT session_id) AS ids,
      CAST(min(ts) FILTER (WHERE session_id IS NULL) AS VARCHAR) AS lo,
      CAST(max(ts) FILTER (WHERE session_id IS NULL) AS VARCHAR) AS hi
    FROM refresh_touch`);
  const literal = (v: unknown) => (v === null || v === undefined ? null : sqlString(String(v)));
  const [idLo, idHi, lo, hi] = [literal(b?.id_lo), literal(b?.id_hi), literal(b?.lo), literal(b?.hi)];
  const ids = Number(b?.ids ?? 0);
  // A collector batch's ids as a literal list: the scan then skips each row group (files are sorted by
  // session_id) whose id range holds none of them, where one BETWEEN over the batch's lowest and
  // highest id (new sessions' ids widen it) read nearly every row group. Past ID_LIST_MAX, the range.
  const idList =
    ids <= ID_LIST_MAX
      ? `IN (${(await db.column('SELECT DISTINCT session_id FROM refresh_touch WHERE session_id IS NOT NULL ORDER BY 1')).map(sqlString).join(', ')})`
      : `BETWEEN ${idLo} AND ${idHi}`;
  // The sessions recomputed by id are exactly the touched ids (derived ones have no assignments).
  const idFilter = (column: string) => (idLo && idHi ? `${column} ${idList}` : 'false');
  const byId =
    idLo && idHi
      ? `SELECT s.session_id, s.customer_id, s.started, s.last_event, s.filename, false AS derived
    FROM ${old} s SEMI JOIN (SELECT DISTINCT session_id FROM refresh_touch WHERE session_id IS NOT NULL) t
      ON t.session_id = s.session_id
    WHERE ${idFilter('s.session_id')}`
      : null;
  const byCustomer =
    lo && hi
      ? `SELECT s.session_id, s.customer_id, s.started, s.last_event, s.filename, true AS derived
    FROM ${old} s JOIN (SELECT customer_id, min(ts) AS lo, max(ts) AS hi FROM refresh_touch
        WHERE session_id IS NULL GROUP BY customer_id) t
      ON t.customer_id = s.customer_id AND s.last_event >= t.lo - ${REACH} AND s.started <= t.hi + ${REACH}
    WHERE contains(s.session_id, '~') AND s.last_event >= TIMESTAMP ${lo} - ${REACH}
      AND s.started <= TIMESTAMP ${hi} + ${REACH}`
      : null;
  const parts = [byId, byCustomer].filter((q) => q !== null);
  await db.run(`CREATE OR REPLACE TEMP TABLE refresh_hit AS
    ${parts.length > 0 ? parts.join('\n    UNION ALL\n    ') : `SELECT NULL::VARCHAR AS session_id, NULL::VARCHAR AS customer_id, NULL::TIMESTAMP AS started, NULL::TIMESTAMP AS last_event, NULL::VARCHAR AS filename, false AS derived WHERE false`}`);
  // The span of events to read again: per session_id, and per customer for events without one.
  await db.run(`CREATE OR REPLACE TEMP TABLE refresh_span AS
    SELECT session_id, NULL::VARCHAR AS customer_id, min(lo) AS lo, max(hi) AS hi FROM (
      SELECT session_id, ts AS lo, ts AS hi FROM refresh_touch WHERE session_id IS NOT NULL
      UNION ALL SELECT session_id, started, last_event FROM refresh_hit WHERE NOT derived) GROUP BY session_id
    UNION ALL
    SELECT NULL, customer_id, min(lo), max(hi) FROM (
      SELECT customer_id, ts AS lo, ts AS hi FROM refresh_touch WHERE session_id IS NULL
      UNION ALL SELECT customer_id, started, last_event FROM refresh_hit WHERE derived) GROUP BY customer_id`);
  const [range] = await db.all(
    `SELECT CAST(min(lo) AS VARCHAR) AS lo, CAST(max(hi) AS VARCHAR) AS hi FROM refresh_span`,
  );
  // Literal bounds let the scan skip row groups (and day partitions' files) outside the changed span.
  const within =
    range?.lo === null || range?.lo === undefined
      ? 'false'
      : `c."timestamp" BETWEEN TIMESTAMP ${sqlString(String(range.lo))} AND TIMESTAMP ${sqlString(String(range.hi))}`;
  // Each branch only when the change has such events: a scan of clickstream fewer for a batch whose
  // events all carry a session_id (or none does).
  const reads = [
    idLo && idHi
      ? `SELECT c.* FROM ${clicks} c JOIN refresh_span r
      ON r.session_id = c.session_id AND c."timestamp" BETWEEN r.lo AND r.hi
    WHERE ${within}`
      : null,
    lo && hi
      ? `SELECT c.* FROM ${clicks} c JOIN refresh_span r
      ON c.session_id IS NULL AND r.customer_id = c.customer_id AND c."timestamp" BETWEEN r.lo AND r.hi
    WHERE ${within}`
      : null,
  ].filter((q) => q !== null);
  await db.run(`CREATE OR REPLACE TEMP TABLE refresh_events AS
    ${reads.length > 0 ? reads.join('\n    UNION ALL\n    ') : `SELECT * FROM ${clicks} WHERE false`}`);
  const files = await db.column('SELECT DISTINCT filename FROM refresh_hit ORDER BY 1');
  const [n] = await db.all('SELECT count(DISTINCT session_id) AS n FROM refresh_hit');
  return { files, rows: Number(n?.n ?? 0), idFilter };
}

// A copy of a session file without the rows being recomputed (null when none is left), kept beside it.
async function rewriteWithout(db: DuckDbSession, file: string): Promise<string | null> {
  const target = join(dirname(file), `${Date.now().toString(36)}-${randomUUID().slice(0, 8)}-kept.parquet`);
  const [copied] = await db.all(
    `COPY (SELECT * FROM ${lakeParquetSql(file)}
       WHERE session_id NOT IN (SELECT session_id FROM refresh_hit))
     TO ${sqlString(target)} ${await lakeParquetFormat(db)}`,
  );
  if (Number(copied?.Count ?? 0) > 0) return target;
  rmSync(target, { force: true });
  return null;
}
