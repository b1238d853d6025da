import { randomUUID } from 'node:crypto';
import { rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { type DuckDbSession, idSetSql, sqlString } from '../../duckdb/index.js';
import { type DataLayout, partitionMayHold, tableDirectory } from '../layout.js';
import { tableSnapshot } from '../manifest.js';
import { lakeParquetFormat, lakeParquetSql } from '../parquet-sql.js';
import { tableSelectSql } from '../read-sql.js';
import { TABLES } from '../tables.js';
import { SESSION_GAP_MINUTES } from './derive.js';
import { idKeySql, noteKeptFile, sessionIdIndex } from './id-index.js';

// Touched session ids up to which a refresh looks them up as a literal list (a collector batch has ~1,000).
const ID_LIST_MAX = 20_000;

// A margin of a few seconds over the gap: whole-second rounding of event times can put two events just
// over 30 minutes apart in one session. Recomputing a session more than needed is harmless.
const REACH = `INTERVAL ${SESSION_GAP_MINUTES * 60 + 5} SECOND`;

let indexKept = false;

/**
 * Makes this process keep an index of the sessions table's session ids (id-index.ts) across refreshes,
 * for a process that refreshes sessions batch after batch (the collector's compaction process): a
 * refresh then looks a touched id up only in the files that hold it, and not at all when it is new to
 * the table. Off by default: a one-off process (a CLI ingest) would read every file's ids for one refresh.
 */
export function keepSessionIdIndex(on = true): void {
  indexKept = on;
}

/**
 * Reads the sessions table's id keys into this process's index ahead of the first refresh (the
 * compaction process does it when it starts, while it waits for work): at 10M orders 11.1M keys.
 * Without the table's lock: files are immutable, and the next refresh reads any file committed since.
 */
export async function warmSessionIdIndex(db: DuckDbSession, layout: DataLayout): Promise<number> {
  let loaded = 0;
  for (const table of ['sessions', 'experiments'] as const) {
    const dir = tableDirectory(layout, table);
    loaded += (await sessionIdIndex(db, dir, tableSnapshot(dir).files)).loaded;
  }
  return loaded;
}

/**
 * A SELECT of the experiments rows (session_id, experiment, variant) of `newIds` (touched ids new to the
 * sessions table, whose keys are `newKeys`, same order), or null when none can have any.
 * With the index kept, the experiments table's id keys are indexed like the sessions table's: only the
 * ids some experiments file holds the key of are looked up, in those files only. A saturated collector
 * batch has ~5,000 new ids and nearly none assigned; their literal list cost ~60 ms of a ~115 ms
 * derivation (bench/sessions-twin.ts, 2026-11-26). Without the keys (a shared key made the refresh
 * list the new ids again) or the index, every new id is looked up in the whole table, as before.
 */
export async function newIdsAssignedSql(
  db: DuckDbSession,
  layout: DataLayout,
  newIds: readonly string[],
  newKeys: readonly number[] | null,
): Promise<string | null> {
  if (newIds.length === 0) return null;
  const select = (ids: readonly string[], files?: readonly string[]) =>
    `SELECT session_id, experiment, variant FROM (${tableSelectSql(layout, TABLES.experiments, files)}) x
      WHERE x.session_id IN ${idSetSql(ids)}`;
  if (!indexKept || newKeys === null || newKeys.length !== newIds.length) return select(newIds);
  const dir = tableDirectory(layout, 'experiments');
  const index = await sessionIdIndex(db, dir, tableSnapshot(dir).files);
  const { held, files } = index.filesOfKeys(newKeys);
  const ids = newIds.filter((_, i) => held[i]);
  lastNewIdsLookedUp = ids.length;
  return ids.length === 0 ? null : select(ids, [...files]);
}

let lastNewIdsLookedUp = -1;

/**
 * Tests: how many new ids the last refresh with the index looked up in experiments (the others' keys no
 * experiments file holds), -1 before any; reset to -1 by each call.
 */
export function takeNewIdsLookedUp(): number {
  const n = lastNewIdsLookedUp;
  lastNewIdsLookedUp = -1;
  return n;
}

/**
 * Finds the old session rows the touched events reach (temp table `refresh_hit`) and the clickstream
 * events to sessionize again (temp table `refresh_events`); returns the files holding those rows, a
 * condition on a session_id column that holds for every non-derived session recomputed, and one on a
 * timestamp column that holds for every event read again (the span they were read from).
 */
export async function touchedSessions(
  db: DuckDbSession,
  dir: string,
  touched: string,
  current: readonly string[],
  clicks: string,
  clickFiles: readonly string[],
  clicksOf: (files: readonly string[]) => string,
): Promise<{
  files: string[];
  rows: number;
  idFilter: (column: string) => string;
  spanFilter: (column: string) => string;
  /** With the index kept: per file, the keys of the ids taken out of it; null otherwise. */
  takenOut: Map<string, number[]> | null;
  /** With the index kept: the touched session_ids not in the table; null otherwise. */
  newIds: string[] | null;
  /** The id keys of newIds (same order) when known, null otherwise. */
  newKeys: number[] | null;
  /** The span the events were read from (timestamps as text), null when none was. */
  span: { lo: string; hi: string } | null;
}> {
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
  const listed = idLo && idHi && ids <= ID_LIST_MAX;
  const touchedIds = listed
    ? await db.all(`SELECT DISTINCT session_id AS id, ${idKeySql('session_id')} AS k
        FROM refresh_touch WHERE session_id IS NOT NULL ORDER BY 1`)
    : [];
  const idList = listed
    ? `IN (${touchedIds.map((r) => sqlString(String(r.id))).join(', ')})`
    : `BETWEEN ${idLo} AND ${idHi}`;
  // The sessions recomputed by id are exactly the touched ids (derived ones have no assignments).
  const idFilter = (column: string) => (idLo && idHi ? `${column} ${idList}` : 'false');
  let byId: string | null = null;
  // With the index: the touched ids new to the table (as SQL literals), whose rows the lookup did not read.
  let newIds: string[] | null = null;
  let newKeys: number[] | null = null;
  if (listed && indexKept) {
    // The index names the files that may hold each id: an id new to the table is not looked up at all,
    // a known one only in its file (at 10M orders the list read row groups of all 70 day files: 137 ms
    // of a batch's refresh). The ids themselves still decide which rows match.
    const index = await sessionIdIndex(db, dir, current);
    const { held, files } = index.filesOfKeys(touchedIds.map((r) => Number(r.k)));
    const known = touchedIds.filter((_, i) => held[i]).map((r) => String(r.id));
    // The ids no file's keys hold: new to the table (those held but not found are added below).
    newIds = touchedIds.filter((_, i) => !held[i]).map((r) => String(r.id));
    newKeys = touchedIds.filter((_, i) => !held[i]).map((r) => Number(r.k));
    if (known.length > 0)
      byId = `SELECT s.session_id, s.customer_id, s.started, s.last_event, s.filename, s.assignments, false AS derived
    FROM ${lakeParquetSql([...files], 'filename = true, hive_partitioning = false')} s
    WHERE s.session_id IN ${idSetSql(known)}`;
  } else if (idLo && idHi)
    byId = `SELECT s.session_id, s.customer_id, s.started, s.last_event, s.filename, s.assignments, false AS derived
    FROM ${old} s SEMI JOIN (SELECT DISTINCT session_id FROM refresh_touch WHERE session_id IS NOT NULL) t
      ON t.session_id = s.session_id
    WHERE ${idFilter('s.session_id')}`;
  const byCustomer =
    lo && hi
      ? `SELECT s.session_id, s.customer_id, s.started, s.last_event, s.filename, s.assignments, true AS derived
    FROM ${old} s JOIN (SELECT customer_id, min(ts) AS lo, max(ts) AS hi FROM refresh_touch
        WHERE session_id IS NULL GROUP BY customer_id) t
      ON t.customer_id = s.customer_id AND s.last_event >= t.lo - ${REACH} AND s.started <= t.hi + ${REACH}
    WHERE contains(s.session_id, '~') AND s.last_event >= TIMESTAMP ${lo} - ${REACH}
      AND s.started <= TIMESTAMP ${hi} + ${REACH}`
      : null;
  const parts = [byId, byCustomer].filter((q) => q !== null);
  await db.run(`CREATE OR REPLACE TEMP TABLE refresh_hit AS
    ${parts.length > 0 ? parts.join('\n    UNION ALL\n    ') : `SELECT NULL::VARCHAR AS session_id, NULL::VARCHAR AS customer_id, NULL::TIMESTAMP AS started, NULL::TIMESTAMP AS last_event, NULL::VARCHAR AS filename, NULL::VARCHAR AS assignments, false AS derived WHERE false`}`);
  // The touched ids whose row the lookup did not find: new to the table (one the index named a file for
  // whose row is not there, two ids sharing a key, is new too).
  // When the lookup found a row for every id the index named a file for (all but a rare shared key), the
  // new ids are those no file's keys hold, already at hand: fetching them from DuckDB was ~15 ms of a
  // 40,000-event batch (7,000 ids as strings, 2026-11-26).
  if (newIds) {
    const [found] = await db.all('SELECT count(DISTINCT session_id) AS n FROM refresh_hit WHERE NOT derived');
    if (Number(found?.n ?? 0) !== touchedIds.length - newIds.length) {
      newKeys = null;
      newIds = await db.column(`SELECT DISTINCT t.session_id FROM refresh_touch t
          ANTI JOIN (SELECT session_id FROM refresh_hit WHERE NOT derived) h ON h.session_id = t.session_id
          WHERE t.session_id IS NOT NULL`);
    }
  }
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
  const spanFilter = (column: string) =>
    range?.lo === null || range?.lo === undefined
      ? 'false'
      : `${column} BETWEEN TIMESTAMP ${sqlString(String(range.lo))} AND TIMESTAMP ${sqlString(String(range.hi))}`;
  const within = spanFilter('c."timestamp"');
  // Only clickstream's files whose partition (a prefix of its events' times) overlaps that span: the scan
  // otherwise opened every file of the table (at 1M orders ~5 ms of a batch's ~25 ms read).
  const from = range?.lo === null || range?.lo === undefined ? null : String(range.lo);
  const to = range?.hi === null || range?.hi === undefined ? null : String(range.hi);
  const span = from && to ? { lo: from, hi: to } : null;
  const near = span ? clickFiles.filter((f) => partitionMayHold(f, span.lo, span.hi)) : [];
  const nearClicks = near.length > 0 ? clicksOf(near) : clicks;
  // Each branch only when the change has such events: a scan of clickstream fewer for a batch whose
  // events all carry a session_id (or none does).
  const reads = [
    idLo && idHi
      ? `SELECT c.* FROM ${nearClicks} c JOIN refresh_span r
      ON r.session_id = c.session_id AND c."timestamp" BETWEEN r.lo AND r.hi
    WHERE ${within}`
      : null,
    lo && hi
      ? `SELECT c.* FROM ${nearClicks} c JOIN refresh_span r
      ON c.session_id IS NULL AND r.customer_id = c.customer_id AND c."timestamp" BETWEEN r.lo AND r.hi
    WHERE ${within}`
      : null,
  ].filter((q) => q !== null);
  await db.run(`CREATE OR REPLACE TEMP TABLE refresh_events AS
    ${reads.length > 0 ? reads.join('\n    UNION ALL\n    ') : `SELECT * FROM ${clicks} WHERE false`}`);
  if (!indexKept) {
    const files = await db.column('SELECT DISTINCT filename FROM refresh_hit ORDER BY 1');
    const [n] = await db.all('SELECT count(DISTINCT session_id) AS n FROM refresh_hit');
    return { files, rows: Number(n?.n ?? 0), idFilter, spanFilter, takenOut: null, newIds, newKeys, span };
  }
  // With the index: the files, and the keys of the ids taken out of each (one per distinct id), with which
  // the index follows the refresh's rewrites (noteRewrites), in one statement.
  const perFile = await db.all(`SELECT filename, list(${idKeySql('session_id')}) AS keys,
      (SELECT count(DISTINCT session_id) FROM refresh_hit) AS n
    FROM (SELECT DISTINCT filename, session_id FROM refresh_hit) GROUP BY filename ORDER BY filename`);
  const takenOut = new Map<string, number[]>();
  for (const r of perFile)
    takenOut.set(String(r.filename), Array.isArray(r.keys) ? r.keys.map((k) => Number(k)) : []);
  return {
    files: [...takenOut.keys()],
    rows: Number(perFile[0]?.n ?? 0),
    idFilter,
    spanFilter,
    takenOut,
    newIds,
    newKeys,
    span,
  };
}

/** After a refresh committed: carries the index over its rewrites (each kept copy's keys, see noteKeptFile). */
export function noteRewrites(
  rewrites: readonly [from: string, kept: string][],
  removed: Map<string, number[]> | null,
) {
  if (!removed) return;
  for (const [from, kept] of rewrites) noteKeptFile(kept, from, removed.get(from) ?? []);
}

// A copy of a session file without the rows being recomputed (null when none is left), kept beside it.
export async function rewriteWithout(db: DuckDbSession, file: string): Promise<string | null> {
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
