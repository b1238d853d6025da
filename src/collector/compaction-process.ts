/**
 * The compaction process: runs `ingest()` for sealed WAL segments on behalf of the collector, at the
 * lowest CPU priority (nice 19), so that DuckDB never takes a core from the collector's event loop
 * while requests wait. Started by `CompactionWorker` with an IPC channel; one job at a time.
 */
import { appendFileSync, closeSync, openSync, readFileSync, readSync, rmSync, writeFileSync } from 'node:fs';
import { setPriority } from 'node:os';
import { basename, join } from 'node:path';
import { DuckDbSession } from '../duckdb/index.js';
import { ingest } from '../ingest/index.js';
import {
  compactTable,
  dataLayout,
  filesByPartition,
  isSealed,
  keepSessionIdIndex,
  openSealedText,
  processStagingEntry,
  scratchDirectory,
  skipSessionsMaintenance,
  TABLES,
  type TableSpec,
  tableBytes,
  tableFiles,
  warmSessionIdIndex,
} from '../lake/index.js';
import type { CompactionJob, CompactionReply } from './compaction-worker.js';

try {
  // Threads created from here on (libuv's pool, DuckDB's) inherit the priority.
  setPriority(19);
} catch {
  // Not permitted here: compaction still works, only without yielding the CPU.
}

// This process refreshes the sessions table after every clickstream segment: it keeps the index of the
// table's session ids between them (read once, then only the files each refresh writes), read here
// while the process waits for its first job (at 10M orders 11.1M ids, about a second and a half of CPU).
keepSessionIdIndex();

// One DuckDB session for every job (and the warm-up): per-session start-up (the instance, its settings,
// the lake key) and DuckDB's caches then carry over from batch to batch. A job that fails drops it, so the
// next job starts from a fresh one whatever state the failure left. SHOPLAKE_BENCH_SHARED_SESSION=off
// (benchmarks only) opens one per job as before.
const sharedSessionOn = process.env.SHOPLAKE_BENCH_SHARED_SESSION !== 'off';
let shared: Promise<DuckDbSession> | null = null;

function sharedSession(memoryLimit: string): Promise<DuckDbSession> {
  shared ??= DuckDbSession.open({
    threads: 1,
    memoryLimit,
    // Spills (a backlog of several segments) go to a directory of this process's own.
    ...(process.argv[2] ? { tempDirectory: spillDirectory(process.argv[2]) } : {}),
  });
  return shared;
}

function spillDirectory(dataDir: string): string {
  return processStagingEntry(dataLayout(dataDir), 'compaction');
}

function dropSharedSession(): void {
  const was = shared;
  shared = null;
  was?.then(
    (db) => db.close(),
    () => {},
  );
}

// Benchmarks only (bench/collector-sessions.ts, bench/fraud-sink.ts): the same collector without the sessions
// step, and each job's CPU split at the start of that step, appended as a JSON line to a file (and each merge
// of small files with its CPU).
const benchSessionsOff = process.env.SHOPLAKE_BENCH_SESSIONS === 'off';
if (benchSessionsOff) skipSessionsMaintenance();
const benchJobLog = process.env.SHOPLAKE_BENCH_JOB_LOG;
const warming = warmIndex(process.argv[2]);

async function warmIndex(dataDir: string | undefined): Promise<void> {
  if (!dataDir) return;
  try {
    const db = await sharedSession('1GB');
    await warmSessionIdIndex(db, dataLayout(dataDir));
  } catch (err) {
    dropSharedSession();
    // Only a head start: the first refresh reads the ids itself (and reports any failure as its own).
    process.stderr.write(
      `compaction: session ids not read ahead: ${(err as Error).message ?? String(err)}\n`,
    );
  }
}

// The collector is gone (crashed or killed): stop at once, like a crash, so that a restarted collector
// never compacts the same segment while this process still does. ingest's atomic write makes that safe.
process.on('disconnect', () => {
  if (process.argv[2]) rmSync(spillDirectory(process.argv[2]), { recursive: true, force: true });
  process.kill(process.pid, 'SIGKILL');
});

process.on('message', (job: CompactionJob) => {
  const reply = (r: CompactionReply) => process.send?.(r);
  const spec = TABLES[job.table];
  let opened = { path: job.input, remove: () => {} };
  const cpu0 = cpuMicros();
  let sessionsAt: number | null = null;
  warming
    .then(async () => {
      opened = openSegment(job.input);
      const session = sharedSessionOn ? await sharedSession(job.memoryLimit) : undefined;
      return ingest({
        ...(session ? { session } : {}),
        ...(benchJobLog
          ? {
              onProgress: (phase: string) => {
                if (phase === 'updating sessions' && sessionsAt === null) sessionsAt = cpuMicros();
              },
            }
          : {}),
        dataDir: job.dataDir,
        table: spec,
        input: opened.path,
        threads: 1,
        memoryLimit: job.memoryLimit,
        // Retries carry the record's own date, so its partition is the only place a copy can be.
        dedupScope: 'partitions',
        kind: 'collector',
      });
    })
    .then(async (report) => {
      if (benchJobLog) {
        const cpu1 = cpuMicros();
        const line = {
          table: job.table,
          read: report.read,
          loaded: report.loaded,
          cpuMs: (cpu1 - cpu0) / 1000,
          sessionsCpuMs: (cpu1 - (sessionsAt ?? cpu1)) / 1000,
          sessionsOff: benchSessionsOff,
          wallMs: report.seconds * 1000,
        };
        appendFileSync(benchJobLog, `${JSON.stringify(line)}\n`);
      }
      // The segment is in the lake whatever happens here: a failed merge is reported (the collector logs
      // and counts it) and tried again after the next segment.
      const mergeCpu0 = cpuMicros();
      const mergeError = await mergeSmallFiles(job.dataDir, spec, job.memoryLimit).then(
        (merged) => {
          if (benchJobLog && merged > 0) {
            const line = { table: job.table, merged, cpuMs: (cpuMicros() - mergeCpu0) / 1000 };
            appendFileSync(benchJobLog, `${JSON.stringify(line)}\n`);
          }
          return null;
        },
        (err: unknown) => (err as Error).message ?? String(err),
      );
      // Measured here, not in the collector: stat-ing every live file would block its event loop.
      const lakeBytes = tableBytes(dataLayout(job.dataDir), spec);
      return { id: job.id, report, mergeError, lakeBytes, readAs: opened.path };
    })
    .then(reply, (err: unknown) => {
      dropSharedSession();
      reply({ id: job.id, error: (err as Error).message ?? String(err) });
    })
    .finally(() => opened.remove());
});

function cpuMicros(): number {
  const c = process.cpuUsage();
  return c.user + c.system;
}

/**
 * The segment as NDJSON ingest can read: itself on a plain lake; on an encrypted lake its lines opened
 * (authenticated) into a private scratch directory off the data directory's disk, removed after ingest.
 */
function openSegment(segment: string): { path: string; remove: () => void } {
  // Its first bytes say whether it is sealed: a plain segment (megabytes at a high rate) is read by ingest only.
  if (!isSealed(head(segment, 16))) return { path: segment, remove: () => {} };
  const text = readFileSync(segment, 'utf8');
  const scratch = scratchDirectory();
  const remove = () => rmSync(scratch, { recursive: true, force: true });
  try {
    const path = join(scratch, basename(segment));
    writeFileSync(path, openSealedText(text, segment), { mode: 0o600 });
    return { path, remove };
  } catch (err) {
    remove();
    throw err;
  }
}

function head(path: string, bytes: number): string {
  const fd = openSync(path, 'r');
  try {
    const buf = Buffer.alloc(bytes);
    return buf.subarray(0, readSync(fd, buf, 0, bytes, 0)).toString('utf8');
  } finally {
    closeSync(fd);
  }
}

// Every compaction adds a file per partition it touches; once a partition has MERGE_AT of them they are
// merged into one, so a collector running for days does not leave queries reading thousands of files.
const MERGE_AT = 16;

// Returns how many partitions it merged.
async function mergeSmallFiles(dataDir: string, spec: TableSpec, memoryLimit: string): Promise<number> {
  const layout = dataLayout(dataDir);
  const partitions = [...filesByPartition(tableFiles(layout, spec)).values()];
  if (!partitions.some((files) => files.length >= MERGE_AT)) return 0;
  const db = await DuckDbSession.open({ threads: 1, memoryLimit });
  try {
    return (await compactTable(db, layout, spec, { minFiles: MERGE_AT })).partitionsMerged;
  } finally {
    db.close();
  }
}
