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

export type CompactionReply = { id: number; report: IngestReport } | { id: number; error: string };

const SCRIPT = fileURLToPath(new URL('./compaction-process.js', import.meta.url));

/**
 * Runs compactions in a child process at nice 19 (compaction-process.ts). The collector's event loop then
 * never waits for DuckDB, and on a machine with few cores the scheduler gives request handling the CPU
 * first. A child that dies fails its job (the segment stays queued and is retried) and is restarted.
 */
export class CompactionWorker {
  private child: ChildProcess | null = null;
  private nextId = 1;
  private pending: {
    id: number;
    resolve: (r: IngestReport) => void;
    reject: (e: unknown) => void;
  } | null = null;

  constructor(private readonly dataDir: string) {}

  /** Starts the process ahead of the first job, so the first compaction does not pay for its start. */
  start(): void {
    if (this.child) return;
    const child = fork(SCRIPT, [], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'], serialization: 'json' });
    try {
      if (child.pid !== undefined) setPriority(child.pid, 19);
    } catch {
      // The child lowers its own priority too.
    }
    child.on('message', (reply: CompactionReply) => {
      const job = this.pending;
      if (!job || job.id !== reply.id) return;
      this.pending = null;
      this.idle(child);
      if ('error' in reply) job.reject(new Error(reply.error));
      else job.resolve(reply.report);
    });
    child.on('exit', (code, signal) => {
      if (this.child === child) this.child = null;
      const job = this.pending;
      this.pending = null;
      job?.reject(new Error(`compaction process exited (${signal ?? code})`));
    });
    this.child = child;
    this.idle(child);
  }

  /** Moves one WAL segment into the lake (ingest with one DuckDB thread). */
  ingest(table: CollectedTable, input: string): Promise<IngestReport> {
    this.start();
    const child = this.child as ChildProcess;
    if (this.pending) return Promise.reject(new Error('a compaction is already running'));
    return new Promise((resolve, reject) => {
      const id = this.nextId++;
      this.pending = { id, resolve, reject };
      child.ref();
      (child.channel as { ref?: () => void } | undefined)?.ref?.();
      child.send({ id, dataDir: this.dataDir, table, input, memoryLimit: '1GB' } satisfies CompactionJob);
    });
  }

  /** Ends the process (after the last job). */
  async close(): Promise<void> {
    const child = this.child;
    this.child = null;
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.ref();
    child.disconnect();
    await exited;
  }

  // An idle worker must not keep the collector's process alive.
  private idle(child: ChildProcess): void {
    child.unref();
    (child.channel as { unref?: () => void } | undefined)?.unref?.();
  }
}
