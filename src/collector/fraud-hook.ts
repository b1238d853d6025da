import { UserError } from '../errors/index.js';
import { AlertDispatcher, type AlertOrder, FEATURES, loadWeights, modelFile } from '../fraud/index.js';
import type { Collector } from './collector.js';
import { FraudMetrics } from './fraud-metrics.js';
import { BackgroundScorer, type ScoredBatch, type ScoringStatus } from './fraud-scorer.js';
import type { CollectedTable } from './records.js';
import type { CollectedRecord } from './schema.js';

/** How the collector scores orders and raises alerts (`shoplake serve --alert-webhook …`). */
export interface FraudOptions {
  /** URL alerts are POSTed to (JSON); none: alerts only on /metrics and in fraud_scores. */
  webhook?: string;
  /** Alert threshold on the score (default: the model's). */
  threshold?: number;
  /** Alerts of one customer within this window are grouped (default 10 minutes). */
  groupWindowMs?: number;
  /** How long an order waits for its fraud checks (POST /v1/order-checks) before it is scored without them. */
  checkWaitMs?: number;
  /** Webhook retry pacing (tests shorten it). */
  retryBaseMs?: number;
  /** Unscored lake orders the start-up may keep for a single read (train.ts KEEP_UNSCORED; tests lower it). */
  keepUnscored?: number;
  /** The model is built once this resolves (tests hold it back to see the server answer meanwhile). */
  beforeModel?: () => Promise<void>;
}

/**
 * Scores are stored in groups: FLUSH_INTERVALS compaction intervals after the first of a group (at least
 * FLUSH_MIN_MS), or once FLUSH_RECORDS wait. Compaction ingests each table that has a WAL segment in every
 * run, and an ingest has a fixed cost in the compaction process (DuckDB, the manifest): storing scores every
 * 250 ms put fraud_scores into every run (at 15,000 records/s the compaction process then used up to 4 µs a
 * collected record more; docs/BENCHMARKS.md). Every 2.5 intervals it is in two runs of five. Alerts and
 * metrics do not wait for it; the lake's fraud_scores lags by that much more, and a group lost in a crash
 * is recomputed from the lake at the next start (without alerts). The worker appends the groups to its own
 * WAL segments (fraud-score-store.ts).
 */
const FLUSH_INTERVALS = 2.5;
const FLUSH_MIN_MS = 250;
const FLUSH_RECORDS = 50_000;
/** How long a clean stop waits for the model and the queued orders before it leaves them to the next start. */
const CLOSE_WAIT_MS = 30_000;

/**
 * Scores every order the collector acknowledges, after the acknowledgement and off the collector's
 * thread: a worker (fraud-worker.ts) builds the model from the lake in the background while
 * the collector already takes orders, then scores them in arrival order and appends the scores to fraud_scores
 * segments of its own in the collector's WAL directory, which the collector's compaction takes with its own
 * (Collector.writtenElsewhere). Counts and alerts come back here: metrics, and alerts above the threshold.
 * Orders acknowledged but not scored when the process stopped are scored from the lake at the next start.
 */
export class FraudHook {
  readonly metrics: FraudMetrics;
  private readonly scorer: BackgroundScorer;
  private readonly dispatcher: AlertDispatcher | null;
  private closed = false;
  private readonly ready: Promise<void>;
  /** Called with each alert (tests, benchmarks). */
  onAlert: (a: AlertOrder) => void = () => {};

  private constructor(
    private readonly collector: Collector,
    options: FraudOptions,
    private readonly log: (line: string) => void,
  ) {
    this.metrics = new FraudMetrics(collector.metrics.registry, collector.metrics.monitoring.fraudAlerts);
    // Read and checked here, not in the worker: a broken or stale model file is the user's to fix, said
    // when serve starts rather than found by the worker in the background.
    const weights = loadWeights(collector.dataDir);
    if (weights.features.join() !== FEATURES.join())
      throw new UserError(
        `${modelFile(collector.dataDir)} was fitted on other features (${weights.version}): refit it with 'shoplake fraud train'`,
        { code: 'bad_model' },
      );
    this.scorer = new BackgroundScorer({
      dataDir: collector.dataDir,
      weights,
      threshold: options.threshold ?? weights.threshold,
      checkWaitMs: options.checkWaitMs ?? 300,
      storeEveryMs: Math.max(FLUSH_MIN_MS, collector.config.compactIntervalMs * FLUSH_INTERVALS),
      storeMaxRecords: FLUSH_RECORDS,
      ...(options.keepUnscored !== undefined ? { keepUnscored: options.keepUnscored } : {}),
    });
    this.dispatcher = options.webhook
      ? new AlertDispatcher({
          url: options.webhook,
          ...(options.groupWindowMs !== undefined ? { groupWindowMs: options.groupWindowMs } : {}),
          ...(options.retryBaseMs !== undefined ? { retryBaseMs: options.retryBaseMs } : {}),
          onOutcome: (outcome) => this.metrics.webhook.labels(outcome).inc(),
          log,
        })
      : null;
    this.scorer.onScored = (batch) => this.scored(batch);
    this.scorer.onStored = (records, bytes) => collector.storedElsewhere('fraud_scores', records, bytes);
    this.scorer.onStoreFailed = (records, message) =>
      log(
        `fraud: storing ${records} scores failed (they are recomputed from the lake at the next start): ${message}`,
      );
    // A lake of millions of orders takes minutes to read (twice when it was never scored): say how far.
    this.scorer.onProgress = (phase, done) => {
      this.metrics.startup.set(done);
      log(`fraud: ${phase} (${Math.round(done * 100)} %)`);
    };
    this.ready = new Promise<void>((resolve) => {
      this.scorer.onReady = (r) => {
        this.metrics.startup.set(1);
        log(`fraud: model built from ${r.orders} orders in ${(r.ms / 1000).toFixed(1)} s; scoring`);
        if (r.unscored > 0) log(`fraud: scored ${r.unscored} orders the lake held without a score`);
        resolve();
      };
      this.scorer.onFailed = (message) => {
        log(
          `fraud: scoring stopped (orders are still taken, and scored from the lake at the next start): ${message}`,
        );
        resolve();
      };
    });
  }

  /**
   * Starts scoring: the collector hands every acknowledged order over from now on, and the model is built
   * in the background (orders received meanwhile are scored once it is ready).
   */
  static async open(
    collector: Collector,
    options: FraudOptions,
    log: (line: string) => void,
  ): Promise<FraudHook> {
    const hook = new FraudHook(collector, options, log);
    // The worker appends the scores to fraud_scores segments of its own; compaction takes them from it.
    collector.writtenElsewhere('fraud_scores', hook.scorer);
    collector.onAccepted = (table, records, lines) => hook.accept(table, records, lines);
    const hold = options.beforeModel ?? (() => Promise.resolve());
    hold()
      .catch((err: unknown) => log(`fraud: building the model anyway after: ${String(err)}`))
      .then(() => hook.scorer.build());
    return hook;
  }

  /** loading (building the model), ready (scoring), or failed (see the log). */
  get status(): ScoringStatus {
    return this.scorer.status;
  }

  /** Resolves once the model is built (or could not be). */
  modelReady(): Promise<void> {
    return this.ready;
  }

  /** Resolves once every order received so far is scored and its score stored (tests). */
  drained(): Promise<void> {
    return this.scorer.drained();
  }

  /**
   * Stops taking orders, scores and stores what was received (for up to CLOSE_WAIT_MS: what is left then
   * is scored from the lake at the next start), and flushes alerts.
   */
  async close(): Promise<void> {
    this.closed = true;
    this.collector.onAccepted = () => {};
    let timer: NodeJS.Timeout | undefined;
    const waited = new Promise<void>((resolve) => {
      timer = setTimeout(resolve, CLOSE_WAIT_MS);
    });
    await Promise.race([this.scorer.drained(), waited]);
    clearTimeout(timer);
    await this.scorer.close();
    await this.dispatcher?.close();
  }

  private accept(table: CollectedTable, records: CollectedRecord[], lines: string): void {
    if (this.closed) return;
    if (table === 'orders') this.scorer.addOrders(lines, records.length);
    else if (table === 'order_checks') this.scorer.addChecks(lines);
  }

  // Metrics and alerts (the worker stores the scores).
  private scored(batch: ScoredBatch): void {
    this.metrics.queue.set(batch.waiting + this.scorer.unsent);
    if (batch.live) {
      this.metrics.scores.addBatch(batch.buckets, batch.sum);
      if (batch.alerts.length > 0) this.metrics.alerts.inc(batch.alerts.length);
      for (const a of batch.alerts) {
        this.onAlert(a);
        this.dispatcher?.offer(a);
      }
    } else this.metrics.startupScored.inc(batch.count - batch.refused.length);
    if (batch.refused.length > 0)
      this.log(`fraud: ${batch.refused.length} scores refused: ${batch.refused[0]}`);
  }
}
