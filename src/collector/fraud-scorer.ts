import { Worker } from 'node:worker_threads';
import type { AlertOrder } from '../fraud/index.js';
import { fromWorkerSchema, type WorkerSettings } from './fraud-protocol.js';

/** Where live scoring stands: building the model, scoring, or not scoring (the model could not be built). */
export type ScoringStatus = 'loading' | 'ready' | 'failed';

/** One batch of scores from the worker. */
export interface ScoredBatch {
  /** Orders received live (count and alert), or orders the lake held without a score at start (store only). */
  live: boolean;
  /** fraud_scores records as WAL lines (written by the worker in the collector's validated form) and their keys. */
  lines: string;
  keys: string[];
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
 * "Fraud scoring without garbage"). 200 ms adds at most that to an alert's latency (goal 2 s).
 */
const HANDOVER_MS = 200;
const encoder = new TextEncoder();

/**
 * Scores orders on a worker thread (fraud-worker.ts): the collector's thread only hands the WAL text of
 * acknowledged records over, one message every HANDOVER_MS at most, and gets scores back in batches.
 */
export class BackgroundScorer {
  status: ScoringStatus = 'loading';
  /** Called with each batch of scores, in the order the worker scored them. */
  onScored: (batch: ScoredBatch) => void = () => {};
  /** Called once the model is built: how many lake orders had no score, how many it holds, how long it took. */
  onReady: (r: { unscored: number; orders: number; ms: number }) => void = () => {};
  /** Called as the model's start-up read of the lake advances: what it does now, and the share done (0 to 1). */
  onProgress: (phase: string, done: number) => void = () => {};
  /** Called when the model cannot be built or the worker stops by itself. */
  onFailed: (message: string) => void = () => {};
  private readonly worker: Worker;
  private orders: string[] = [];
  private checks: string[] = [];
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
      if (!this.closing) this.fail(`the scoring worker stopped (exit code ${code})`);
    });
  }

  /** Starts building the model. */
  build(): void {
    this.worker.postMessage({ type: 'build' });
  }

  /** Acknowledged orders records as WAL lines (handed over within HANDOVER_MS). */
  addOrders(lines: string, count: number): void {
    this.orders.push(lines);
    this.pending += count;
    this.soon();
  }

  /** Acknowledged order_checks records as WAL lines. */
  addChecks(lines: string): void {
    this.checks.push(lines);
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

  /** Stops the worker; what it had not sent back yet is not scored (the lake's unscored orders are at the next start). */
  async close(): Promise<void> {
    this.closing = true;
    if (this.sendTimer !== null) clearTimeout(this.sendTimer);
    this.settleDrains();
    await this.worker.terminate();
  }

  private soon(): void {
    if (this.sendTimer !== null) return;
    this.sendTimer = setTimeout(() => this.send(), HANDOVER_MS);
  }

  private send(): void {
    if (this.sendTimer !== null) clearTimeout(this.sendTimer);
    this.sendTimer = null;
    if (this.closing || (this.orders.length === 0 && this.checks.length === 0)) return;
    // As UTF-8 in buffers of their own, transferred: the worker reads them in place (fraud-order-bytes.ts).
    const orders = encoder.encode(this.orders.join(''));
    const checks = encoder.encode(this.checks.join(''));
    this.worker.postMessage({ type: 'records', orders, checks }, [orders.buffer, checks.buffer]);
    this.orders = [];
    this.checks = [];
    this.pending = 0;
  }

  private receive(raw: unknown): void {
    if (this.closing) return;
    const m = fromWorkerSchema.parse(raw);
    switch (m.type) {
      case 'scored':
        // One decoding of the batch's bytes (the worker writes them in place rather than as texts).
        this.onScored({
          ...m,
          lines: Buffer.from(m.lines.buffer, m.lines.byteOffset, m.lines.byteLength).toString('utf8'),
        });
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
