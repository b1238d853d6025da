import type { DuckDbSession } from '../../duckdb/index.js';
import type { DataLayout, PartitionGrain } from '../layout.js';
import { TABLES } from '../tables.js';
import { writeFiles } from '../writer.js';
import { SESSION_GAP_MINUTES, sessionRowsSql } from './derive.js';
import { unordered } from './unordered.js';

/** The relations a full computation of the sessions table reads (each a parenthesised SELECT). */
export interface SessionSources {
  clicks: string;
  orders: string;
  experiments: string;
}

// Hours at the end of the data whose sessions a full computation writes in hour files.
const TAIL_HOURS = 6;

// Time windows holding the sessions that cross a pass's boundary, read one by one; past this many (long
// sessions spread over the whole span), one scan of every event instead.
const MAX_WINDOWS = 64;

interface Hour {
  /** Start of the hour, as DuckDB writes a TIMESTAMP. */
  at: string;
  events: number;
  tail: boolean;
}

/**
 * Derives every session of clickstream and writes them as new files of the sessions table under
 * `batchId`: day partitions, except the sessions started in the last TAIL_HOURS hours of clickstream,
 * which live traffic goes on to continue, in hour files, one an hour (a refresh then rewrites an hour's
 * rows, not a day's; measured at 1M orders: 0.12 s of CPU for each collector batch that reached the day
 * file, a third of the batch's own load). Each file's rows are sorted by session_id, so that a refresh
 * finds its sessions by the row groups' statistics. `written` gets each file as soon as it exists (the
 * caller discards them if the commit does not happen); returns the rows written.
 *
 * Memory follows `eventsPerPass`: more events than that are derived in passes over ranges of whole
 * hours of clickstream (its files are time partitions, so a pass reads only its range's files and row
 * groups; nothing is copied). A session whose events lie in more than one range (a session_id's events,
 * or, for events without one, a customer's events that are within the 30-minute gap of each other
 * across a boundary) is found by one grouping over the ids and times only, left out of every range's
 * pass, and derived in a pass of its own from just the time windows those sessions cover: so each
 * session is derived once, from all its events, and every row is the one derivation of all events
 * gives. Splitting the events into hash buckets written to scratch files first (the former way) cost
 * a fifth to a quarter of a 10-pass computation's CPU (1M and 10M orders), a full copy of the events.
 */
export async function writeAllSessions(
  db: DuckDbSession,
  layout: DataLayout,
  batchId: string,
  sources: SessionSources,
  eventsPerPass: number,
  written: string[],
): Promise<number> {
  const write = async (grain: PartitionGrain, relation: string) => {
    const out = await writeFiles(db, layout, TABLES.sessions, relation, batchId, grain);
    written.push(...out.files);
    return out.rows;
  };
  const hours = await hoursOf(db, sources.clicks);
  const firstTail = hours.find((h) => h.tail);
  if (hours.length === 0 || firstTail === undefined) return 0;
  const tail = timestamp(firstTail.at);
  const derive = (events: string) =>
    sessionRowsSql(events, sources.orders, sources.experiments, 'sessions_multi');
  let rows = 0;
  try {
    await multiAssigned(db, sources.experiments);
    const total = hours.reduce((n, h) => n + h.events, 0);
    const ranges = rangesOf(hours, eventsPerPass);
    // One pass when everything fits, or when one hour holds it all (a range is never less than an hour).
    if (total <= eventsPerPass || ranges.length === 1) {
      await unordered(db, `CREATE OR REPLACE TEMP TABLE sessions_new AS ${derive(sources.clicks)}`);
      rows += await write('day', `(SELECT * FROM sessions_new WHERE started < ${tail} ORDER BY session_id)`);
      rows += await write(
        'hour',
        `(SELECT * FROM sessions_new WHERE started >= ${tail} ORDER BY session_id)`,
      );
      return rows;
    }
    await findCrossing(db, sources.clicks, ranges);
    // The crossing sessions first: their last hours' rows start the tail table, which each tail range's
    // pass then adds to, so that every hour file is written once, at the end.
    await unordered(db, `CREATE OR REPLACE TEMP TABLE sessions_new AS ${derive('sessions_cross_events')}`);
    rows += await write('day', `(SELECT * FROM sessions_new WHERE started < ${tail} ORDER BY session_id)`);
    await db.run(
      `CREATE OR REPLACE TEMP TABLE sessions_tail AS SELECT * FROM sessions_new WHERE started >= ${tail}`,
    );
    await db.run('DROP TABLE sessions_new');
    await db.run('DROP TABLE sessions_cross_events');
    for (const range of ranges) {
      const within = [
        range.lo === null ? null : `"timestamp" >= ${timestamp(range.lo)}`,
        range.hi === null ? null : `"timestamp" < ${timestamp(range.hi)}`,
      ].filter((c) => c !== null);
      const events = `(SELECT * FROM ${sources.clicks} WHERE ${within.length > 0 ? within.join(' AND ') : 'true'})`;
      // The crossing sessions' rows from this range's part of their events are dropped here, once per
      // session row, rather than their events in each of the derivation's scans.
      const kept = `(SELECT * FROM (${derive(events)}) WHERE NOT ${crossingRow})`;
      // A range before the tail holds no session started in the tail; a tail range none started before it.
      if (range.tail) await unordered(db, `INSERT INTO sessions_tail SELECT * FROM ${kept}`);
      else rows += await write('day', `(SELECT * FROM ${kept} ORDER BY session_id)`);
    }
    rows += await write('hour', '(SELECT * FROM sessions_tail ORDER BY session_id)');
    return rows;
  } finally {
    for (const t of [
      'sessions_new',
      'sessions_tail',
      'sessions_cross_events',
      'sessions_cross_ids',
      'sessions_cross_customers',
      'sessions_multi',
    ])
      await db.run(`DROP TABLE IF EXISTS ${t}`);
  }
}

/**
 * The temp table sessions_multi: the session_ids with two or more rows in experiments, which the
 * derivation groups; every other session joins its one row as it is. With one experiment (or none) in
 * the table there are none, by its key (experiment, session_id), which the write path keeps unique: a
 * count of the experiments' names instead of a grouping over every assignment (11.1M at 10M orders).
 */
async function multiAssigned(db: DuckDbSession, experiments: string): Promise<void> {
  const [r] = await db.all(`SELECT count(DISTINCT experiment) AS n FROM ${experiments}`);
  const several = Number(r?.n ?? 0) > 1;
  await unordered(
    db,
    `CREATE OR REPLACE TEMP TABLE sessions_multi AS SELECT session_id FROM ${experiments}
    ${several ? 'GROUP BY session_id HAVING count(*) > 1' : 'WHERE false'}`,
  );
}

/** Events per hour of clickstream, in time order; the last TAIL_HOURS hours (to its last event's) marked. */
async function hoursOf(db: DuckDbSession, clicks: string): Promise<Hour[]> {
  const rows = await db.all(`SELECT CAST(h AS VARCHAR) AS at, n,
      h >= max(h) OVER () - INTERVAL ${TAIL_HOURS - 1} HOUR AS tail
    FROM (SELECT date_trunc('hour', "timestamp") AS h, count(*) AS n FROM ${clicks} GROUP BY 1) ORDER BY h`);
  return rows.map((r) => ({ at: String(r.at), events: Number(r.n), tail: r.tail === true }));
}

interface Range {
  /** Inclusive lower bound (null: from the first event). */
  lo: string | null;
  /** Exclusive upper bound (null: to the last event). */
  hi: string | null;
  tail: boolean;
}

/**
 * Consecutive hours gathered into ranges of at most `perPass` events (an hour holding more is a range
 * by itself), with a boundary where the tail hours start.
 */
function rangesOf(hours: readonly Hour[], perPass: number): Range[] {
  const starts: { at: string; tail: boolean }[] = [];
  let events = 0;
  let tail = false;
  for (const [i, hour] of hours.entries()) {
    if (i === 0 || hour.tail !== tail || events + hour.events > perPass) {
      starts.push({ at: hour.at, tail: hour.tail });
      events = 0;
      tail = hour.tail;
    }
    events += hour.events;
  }
  return starts.map((s, i) => ({
    lo: i === 0 ? null : s.at,
    hi: starts[i + 1]?.at ?? null,
    tail: s.tail,
  }));
}

/**
 * Finds the sessions whose events lie in more than one of `ranges` and gathers their events into the
 * temp table sessions_cross_events (the ids' hashes in sessions_cross_ids, the customers in
 * sessions_cross_customers). A session_id is taken by its hash: one colliding with a crossing session's is
 * taken along (derived apart from the ranges as well, whole), which is still exact. For events without a
 * session_id, a customer crosses when its last event of one range and its first of the next range that
 * holds any of its events are no more than the gap apart (in whole seconds, as the derivation counts):
 * otherwise each range's sessionizing starts a session there exactly as sessionizing all events does.
 */
async function findCrossing(db: DuckDbSession, clicks: string, ranges: readonly Range[]): Promise<void> {
  const bounds = ranges.flatMap((r) => (r.hi === null ? [] : [r.hi]));
  const rangeOf = (expr: string) =>
    `CASE ${bounds.map((b, i) => `WHEN ${expr} < ${timestamp(b)} THEN ${i}`).join(' ')} ELSE ${bounds.length} END`;
  const sec = (expr: string) => `CAST(epoch(${expr}) AS BIGINT)`;
  // The hash, not the text: a grouping over 64-bit keys is the cheaper one.
  await unordered(
    db,
    `CREATE OR REPLACE TEMP TABLE sessions_cross_ids AS
    SELECT h, lo, hi FROM (SELECT hash(session_id) AS h, min("timestamp") AS lo, max("timestamp") AS hi
      FROM ${clicks} WHERE session_id IS NOT NULL GROUP BY 1)
    WHERE ${rangeOf('lo')} <> ${rangeOf('hi')}`,
  );
  await unordered(
    db,
    `CREATE OR REPLACE TEMP TABLE sessions_cross_customers AS
    SELECT customer_id, min(lo) AS lo, max(hi) AS hi FROM (
      SELECT customer_id, lo, hi,
        ${sec('lo')} - lag(${sec('hi')}) OVER (PARTITION BY customer_id ORDER BY r) <= ${SESSION_GAP_MINUTES * 60} AS joined
      FROM (SELECT customer_id, ${rangeOf('"timestamp"')} AS r, min("timestamp") AS lo, max("timestamp") AS hi
        FROM ${clicks} WHERE session_id IS NULL GROUP BY 1, 2))
    GROUP BY customer_id HAVING bool_or(joined)`,
  );
  const crossing = `((session_id IS NOT NULL AND hash(session_id) IN (SELECT h FROM sessions_cross_ids))
    OR (session_id IS NULL AND customer_id IN (SELECT customer_id FROM sessions_cross_customers)))`;
  // The time windows their events lie in: each crossing session's span, overlapping spans merged.
  const windows = await db.all(`SELECT CAST(min(lo) AS VARCHAR) AS lo, CAST(max(hi) AS VARCHAR) AS hi FROM (
      SELECT lo, hi, sum(CASE WHEN lo <= reach THEN 0 ELSE 1 END) OVER (ORDER BY lo, hi ROWS UNBOUNDED PRECEDING) AS g
      FROM (SELECT lo, hi, max(hi) OVER (ORDER BY lo, hi ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING) AS reach
        FROM (SELECT lo, hi FROM sessions_cross_ids UNION ALL SELECT lo, hi FROM sessions_cross_customers)))
    GROUP BY g ORDER BY 1`);
  const columns = '"timestamp", session_id, customer_id, action, page, device, duration_seconds';
  await db.run(
    `CREATE OR REPLACE TEMP TABLE sessions_cross_events AS SELECT ${columns} FROM ${clicks} WHERE false`,
  );
  const spans =
    windows.length <= MAX_WINDOWS
      ? windows.map((w) => `"timestamp" BETWEEN ${timestamp(String(w.lo))} AND ${timestamp(String(w.hi))}`)
      : ['true'];
  for (const span of spans)
    await unordered(
      db,
      `INSERT INTO sessions_cross_events SELECT ${columns} FROM ${clicks} WHERE ${span} AND ${crossing}`,
    );
}

// Whether a derived session row (the sessions table's columns) is one of the crossing sessions: by the
// session_id's hash, or, for a derived session (its id holds '~', which no lake id does), by its customer.
const crossingRow = `(CASE WHEN contains(session_id, '~')
    THEN customer_id IN (SELECT customer_id FROM sessions_cross_customers)
    ELSE hash(session_id) IN (SELECT h FROM sessions_cross_ids) END)`;

const timestamp = (at: string) => `TIMESTAMP '${at.replaceAll("'", "''")}'`;
