import { existsSync } from 'node:fs';
import { Worker } from 'node:worker_threads';
import type { AlertOrder } from '../fraud/index.js';
import type { SegmentSource } from './compactor.js';
import { LineBytes } from './fraud-line-bytes.js';
import { fromWorkerSchema, type WorkerSettings } from './fraud-protocol.js';
import type { Segment } from './wal.js';

/** Where live scoring stands: building the model, scoring, or not scoring (the model could not be built). */
export type ScoringStatus = 'loading' | 'ready' | 'failed';

/** One batch of scores from the worker. */
export interface ScoredBatch {
  /** Orders received live (count and alert), or orders the lake held without a score at start (store only). */
  live: boolean;
  /** Orders scored (the worker stores their scores itself: onStored). */
  count: number;
  /** The reason of each score refused (none, unless there is a bug). */
  refused: string[];
  /** The scores counted per bucket of the score histogram, and their sum. */
  buckets: number[];
  sum: number;
  /** Alerts of this batch (scores at or above the threshold), live batches only. */
  alerts: AlertOrder[];
  /** Orders the worker has received and not scored yet. */
  waiting: number;
}

/**
 * How long acknowledged records gather before they go to the worker in one message. Every message costs
 * both threads a turn of their event loops (and the hand-over sometimes stalls the collector's loop for
 * milliseconds): one per turn of the collector's loop under load was hundreds a second, each of a few
 * dozen orders. Orders wait up to the check wait (300 ms) for their checks anyway. At 3,000 orders a second
 * the scoring worker alone (bench/fraud-worker.ts) spent about 13 µs an order with a hand-over (and a batch)
 * every 20 ms, 8 µs every 100 ms, 7 every 200 ms, 6.5 every 300 ms: waking a thread for a turn costs far more
 * than the turn's orders (its caches, the forest's nodes among them, are cold by then; docs/BENCHMARKS.md,
 * "Fraud scoring without garbage"). 400 ms adds at most that to an alert's latency (goal 2 s; ack → alert
 * p99 was 270–340 ms with 200 ms under the benchmark's load, and stays under 1 s with 400: docs/BENCHMARKS.md,
 * "Fraud scores written by the worker").
 */
const HANDOVER_MS = 400;

/** How long a stop waits for the worker to store and seal its scores before it ends the worker anyway. */
const CLOSE_SEAL_MS = 10_000;
/** How long a compaction run waits for the worker to seal its segment before it goes on without it. */
const SEAL_WAIT_MS = 10_000;

/**
 * Scores orders on a worker thread (fraud-worker.ts): the collector's thread only hands the WAL text of
 * acknowledged records over, one message every HANDOVER_MS at most, and gets counts and alerts back in
 * batches. The worker appends the scores to fraud_scores WAL segments of its own; as a SegmentSource, this
 * hands them to the collector's compaction (Collector.writtenElsewhere), asking the worker to seal them.
 */
export class BackgroundScorer implements SegmentSource {
  status: ScoringStatus = 'loading';
  /** Called with each batch of scores, in the order the worker scored them. */
  onScored: (batch: ScoredBatch) => void = () => {};
  /** Called once the model is built: how many lake orders had no score, how many it holds, how long it took. */
  onReady: (r: { unscored: number; orders: number; ms: number }) => void = () => {};
  /** Called as the model's start-up read of the lake advances: what it does now, and the share done (0 to 1). */
  onProgress: (phase: string, done: number) => void = () => {};
  /** Called when the model cannot be built or the worker stops by itself. */
  onFailed: (message: string) => void = () => {};
  /** Called when scores are durable in the worker's WAL: how many, and the bytes they added on disk. */
  onStored: (records: number, bytes: number) => void = () => {};
  /** Called when the worker could not store scores (they are recomputed from the lake at the next start). */
  onStoreFailed: (records: number, message: string) => void = () => {};
  /** Nothing recovered: the worker's segments left by an earlier run are the collector's own Wal's to recover. */
  readonly recovered: readonly Segment[] = [];
  /** The worker's segment being written, as last stored; null once sealed. */
  private active: Segment | null = null;
  /** Segments closed and not handed to compaction yet (after the worker stopped). */
  private closedSegments: Segment[] = [];
  /** Segments handed to compaction already: never handed out twice. */
  private readonly handedOut = new Set<string>();
  private gone = false;
  private nextSeal = 0;
  private readonly seals = new Map<number, (segments: Segment[]) => void>();
  private onClosed: (segments: Segment[]) => void = () => {};
  /** The worker thread (tests end it to see what a dying worker leaves). */
  readonly worker: Worker;
  /**
   * The WAL lines waiting for the hand-over, as UTF-8 written at once into buffers reused hand-over after
   * hand-over: the texts, kept until the hand-over, outlived a young-generation collection or two of the
   * collector's heap (each copying them) before the hand-over joined and encoded them.
   */
  private readonly orders = new LineBytes();
  private readonly checks = new LineBytes();
  private pending = 0;
  private sendTimer: NodeJS.Timeout | null = null;
  private closing = false;
  private nextDrain = 0;
  private readonly drains = new Map<number, () => void>();

  constructor(settings: WorkerSettings) {
    this.worker = new Worker(new URL('./fraud-worker.js', import.meta.url), { workerData: settings });
    // The collector's server keeps the process alive, not the scorer.
    this.worker.unref();
    this.worker.on('message', (raw: unknown) => this.receive(raw));
    this.worker.on('error', (err) => this.fail(err.message));
    this.worker.on('exit', (code) => {
      this.gone = true;
      // Its segment being written stays on disk, acknowledged up to what it last stored: compacted from here.
      if (this.active !== null && existsSync(this.active.path)) this.closedSegments.push(this.active);
      this.active = null;
      this.onClosed([]);
      for (const answer of this.seals.values()) answer([]);
      this.seals.clear();
      if (!this.closing) this.fail(`the scoring worker stopped (exit code ${code})`);
    });
  }

  /** When the first score of the worker's segment being written was stored (0: none). */
  get activeSince(): number {
    return this.active?.firstAckAt ?? 0;
  }

  /** Asks the worker to close its segment being written; the worker's segments closed since the last seal. */
  seal(): Promise<Segment[]> {
    const answer = (segments: Segment[]) => {
      const out = [...this.closedSegments, ...segments].filter((s) => !this.handedOut.has(s.path));
      this.closedSegments = [];
      for (const s of out) this.handedOut.add(s.path);
      return out;
    };
    if (this.gone) return Promise.resolve(answer([]));
    const id = ++this.nextSeal;
    const sealed = new Promise<Segment[]>((resolve) => {
      // A worker that does not answer must not hold compaction up: its segments then go to a later seal.
      const timer = setTimeout(() => {
        this.seals.set(id, (segments) => this.closedSegments.push(...segments));
        resolve(answer([]));
      }, SEAL_WAIT_MS);
      this.seals.set(id, (segments) => {
        clearTimeout(timer);
        resolve(answer(segments));
      });
    });
    this.worker.postMessage({ type: 'seal', id });
    return sealed;
  }

  /** Starts building the model. */
  build(): void {
    this.worker.postMessage({ type: 'build' });
  }

  /** Acknowledged orders records as WAL lines (handed over within HANDOVER_MS). */
  addOrders(lines: string, count: number): void {
    this.orders.utf8(lines);
    this.pending += count;
    this.soon();
  }

  /** Acknowledged order_checks records as WAL lines. */
  addChecks(lines: string): void {
    this.checks.utf8(lines);
    this.soon();
  }

  /** Orders handed over but not sent to the worker yet. */
  get unsent(): number {
    return this.pending;
  }

  /** Resolves once every order handed over so far is scored and its batch delivered (or scoring failed). */
  drained(): Promise<void> {
    this.send();
    if (this.status === 'failed' || this.closing) return Promise.resolve();
    const id = ++this.nextDrain;
    const done = new Promise<void>((resolve) => this.drains.set(id, resolve));
    this.worker.postMessage({ type: 'drain', id });
    return done;
  }

  /**
   * Stops the worker once it has stored and sealed the scores it made (its segments go to the next seal);
   * what it had not scored yet is not scored (the lake's unscored orders are at the next start).
   */
  async close(): Promise<void> {
    this.closing = true;
    if (this.sendTimer !== null) clearTimeout(this.sendTimer);
    this.settleDrains();
    if (!this.gone) {
      let timer: NodeJS.Timeout | undefined;
      await new Promise<void>((resolve) => {
        this.onClosed = (segments) => {
          this.closedSegments.push(...segments);
          this.active = null;
          resolve();
        };
        timer = setTimeout(resolve, CLOSE_SEAL_MS);
        this.worker.postMessage({ type: 'close' });
      });
      clearTimeout(timer);
      this.onClosed = () => {};
    }
    await this.worker.terminate();
    // Later seals (the collector's last compaction) hand out what it closed without asking it.
    this.gone = true;
  }

  private soon(): void {
    if (this.sendTimer !== null) return;
    this.sendTimer = setTimeout(() => this.send(), HANDOVER_MS);
  }

  private send(): void {
    if (this.sendTimer !== null) clearTimeout(this.sendTimer);
    this.sendTimer = null;
    if (this.closing || (this.orders.length === 0 && this.checks.length === 0)) return;
    // In buffers of their own, transferred: the worker reads them in place (fraud-order-bytes.ts).
    const orders = this.orders.take();
    const checks = this.checks.take();
    this.worker.postMessage({ type: 'records', orders, checks }, [orders.buffer, checks.buffer]);
    this.pending = 0;
  }

  private receive(raw: unknown): void {
    const m = fromWorkerSchema.parse(raw);
    // While stopping, only what concerns the scores already made: their storage and segments.
    switch (m.type) {
      case 'stored':
        this.active = m.segment;
        this.onStored(m.records, m.bytes);
        return;
      case 'storeFailed':
        this.onStoreFailed(m.records, m.message);
        return;
      case 'sealed':
        this.active = null;
        if (m.id === null) this.onClosed(m.segments);
        else {
          this.seals.get(m.id)?.(m.segments);
          this.seals.delete(m.id);
        }
        return;
    }
    if (this.closing) return;
    switch (m.type) {
      case 'scored':
        this.onScored(m);
        return;
      case 'progress':
        this.onProgress(m.phase, m.done);
        return;
      case 'sync':
        // Everything acknowledged until now goes out before 'synced' (messages keep their order).
        this.send();
        this.worker.postMessage({ type: 'synced' });
        return;
      case 'ready':
        this.status = 'ready';
        this.onReady(m);
        return;
      case 'drained':
        this.drains.get(m.id)?.();
        this.drains.delete(m.id);
        return;
      case 'failed':
        this.fail(m.message);
        return;
    }
  }

  private fail(message: string): void {
    if (this.status === 'failed') return;
    this.status = 'failed';
    this.onFailed(message);
    this.settleDrains();
  }

  private settleDrains(): void {
    for (const resolve of this.drains.values()) resolve();
    this.drains.clear();
  }
}
