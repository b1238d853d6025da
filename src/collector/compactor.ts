import { closeSync, openSync, readSync, statSync, truncateSync, unlinkSync } from 'node:fs';
import { CompactionWorker } from './compaction-worker.js';
import type { CollectorMetrics } from './metrics.js';
import type { CollectedTable } from './records.js';
import type { Segment } from './wal.js';

/** Where a table's sealed WAL segments come from: its Wal, or a writer on another thread (fraud scores). */
export interface SegmentSource {
  /** Segments found on disk at start-up. */
  readonly recovered: readonly Segment[];
  /** When the first record of the segment being written was acknowledged (0: none yet). */
  readonly activeSince: number;
  /** Closes the segment being written; every closed segment not handed out yet. */
  seal(): Promise<Segment[]>;
}

/** What one compacted segment did, for logs and tests. */
export interface CompactionReport {
  table: CollectedTable;
  segment: string;
  loaded: number;
  duplicate: number;
  quarantined: number;
  /** Ingest's quarantine file holding the records it refused, or null. */
  quarantineFile: string | null;
  /** The source ingest named in that file: the segment, or its opened copy on an encrypted lake. */
  readAs: string;
  seconds: number;
}

/**
 * Tables whose segment being written the timed runs seal only once its first record has waited this many
 * compaction intervals (a run asked for, compactNow() and the stop, seals every table). Each segment costs
 * the compaction process a fixed ~30 ms (DuckDB's statements, the manifest's commit) and adds a file a merge
 * rewrites later; the scoring worker stores a group of scores every 2.5 intervals (fraud-hook.ts), and sealing
 * at every run made each group a segment of its own. Held for 7.5 intervals, a segment gathers three groups:
 * scores reach the lake up to ten seconds later at the default interval (alerts and metrics never wait for
 * the lake), and stay durable in the WAL meanwhile.
 */
const HOLD_INTERVALS: ReadonlyMap<CollectedTable, number> = new Map([['fraud_scores', 7.5]]);
/** The collector's default compaction interval (config.ts), for a timed run before start() set one. */
const DEFAULT_INTERVAL_MS = 2000;

/** Whether a timed run leaves `table`'s segment being written open: its first record is younger than the hold. */
export function heldBack(
  table: CollectedTable,
  activeSince: number,
  now: number,
  intervalMs: number,
): boolean {
  const hold = HOLD_INTERVALS.get(table);
  return hold !== undefined && activeSince > 0 && now - activeSince < hold * intervalMs;
}

/** What is still in the WAL, not in the lake (after a stop: compacted on the next start). */
export interface Backlog {
  segments: number;
  bytes: number;
}

/**
 * Moves sealed WAL segments into the lake through `ingest()`, the one write path: it re-validates,
 * drops keys already in the lake and writes Parquet atomically. A segment is deleted only after its
 * ingest returned, so a crash in between replays it, and the key dedup makes that replay a no-op.
 */
export class Compactor {
  private readonly queue: { table: CollectedTable; segment: Segment }[] = [];
  private running: Promise<void> = Promise.resolve();
  private timer: NodeJS.Timeout | null = null;
  private intervalMs = DEFAULT_INTERVAL_MS;
  readonly worker: CompactionWorker;
  /** Acknowledged bytes not in the lake yet (sealed or active segments). */
  pendingBytes = 0;
  onReport: (r: CompactionReport) => void = () => {};
  onError: (err: unknown) => void = () => {};
  /** Ingest refused some acknowledged records of a segment; awaited before the segment is deleted. */
  onQuarantined: (r: CompactionReport) => Promise<void> = async () => {};
  /** A merge of small files failed after a segment was stored (logged and counted, retried later). */
  onMergeError: (table: CollectedTable, message: string) => void = () => {};

  constructor(
    dataDir: string,
    /** Each table's segments; an entry may be replaced while running (Collector.writtenElsewhere). */
    readonly wals: Map<CollectedTable, SegmentSource>,
    private readonly metrics: CollectorMetrics,
  ) {
    this.worker = new CompactionWorker(dataDir);
    this.worker.onExit = () => metrics.compactionRestarts.inc();
    this.worker.start();
    for (const [table, wal] of wals) {
      for (const segment of wal.recovered) {
        this.queue.push({ table, segment });
        this.pendingBytes += segment.bytes;
      }
    }
    metrics.pendingBytes.set(this.pendingBytes);
  }

  /** Records that `bytes` more are acknowledged and waiting. */
  added(bytes: number): void {
    this.pendingBytes += bytes;
    this.metrics.pendingBytes.set(this.pendingBytes);
  }

  /**
   * Compacts every `intervalMs` until stop(), counted from the start of the previous run, so records
   * wait at most about one interval plus one compaction to become queryable.
   */
  start(intervalMs: number): void {
    this.intervalMs = intervalMs;
    const tick = (delay: number) => {
      this.timer = setTimeout(() => {
        const started = performance.now();
        void this.compactDue().finally(() => {
          if (this.timer) tick(Math.max(0, intervalMs - (performance.now() - started)));
        });
      }, delay);
    };
    tick(intervalMs);
  }

  /**
   * Stops the timer and compacts everything still in the WAL (a failing compaction is tried three
   * times), ends the compaction process, and says what is left in the WAL for the next start.
   */
  async stop(): Promise<Backlog> {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    for (let attempt = 0; attempt < 3; attempt++) {
      if (attempt > 0) await new Promise((r) => setTimeout(r, 500 * attempt));
      await this.compactNow();
      if (this.queue.length === 0) break;
    }
    await this.worker.close();
    return this.backlog();
  }

  /** Segments and acknowledged bytes waiting in the WAL. */
  backlog(): Backlog {
    return { segments: this.queue.length, bytes: this.pendingBytes };
  }

  /** Segments holding acknowledged records not in the lake yet, and the oldest acknowledgement among them. */
  waiting(): { segments: number; oldestAckAt: number | null } {
    const times = this.queue.map((q) => q.segment.firstAckAt);
    for (const wal of this.wals.values()) if (wal.activeSince > 0) times.push(wal.activeSince);
    return { segments: times.length, oldestAckAt: times.length > 0 ? Math.min(...times) : null };
  }

  /** Seals every active segment and compacts all sealed ones; runs never overlap. */
  compactNow(): Promise<void> {
    return this.run(false);
  }

  /** What the timer runs: compactNow(), but a table of HOLD_INTERVALS keeps a young segment open. */
  compactDue(): Promise<void> {
    return this.run(true);
  }

  private run(timed: boolean): Promise<void> {
    this.running = this.running.then(async () => {
      for (const [table, wal] of this.wals) {
        if (timed && heldBack(table, wal.activeSince, Date.now(), this.intervalMs)) continue;
        for (const segment of await wal.seal()) this.queue.push({ table, segment });
      }
      while (this.queue.length > 0) {
        const next = this.queue[0];
        if (!next) break;
        try {
          await this.compact(next.table, next.segment);
          this.queue.shift();
        } catch (err) {
          // Keep the segment queued: the next run retries it, and backpressure stops the WAL growing.
          this.onError(err);
          break;
        }
      }
    });
    return this.running;
  }

  private async compact(table: CollectedTable, segment: Segment): Promise<void> {
    const started = performance.now();
    const size = segment.recovered ? cutTornTail(segment.path) : cutTo(segment.path, segment.bytes);
    if (size > 0) {
      // In the low-priority compaction process, on one DuckDB thread: requests keep the CPU first.
      const { report, mergeError, lakeBytes, readAs } = await this.worker.ingest(table, segment.path);
      const seconds = (performance.now() - started) / 1000;
      this.metrics.compaction.observe({ table }, seconds);
      this.metrics.lag.observe({ table }, (Date.now() - segment.firstAckAt) / 1000);
      this.metrics.lakeRows.inc({ table }, report.loaded);
      this.metrics.lakeBytes.set({ table }, lakeBytes);
      if (report.quarantined > 0) this.metrics.compactionQuarantined.inc({ table }, report.quarantined);
      if (mergeError !== null) {
        this.metrics.mergeFailures.inc({ table });
        this.onMergeError(table, mergeError);
      }
      const { loaded, duplicate, quarantined, quarantineFile } = report;
      const done = {
        table,
        segment: segment.path,
        loaded,
        duplicate,
        quarantined,
        quarantineFile,
        readAs,
        seconds,
      };
      if (quarantined > 0) await this.onQuarantined(done);
      this.onReport(done);
    }
    unlinkSync(segment.path);
    this.pendingBytes -= segment.bytes;
    this.metrics.pendingBytes.set(this.pendingBytes);
  }
}

/**
 * Cuts a segment closed by this process to the bytes it acknowledged: a failed write may have left part
 * of an unacknowledged batch after them.
 */
function cutTo(path: string, acknowledged: number): number {
  if (statSync(path).size > acknowledged) truncateSync(path, acknowledged);
  return acknowledged;
}

/**
 * Drops an incomplete last line left by a crash mid-write. Such a line was never fsynced as a whole,
 * so it was never acknowledged; ingest would otherwise quarantine it as malformed JSON.
 */
export function cutTornTail(path: string): number {
  const size = statSync(path).size;
  if (size === 0) return 0;
  const fd = openSync(path, 'r');
  try {
    const tail = Buffer.alloc(Math.min(size, 1 << 16));
    let end = size;
    while (end > 0) {
      const len = Math.min(tail.length, end);
      readSync(fd, tail, 0, len, end - len);
      const nl = tail.subarray(0, len).lastIndexOf(10);
      if (nl >= 0) {
        end = end - len + nl + 1;
        break;
      }
      end -= len;
    }
    if (end < size) truncateSync(path, end);
    return end;
  } finally {
    closeSync(fd);
  }
}
