/** What the sessions benchmarks share: a full recomputation of the table, and the lake's latest sessions. */
import { cpus, loadavg } from 'node:os';
import type { DuckDbSession } from '../src/duckdb/index.js';
import { openEngine } from '../src/engines/index.js';
import {
  type DataLayout,
  refreshSessions,
  type SessionsRefresh,
  tableDirectory,
  tableSnapshot,
  withTableLock,
} from '../src/lake/index.js';

/** Recomputes every session of the lake under the sessions table's lock, in passes of `eventsPerPass` events. */
export function recomputeAllSessions(
  db: DuckDbSession,
  layout: DataLayout,
  eventsPerPass: number,
): Promise<SessionsRefresh> {
  const logs = {
    clickstream: tableSnapshot(tableDirectory(layout, 'clickstream')).log,
    orders: tableSnapshot(tableDirectory(layout, 'orders')).log,
    experiments: tableSnapshot(tableDirectory(layout, 'experiments')).log,
  };
  return withTableLock(tableDirectory(layout, 'sessions'), (held) =>
    refreshSessions(db, layout, held, 'all', logs, { eventsPerPass }),
  );
}

/** The 5,000 most recently started sessions of the lake in `dir`, and its last event time (DuckDB's text). */
export async function recentSessions(dir: string) {
  const engine = await openEngine({ dataDir: dir });
  try {
    const rows = await engine.query(
      'SELECT session_id, customer_id FROM sessions ORDER BY started DESC, session_id LIMIT 5000',
    );
    const [last] = await engine.query('SELECT CAST(max("timestamp") AS VARCHAR) AS t FROM clickstream');
    return {
      sessions: rows.map((r) => ({ id: String(r.session_id), customer: String(r.customer_id) })),
      end: String(last?.t),
    };
  } finally {
    await engine.close();
  }
}

/** The load average now, as the benchmarks print it. */
export function loadNow(): string {
  return loadavg()
    .map((x) => x.toFixed(1))
    .join(' ');
}

/** When and where a benchmark run started; `stamp()` adds the load at its end, for its JSON report. */
export function runStamp() {
  const started = new Date().toISOString();
  const loadAtStart = loadNow();
  const machine = `${cpus().length} × ${cpus()[0]?.model ?? 'cpu'}`;
  return { stamp: () => ({ started, machine, loadAtStart, loadAtEnd: loadNow() }) };
}
