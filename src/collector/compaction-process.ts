/**
 * The compaction process: runs `ingest()` for sealed WAL segments on behalf of the collector, at the
 * lowest CPU priority (nice 19), so that DuckDB never takes a core from the collector's event loop
 * while requests wait. Started by `CompactionWorker` with an IPC channel; one job at a time.
 */
import { setPriority } from 'node:os';
import { ingest } from '../ingest/index.js';
import { TABLES } from '../lake/index.js';
import type { CompactionJob, CompactionReply } from './compaction-worker.js';

try {
  // Threads created from here on (libuv's pool, DuckDB's) inherit the priority.
  setPriority(19);
} catch {
  // Not permitted here: compaction still works, only without yielding the CPU.
}

// The collector is gone (crashed or killed): stop at once, like a crash, so that a restarted collector
// never compacts the same segment while this process still does. ingest's atomic write makes that safe.
process.on('disconnect', () => process.kill(process.pid, 'SIGKILL'));

process.on('message', (job: CompactionJob) => {
  const reply = (r: CompactionReply) => process.send?.(r);
  ingest({
    dataDir: job.dataDir,
    table: TABLES[job.table],
    input: job.input,
    threads: 1,
    memoryLimit: job.memoryLimit,
    // Retries carry the record's own date, so its partition is the only place a copy can be.
    dedupScope: 'partitions',
  }).then(
    (report) => reply({ id: job.id, report }),
    (err: unknown) => reply({ id: job.id, error: (err as Error).message ?? String(err) }),
  );
});
