import { closeSync, openSync, readSync, statSync, truncateSync, unlinkSync } from 'node:fs';
import { CompactionWorker } from './compaction-worker.js';
import type { CollectorMetrics } from './metrics.js';
import type { CollectedTable } from './records.js';
import type { Segment, Wal } from './wal.js';

/** What one compacted segment did, for logs and tests. */
export interface CompactionReport {
  table: CollectedTable;
  segment: string;
  loaded: number;
  duplicate: number;
  quarantined: number;
  seconds: number;
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
  private readonly worker: CompactionWorker;
  /** Acknowledged bytes not in the lake yet (sealed or active segments). */
  pendingBytes = 0;
  onReport: (r: CompactionReport) => void = () => {};
  onError: (err: unknown) => void = () => {};

  constructor(
    dataDir: string,
    private readonly wals: Map<CollectedTable, Wal>,
    private readonly metrics: CollectorMetrics,
  ) {
    this.worker = new CompactionWorker(dataDir);
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
    const tick = (delay: number) => {
      this.timer = setTimeout(() => {
        const started = performance.now();
        void this.compactNow().finally(() => {
          if (this.timer) tick(Math.max(0, intervalMs - (performance.now() - started)));
        });
      }, delay);
    };
    tick(intervalMs);
  }

  /** Stops the timer, compacts everything still in the WAL, and ends the compaction process. */
  async stop(): Promise<void> {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    await this.compactNow();
    await this.worker.close();
  }

  /** Seals every active segment and compacts all sealed ones; runs never overlap. */
  compactNow(): Promise<void> {
    this.running = this.running.then(async () => {
      for (const [table, wal] of this.wals) {
        const segment = await wal.seal();
        if (segment) this.queue.push({ table, segment });
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
    const size = cutTornTail(segment.path);
    if (size > 0) {
      // In the low-priority compaction process, on one DuckDB thread: requests keep the CPU first.
      const report = await this.worker.ingest(table, segment.path);
      const seconds = (performance.now() - started) / 1000;
      this.metrics.compaction.observe({ table }, seconds);
      this.metrics.lag.observe({ table }, (Date.now() - segment.firstAckAt) / 1000);
      this.metrics.lakeRows.inc({ table }, report.loaded);
      const { loaded, duplicate, quarantined } = report;
      this.onReport({ table, segment: segment.path, loaded, duplicate, quarantined, seconds });
    }
    unlinkSync(segment.path);
    this.pendingBytes -= segment.bytes;
    this.metrics.pendingBytes.set(this.pendingBytes);
  }
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
