import type { DuckDbSession } from '../../duckdb/index.js';
import { batchLogEntries } from '../batches.js';
import { type DataLayout, tableDirectory } from '../layout.js';
import { withTableLock } from '../lock.js';
import { tableSnapshot } from '../manifest.js';
import { refreshSessions, type SessionsRefresh, type SourceLogs } from './refresh.js';

/**
 * What a change to clickstream's (or orders', or experiments') rows reports back: its result, and a
 * relation of clickstream rows (session_id, customer_id, "timestamp") whose sessions it changes (events
 * added or removed; PURCHASE events of orders added or removed; sessions assigned or unassigned), 'all'
 * to recompute every session, or null when it changed none.
 */
export interface ClickstreamChange<T> {
  result: T;
  touched: string | null;
}

let skipped = false;

/**
 * For benchmarks and tests only: this process's changes to clickstream and orders stop maintaining the
 * sessions table (the change runs alone, no lock, no refresh), so that a benchmark can run the collector
 * with and without the sessions step side by side. The table is then out of step and the next change of
 * a process that maintains it recomputes it whole. The compaction process turns it on only when its
 * environment says SHOPLAKE_BENCH_SESSIONS=off (bench/collector-sessions.ts).
 */
export function skipSessionsMaintenance(on = true): void {
  skipped = on;
}

/** Whether skipSessionsMaintenance() is on in this process (touched.ts then finds no touched session). */
export function sessionsMaintenanceSkipped(): boolean {
  return skipped;
}

/** Thrown when clickstream committed but the sessions table could not follow (the next change rebuilds it). */
export class SessionsRefreshFailed extends Error {}

/**
 * Runs `change`, which commits rows to clickstream or orders (or removes them), then recomputes the
 * sessions those rows touch, all under the sessions table's lock: every writer of those rows goes through here,
 * so refreshes apply in clickstream's commit order and each starts from a sessions table that matched
 * clickstream before its change. The sessions batch records clickstream's batch-log length; when it
 * does not match (a writer died between its two commits, a repair, a lake older than the table), the
 * whole table is recomputed instead. Readers never wait: they see the sessions table before or after.
 */
export async function withSessionsMaintained<T>(
  db: DuckDbSession,
  layout: DataLayout,
  change: () => Promise<ClickstreamChange<T>>,
): Promise<{ result: T; refresh: SessionsRefresh | null }> {
  if (skipped) return { result: (await change()).result, refresh: null };
  return withTableLock(tableDirectory(layout, 'sessions'), async (held) => {
    const inStep = sessionsInStep(layout);
    const before = sourceLogs(layout);
    const { result, touched } = await change();
    const logs = sourceLogs(layout);
    // Clickstream never loaded: there are no sessions to derive (orders alone give none).
    if (logs.clickstream === 0 && !hasSessionsBatch(layout)) return { result, refresh: null };
    // A change that touched no session but still lengthened a source's log (a batch of duplicates only,
    // as a retried collector batch is) is recorded by an empty refresh: otherwise the next change found the
    // table out of step and recomputed every session (90-135 s of CPU at 10M orders, 2026-11-26).
    if (inStep && touched === null && sameLogs(before, logs)) return { result, refresh: null };
    try {
      const how = !inStep ? 'all' : (touched ?? NO_SESSIONS);
      const refresh = await refreshSessions(db, layout, held, how, logs, {
        experimentsUnchanged: inStep && before.experiments === logs.experiments,
      });
      return { result, refresh };
    } catch (err) {
      throw new SessionsRefreshFailed(
        `clickstream committed, but the sessions table could not be updated (the next load or 'shoplake build-lake' rebuilds it): ${(err as Error).message}`,
        { cause: err },
      );
    }
  });
}

// A touched relation with no rows: a refresh that recomputes nothing and records the logs.
const NO_SESSIONS =
  '(SELECT CAST(NULL AS VARCHAR) AS session_id, CAST(NULL AS VARCHAR) AS customer_id, CAST(NULL AS TIMESTAMP) AS "timestamp" WHERE false)';

function sameLogs(a: SourceLogs, b: SourceLogs): boolean {
  return a.clickstream === b.clickstream && a.orders === b.orders && a.experiments === b.experiments;
}

/** The committed batch-log lengths of the tables sessions are computed from, as of now. */
function sourceLogs(layout: DataLayout): SourceLogs {
  return {
    clickstream: tableSnapshot(tableDirectory(layout, 'clickstream')).log,
    orders: tableSnapshot(tableDirectory(layout, 'orders')).log,
    experiments: tableSnapshot(tableDirectory(layout, 'experiments')).log,
  };
}

function lastSessionsBatch(layout: DataLayout) {
  return batchLogEntries(tableDirectory(layout, 'sessions'))
    .filter((e) => e.type === 'batch')
    .at(-1);
}

function hasSessionsBatch(layout: DataLayout): boolean {
  return lastSessionsBatch(layout) !== undefined;
}

/**
 * Whether the sessions table reflects clickstream's, orders' and experiments' committed batches. Before
 * clickstream is ever loaded it is (empty) whatever the others hold. A table whose last batch records
 * no experiments log was computed before sessions carried their assignments: out of step.
 */
export function sessionsInStep(layout: DataLayout): boolean {
  const logs = sourceLogs(layout);
  const last = lastSessionsBatch(layout);
  if (last?.type !== 'batch') return logs.clickstream === 0;
  return (
    last.sourceLog === logs.clickstream &&
    (last.ordersLog ?? 0) === logs.orders &&
    last.experimentsLog === logs.experiments
  );
}

/**
 * Brings the sessions table in step with clickstream when it is not (a lake built before the table
 * existed, or a writer that died between its two commits): recomputes every session. Returns null when
 * it was already in step.
 */
export async function ensureSessions(db: DuckDbSession, layout: DataLayout): Promise<SessionsRefresh | null> {
  if (sessionsInStep(layout)) return null;
  const { refresh } = await withSessionsMaintained(db, layout, async () => ({
    result: null,
    touched: null,
  }));
  return refresh;
}
