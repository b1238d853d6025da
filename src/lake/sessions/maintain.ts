import type { DuckDbSession } from '../../duckdb/index.js';
import { batchLogEntries } from '../batches.js';
import { type DataLayout, tableDirectory } from '../layout.js';
import { withTableLock } from '../lock.js';
import { tableSnapshot } from '../manifest.js';
import { refreshSessions, type SessionsRefresh } from './refresh.js';

/**
 * What a change to clickstream's rows reports back: its result, and a relation (session_id,
 * customer_id, "timestamp") of the rows it added or removed, or null when it changed no row.
 */
export interface ClickstreamChange<T> {
  result: T;
  touched: string | null;
}

/** Thrown when clickstream committed but the sessions table could not follow (the next change rebuilds it). */
export class SessionsRefreshFailed extends Error {}

/**
 * Runs `change`, which commits rows to clickstream (or removes them), then recomputes the sessions those
 * rows touch, all under the sessions table's lock: every writer of clickstream rows goes through here,
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
  return withTableLock(tableDirectory(layout, 'sessions'), async (held) => {
    const inStep = sessionsInStep(layout);
    const { result, touched } = await change();
    const log = tableSnapshot(tableDirectory(layout, 'clickstream')).log;
    if (inStep && touched === null) return { result, refresh: null };
    try {
      const refresh = await refreshSessions(db, layout, held, inStep && touched ? touched : 'all', log);
      return { result, refresh };
    } catch (err) {
      throw new SessionsRefreshFailed(
        `clickstream committed, but the sessions table could not be updated (the next load or 'shoplake build-lake' rebuilds it): ${(err as Error).message}`,
        { cause: err },
      );
    }
  });
}

/** Whether the sessions table reflects clickstream's committed batches (both empty counts as in step). */
export function sessionsInStep(layout: DataLayout): boolean {
  const clickLog = tableSnapshot(tableDirectory(layout, 'clickstream')).log;
  const last = batchLogEntries(tableDirectory(layout, 'sessions'))
    .filter((e) => e.type === 'batch')
    .at(-1);
  return (last?.type === 'batch' ? (last.sourceLog ?? -1) : 0) === clickLog;
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
