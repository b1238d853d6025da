/**
 * What keeping the sessions table costs, in wall time and in CPU: `node dist/bench/sessions-cost.js
 * --data DIR [--batches N] [--events-per-pass N] [--keep]`, DIR holding raw/clickstream (a generated
 * dataset; the 10M one is read, never written). Loads that clickstream into a fresh lake as build-lake
 * does, then N collector-sized batches (as bench/sessions.ts makes them) onto it; each ingest is split at
 * the moment it starts updating sessions, so "with" and "without" come from the same run. CPU is the
 * whole process's (`process.cpuUsage`, DuckDB's threads included), which a machine shared with other
 * work changes least. `--events-per-pass N` recomputes the whole sessions table after the load in passes
 * of N events (timed apart), so that a 1M-order lake has the file layout of a larger one's build (10
 * passes at 10M orders) before the batches run. DIR's raw/experiments (if any) is loaded first, as
 * build-lake does, unless `--no-experiments` (the refreshes' experiments relation is then empty: the
 * cost without the assignments join). `--lake L` skips the load and runs the batches onto L, an existing
 * lake (a writable copy: it is written, and kept); `--recompute` first recomputes its sessions table
 * (e.g. a copy of a lake from before the `assignments` column); with `--no-experiments` its experiments
 * table is emptied first. The process keeps the index of the sessions table's ids between batches, as the
 * collector's compaction process does (read ahead, timed apart as `idIndexWarm`); `--no-id-index` runs the
 * batches without it, as a one-off process would. The batches run in one DuckDB session, as the compaction
 * process's jobs do (`--session-per-batch`: a session each, as before; `--metadata-cache`: DuckDB's
 * parquet_metadata_cache on in the shared one).
 */
import { existsSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { DuckDbSession } from '../src/duckdb/index.js';
import { type IngestOptions, type IngestReport, ingest, ingestMemoryLimit } from '../src/ingest/index.js';
import {
  commitTable,
  dataLayout,
  keepSessionIdIndex,
  TABLES,
  tableDirectory,
  tableSnapshot,
  warmSessionIdIndex,
} from '../src/lake/index.js';
import { flag } from './lake-option.js';
import { recentSessions, recomputeAllSessions, runStamp } from './sessions-kit.js';

interface Split {
  wall: number;
  wallSessions: number;
  cpu: number;
  cpuSessions: number;
}

const cpuSeconds = () => {
  const c = process.cpuUsage();
  return (c.user + c.system) / 1e6;
};

/** One ingest, its wall and CPU seconds split at the start of its sessions step. */
async function timed(options: IngestOptions): Promise<{ report: IngestReport; split: Split }> {
  let at: { cpu: number; wall: number } | null = null;
  const c0 = cpuSeconds();
  const t0 = performance.now();
  const report = await ingest({
    ...options,
    onProgress: (phase) => {
      if (phase === 'updating sessions' && at === null) at = { cpu: cpuSeconds(), wall: performance.now() };
    },
  });
  const c1 = cpuSeconds();
  const t1 = performance.now();
  const mark: { cpu: number; wall: number } = at ?? { cpu: c1, wall: t1 };
  return {
    report,
    split: {
      wall: (t1 - t0) / 1000,
      wallSessions: (t1 - mark.wall) / 1000,
      cpu: c1 - c0,
      cpuSessions: c1 - mark.cpu,
    },
  };
}

const pct = (part: number, whole: number) => Math.round((part / (whole - part)) * 1000) / 10;

function summary(rows: number, s: Split) {
  return {
    rows,
    wallSeconds: Math.round(s.wall * 10) / 10,
    sessionsWallSeconds: Math.round(s.wallSessions * 10) / 10,
    rowsPerSecondWith: Math.round(rows / s.wall),
    rowsPerSecondWithout: Math.round(rows / (s.wall - s.wallSessions)),
    costPercentWall: pct(s.wallSessions, s.wall),
    cpuSeconds: Math.round(s.cpu * 10) / 10,
    sessionsCpuSeconds: Math.round(s.cpuSessions * 10) / 10,
    costPercentCpu: pct(s.cpuSessions, s.cpu),
  };
}

// Tags this run's event and new session ids: runs onto the same lake (--lake) must not send the previous
// run's events again (they would be duplicates, loaded as nothing, and refresh no session).
const RUN = Date.now().toString(36);

/** NDJSON of one collector-sized batch: half its events continue recent sessions, half start new ones. */
function batchLines(i: number, end: number, recent: { id: string; customer: string }[]): string {
  const lines: string[] = [];
  for (let k = 0; k < 2000; k++) {
    const n = i * 2000 + k;
    const continued = k % 2 === 0 ? recent[n % recent.length] : undefined;
    lines.push(
      JSON.stringify({
        event_id: `cost-${RUN}-${i}-${k}`,
        timestamp: new Date(end + (n + 1) * 1000).toISOString().replace('T', ' ').slice(0, 19),
        session_id: continued ? continued.id : `LIVE${RUN}-${i}-${Math.floor(k / 8)}`,
        customer_id: continued ? continued.customer : `CUST${String(1 + (n % 90000)).padStart(5, '0')}`,
        action: k % 11 === 0 ? 'PURCHASE' : 'VIEW',
        page: k % 11 === 0 ? 'checkout' : 'product',
        product_id: null,
        device: 'mobile',
        duration_seconds: 10,
      }),
    );
  }
  return `${lines.join('\n')}\n`;
}

/** Recomputes every session of the lake in `dir` in passes of `eventsPerPass` events; CPU and wall seconds. */
async function recomputeInPasses(dir: string, eventsPerPass: number) {
  const layout = dataLayout(dir);
  const db = await DuckDbSession.open({ memoryLimit: ingestMemoryLimit() });
  const c0 = cpuSeconds();
  const t0 = performance.now();
  try {
    const report = await recomputeAllSessions(db, layout, eventsPerPass);
    return {
      eventsPerPass,
      sessions: report.written,
      files: tableSnapshot(tableDirectory(layout, 'sessions')).files.length,
      cpuSeconds: Math.round((cpuSeconds() - c0) * 10) / 10,
      wallSeconds: Math.round((performance.now() - t0) / 100) / 10,
    };
  } finally {
    db.close();
  }
}

/** Reads the sessions table's id keys into this process's index, as the compaction process does at start. */
async function warmIndex(dir: string) {
  const db = await DuckDbSession.open({ threads: 1, memoryLimit: '1GB' });
  const c0 = cpuSeconds();
  const t0 = performance.now();
  try {
    const files = await warmSessionIdIndex(db, dataLayout(dir));
    return {
      files,
      cpuSeconds: Math.round((cpuSeconds() - c0) * 100) / 100,
      wallSeconds: Math.round((performance.now() - t0) / 10) / 100,
    };
  } finally {
    db.close();
  }
}

if (process.argv[1] && fileURLToPath(import.meta.url) === resolve(process.argv[1])) {
  const given = flag('lake');
  const data = flag('data') ?? given;
  if (!data)
    throw new Error(
      'usage: sessions-cost (--data DIR | --lake L) [--batches N] [--events-per-pass N] [--no-experiments] [--recompute] [--no-id-index] [--keep]',
    );
  const batches = Number(flag('batches') ?? 20);
  // As the collector's compaction process does (--no-id-index: without, to compare in one script).
  const idIndex = !process.argv.includes('--no-id-index');
  keepSessionIdIndex(idIndex);
  const lake = given ?? join(tmpdir(), `shoplake-bench-sessions-cost-${process.pid}`);
  const keep = given !== undefined || process.argv.includes('--keep');
  const stamped = runStamp();
  if (!given) rmSync(lake, { recursive: true, force: true });
  mkdirSync(join(lake, 'batches'), { recursive: true });
  try {
    // On a given lake (a copy), --no-experiments empties its experiments table: the cost without the join.
    // (Each commit lengthens the table's log, so the sessions table is then recomputed whole, once, by
    // the first batch: run once more for the figures.)
    const experimentsDir = tableDirectory(dataLayout(lake), 'experiments');
    if (given && process.argv.includes('--no-experiments') && tableSnapshot(experimentsDir).files.length > 0)
      await commitTable(experimentsDir, () => ({ files: [] }));
    const experiments = join(data, 'raw', 'experiments');
    const withExperiments = !given && !process.argv.includes('--no-experiments') && existsSync(experiments);
    if (withExperiments)
      await ingest({ dataDir: lake, table: TABLES.experiments, input: experiments, kind: 'build-lake' });
    const build = given
      ? null
      : await timed({
          dataDir: lake,
          table: TABLES.clickstream,
          input: join(data, 'raw', 'clickstream'),
          kind: 'build-lake',
        });
    const perPass = flag('events-per-pass') ?? (process.argv.includes('--recompute') ? '4000000' : undefined);
    const passes = perPass ? await recomputeInPasses(lake, Number(perPass)) : null;
    const recent = await recentSessions(lake);
    // The compaction process reads the table's ids while it waits for its first job: timed apart.
    const warm = idIndex ? await warmIndex(lake) : null;
    const total: Split = { wall: 0, wallSessions: 0, cpu: 0, cpuSessions: 0 };
    let rows = 0;
    // Each batch's sessions-step and whole CPU (ms): the first batch of a process with the id index reads
    // every file's ids, the later ones only the files the previous refreshes wrote.
    const perBatch: [number, number][] = [];
    // As the compaction process does: one DuckDB session for every batch (--session-per-batch: one each,
    // as before); --metadata-cache turns DuckDB's Parquet metadata cache on in it.
    const sharedSession = process.argv.includes('--session-per-batch')
      ? null
      : await DuckDbSession.open({ threads: 1, memoryLimit: '1GB' });
    if (sharedSession && process.argv.includes('--metadata-cache'))
      await sharedSession.run('SET parquet_metadata_cache = true');
    for (let i = 0; i < batches; i++) {
      const file = join(lake, 'batches', `b${i}.ndjson`);
      writeFileSync(file, batchLines(i, Date.parse(`${recent.end.replace(' ', 'T')}Z`), recent.sessions));
      const { report, split } = await timed({
        dataDir: lake,
        table: TABLES.clickstream,
        input: file,
        threads: 1,
        dedupScope: 'partitions',
        kind: 'collector',
        ...(sharedSession ? { session: sharedSession } : {}),
      });
      rows += report.loaded;
      for (const k of ['wall', 'wallSessions', 'cpu', 'cpuSessions'] as const) total[k] += split[k];
      perBatch.push([Math.round(split.cpuSessions * 1000), Math.round(split.cpu * 1000)]);
    }
    sharedSession?.close();
    console.log(
      JSON.stringify(
        {
          ...stamped.stamp(),
          lake: given ?? 'fresh',
          idIndex,
          sharedSession: sharedSession !== null,
          metadataCache: sharedSession !== null && process.argv.includes('--metadata-cache'),
          experiments: given ? !process.argv.includes('--no-experiments') : withExperiments,
          ...(build
            ? {
                sessions: build.report.sessions?.written,
                buildLake: summary(build.report.loaded, build.split),
              }
            : {}),
          ...(passes ? { recomputedInPasses: passes } : {}),
          ...(warm ? { idIndexWarm: warm } : {}),
          collector: summary(rows, total),
          collectorAfterFirst:
            perBatch.length > 1
              ? {
                  sessionsCpuMs: perBatch.slice(1).reduce((a, [x]) => a + x, 0),
                  cpuMs: perBatch.slice(1).reduce((a, [, y]) => a + y, 0),
                  costPercentCpu: pct(
                    perBatch.slice(1).reduce((a, [x]) => a + x, 0),
                    perBatch.slice(1).reduce((a, [, y]) => a + y, 0),
                  ),
                }
              : null,
          perBatchCpuMs: perBatch.map(([x, y]) => `${x}/${y}`).join(' '),
          peakRssMb: Math.round(process.resourceUsage().maxRSS / 1024),
        },
        null,
        2,
      ),
    );
  } finally {
    if (!keep) rmSync(lake, { recursive: true, force: true });
    else if (given) rmSync(join(lake, 'batches'), { recursive: true, force: true });
  }
}
