import { type ChildProcess, fork } from 'node:child_process';
import { setPriority } from 'node:os';
import { fileURLToPath } from 'node:url';
import type { IngestReport } from '../ingest/index.js';
import type { CollectedTable } from './records.js';

/** One segment to move into the lake. */
export interface CompactionJob {
  id: number;
  dataDir: string;
  table: CollectedTable;
  input: string;
  memoryLimit: string;
}

/** What the compaction process did with one segment, beyond ingest's own report. */
export interface CompactionResult {
  report: IngestReport;
  /** Why merging the table's small files failed (the segment itself is in the lake), or null. */
  mergeError: string | null;
  /** Parquet bytes of the table's live files after this job, measured in the compaction process. */
  lakeBytes: number;
  /** The file ingest read: the segment, or its opened copy (gone by now) when the lake is encrypted. */
  readAs: string;
}

export type CompactionReply = ({ id: number } & CompactionResult) | { id: number; error: string };

const SCRIPT = fileURLToPath(new URL('./compaction-process.js', import.meta.url));
const FIRST_BACKOFF_MS = 100;
const MAX_BACKOFF_MS = 10_000;

/**
 * Runs compactions in a child process at nice 19 (compaction-process.ts). The collector's event loop then
 * never waits for DuckDB, and on a machine with few cores the scheduler gives request handling the CPU
 * first. A child that dies fails its job (the segment stays queued and is retried) and is started again
 * for the next job, after a back-off that doubles while it keeps dying (100 ms up to 10 s), so a child
 * that cannot start does not spin. Sending to a child that just died is a failed job, never a crash.
 */
export class CompactionWorker {
  private child: ChildProcess | null = null;
  private nextId = 1;
  private pending: {
    id: number;
    resolve: (r: CompactionResult) => void;
    reject: (e: unknown) => void;
  } | null = null;
  private backoffMs = 0;
  private diedAt = 0;
  private started = 0;
  /** Called when a child process ends unexpectedly (it is started again for the next job). */
  onExit: (reason: string) => void = () => {};

  constructor(private readonly dataDir: string) {}

  /** Process id of the running compaction process (tests kill it), or undefined. */
  get pid(): number | undefined {
    return this.child?.pid;
  }

  /** How many times a compaction process was started after the first. */
  get restarts(): number {
    return Math.max(0, this.started - 1);
  }

  /** Starts the process ahead of the first job, so the first compaction does not pay for its start. */
  start(): void {
    if (this.child) return;
    const child = fork(SCRIPT, [this.dataDir], {
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
      serialization: 'json',
    });
    this.started++;
    try {
      if (child.pid !== undefined) setPriority(child.pid, 19);
    } catch {
      // The child lowers its own priority too.
    }
    child.on('message', (reply: CompactionReply) => {
      const job = this.pending;
      if (!job || job.id !== reply.id) return;
      this.pending = null;
      this.backoffMs = 0;
      this.idle(child);
      if ('error' in reply) job.reject(new Error(reply.error));
      else
        job.resolve({
          report: reply.report,
          mergeError: reply.mergeError,
          lakeBytes: reply.lakeBytes,
          readAs: reply.readAs,
        });
    });
    // Without a listener an IPC error (EPIPE from a send racing the child's death) would crash the collector.
    child.on('error', (err) => this.fail(child, `compaction process error: ${err.message}`));
    child.on('exit', (code, signal) => this.fail(child, `compaction process exited (${signal ?? code})`));
    this.child = child;
    this.idle(child);
  }

  /** Moves one WAL segment into the lake (ingest with one DuckDB thread), then merges small files. */
  async ingest(table: CollectedTable, input: string): Promise<CompactionResult> {
    if (this.pending) throw new Error('a compaction is already running');
    const wait = this.diedAt + this.backoffMs - Date.now();
    if (!this.child && wait > 0) await new Promise((r) => setTimeout(r, wait));
    this.start();
    const child = this.child as ChildProcess | null;
    if (!child) throw new Error('compaction process did not start');
    return new Promise((resolve, reject) => {
      const id = this.nextId++;
      this.pending = { id, resolve, reject };
      child.ref();
      (child.channel as { ref?: () => void } | undefined)?.ref?.();
      const job: CompactionJob = { id, dataDir: this.dataDir, table, input, memoryLimit: '1GB' };
      child.send(job, (err) => {
        if (err) this.fail(child, `cannot send to the compaction process: ${err.message}`);
      });
    });
  }

  /** Ends the process (after the last job). */
  async close(): Promise<void> {
    const child = this.child;
    this.child = null;
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.ref();
    if (child.connected) child.disconnect();
    else child.kill('SIGKILL');
    await exited;
  }

  // A child that died or cannot be reached fails its job once; the next job starts a new child.
  private fail(child: ChildProcess, reason: string): void {
    if (this.child !== child) return;
    this.child = null;
    this.diedAt = Date.now();
    this.backoffMs = Math.min(MAX_BACKOFF_MS, this.backoffMs ? this.backoffMs * 2 : FIRST_BACKOFF_MS);
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    const job = this.pending;
    this.pending = null;
    this.onExit(reason);
    job?.reject(new Error(reason));
  }

  // An idle worker must not keep the collector's process alive.
  private idle(child: ChildProcess): void {
    child.unref();
    (child.channel as { unref?: () => void } | undefined)?.unref?.();
  }
}
