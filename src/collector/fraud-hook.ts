import {
  AlertDispatcher,
  alertOrder,
  type FraudModel,
  type FraudScore,
  loadWeights,
  type OrderFacts,
  openLake,
  rebuildFromLake,
  scoreRecord,
} from '../fraud/index.js';
import type { Collector } from './collector.js';
import { FraudMetrics } from './fraud-metrics.js';
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
}

type Checks = Pick<OrderFacts, 'payment' | 'ipCountry' | 'deviceId' | 'accountAgeDays'>;
/** An acknowledged order waiting for its checks or its turn. */
interface Waiting {
  o: OrderFacts;
  arrived: number;
  done: boolean;
  early: boolean;
}
/** Orders scored per turn of the event loop at most, and milliseconds: a burst never holds up requests. */
const CHUNK = 500;
const SLICE_MS = 2;
/**
 * Scores are stored in groups: at most this many milliseconds after the first of a group, or once this
 * many wait. One WAL append (one fsync) per group instead of per order keeps the collector's disk for the
 * orders; a score lost with its group in a crash is recomputed from the lake at the next start.
 */
const FLUSH_MS = 250;
const FLUSH_RECORDS = 2000;
/** Bounds on what is remembered between requests. */
const MAX_CHECKS = 200_000;
const MAX_RECENT_IDS = 200_000;

const text = (v: string | number | undefined) => (v === undefined ? null : String(v));
const utcMs = (v: string | number | undefined) => Date.parse(`${String(v).replace(' ', 'T')}Z`);

/**
 * Scores every order the collector acknowledges, after the acknowledgement (never on the request's
 * path): features against the state rebuilt from the lake at start, the score stored in fraud_scores
 * through the collector's own WAL, and an alert above the threshold. Orders acknowledged but not scored
 * when the process stopped are scored from the lake at the next start.
 */
export class FraudHook {
  readonly metrics: FraudMetrics;
  /** Orders waiting to be scored, by arrival (`head` is the first not yet taken), and by id. */
  private queue: Waiting[] = [];
  private head = 0;
  private readonly waiting = new Map<string, Waiting>();
  /** Waiting orders whose checks have arrived: scored first. */
  private readonly early: Waiting[] = [];
  private readonly checks = new Map<string, Checks>();
  private readonly recentIds = new Set<string>();
  private readonly dispatcher: AlertDispatcher | null;
  private timer: NodeJS.Timeout | null = null;
  private working = false;
  private closed = false;
  private idle: (() => void)[] = [];
  private unsaved: FraudScore[] = [];
  private flushTimer: NodeJS.Timeout | null = null;
  private flushing: Promise<void> = Promise.resolve();
  /** Called with each alert (tests, benchmarks). */
  onAlert: (s: FraudScore) => void = () => {};

  private constructor(
    private readonly collector: Collector,
    private readonly model: FraudModel,
    private readonly threshold: number,
    private readonly options: FraudOptions,
    private readonly log: (line: string) => void,
  ) {
    this.metrics = new FraudMetrics(collector.metrics.registry, collector.metrics.monitoring.fraudAlerts);
    this.dispatcher = options.webhook
      ? new AlertDispatcher({
          url: options.webhook,
          ...(options.groupWindowMs !== undefined ? { groupWindowMs: options.groupWindowMs } : {}),
          ...(options.retryBaseMs !== undefined ? { retryBaseMs: options.retryBaseMs } : {}),
          onOutcome: (outcome) => this.metrics.webhook.labels(outcome).inc(),
          log,
        })
      : null;
  }

  /** Rebuilds the model from the lake, scores what was left unscored, and starts listening to the collector. */
  static async open(
    collector: Collector,
    options: FraudOptions,
    log: (line: string) => void,
  ): Promise<FraudHook> {
    const weights = loadWeights(collector.dataDir);
    const engine = await openLake(collector.dataDir);
    let rebuilt: Awaited<ReturnType<typeof rebuildFromLake>>;
    try {
      rebuilt = await rebuildFromLake(engine, weights);
    } finally {
      await engine.close();
    }
    const hook = new FraudHook(
      collector,
      rebuilt.model,
      options.threshold ?? weights.threshold,
      options,
      log,
    );
    if (rebuilt.unscored.length > 0) {
      await hook.store(rebuilt.unscored.map((s) => ({ ...s, alert: s.score >= hook.threshold })));
      log(`fraud: scored ${rebuilt.unscored.length} orders the lake held without a score`);
    }
    collector.onAccepted = (table, records) => hook.accept(table, records);
    return hook;
  }

  /** Resolves once every order received so far is scored (tests). */
  async drained(): Promise<void> {
    if (this.waiting.size > 0 || this.working) await new Promise<void>((resolve) => this.idle.push(resolve));
    await this.flush();
  }

  /** Stops scoring (what is still queued is scored from the lake at the next start) and flushes alerts. */
  async close(): Promise<void> {
    this.closed = true;
    if (this.timer) clearTimeout(this.timer);
    this.collector.onAccepted = () => {};
    await this.flush();
    await this.dispatcher?.close();
  }

  private accept(table: CollectedTable, records: CollectedRecord[]): void {
    if (this.closed) return;
    if (table === 'order_checks') {
      for (const r of records) {
        const id = String(r.order_id);
        const checks: Checks = {
          payment: text(r.payment_method),
          ipCountry: text(r.ip_country),
          deviceId: text(r.device_id),
          accountAgeDays: r.account_age_days === undefined ? null : Number(r.account_age_days),
        };
        const waiting = this.waiting.get(id);
        if (waiting && !waiting.early) {
          // Its order is already waiting: it can be scored now.
          waiting.o = { ...waiting.o, ...checks };
          waiting.early = true;
          this.early.push(waiting);
          continue;
        }
        if (this.checks.size >= MAX_CHECKS) this.checks.delete(this.checks.keys().next().value as string);
        this.checks.set(id, checks);
      }
    } else if (table === 'orders') {
      const now = Date.now();
      for (const r of records) {
        const id = String(r.order_id);
        // Further lines of an order already scored (the score is per order).
        if (this.recentIds.has(id)) continue;
        if (this.recentIds.size >= MAX_RECENT_IDS)
          this.recentIds.delete(this.recentIds.values().next().value as string);
        this.recentIds.add(id);
        const checks = this.checks.get(id);
        const w: Waiting = { o: facts(r), arrived: now, done: false, early: checks !== undefined };
        if (checks) {
          this.checks.delete(id);
          w.o = { ...w.o, ...checks };
          this.early.push(w);
        } else this.queue.push(w);
        this.waiting.set(id, w);
      }
      this.metrics.queue.set(this.waiting.size);
    } else return;
    this.schedule(0);
  }

  private schedule(delay: number): void {
    if (this.timer || this.closed) return;
    this.timer = setTimeout(() => {
      this.timer = null;
      this.work();
    }, delay);
  }

  /** The next order to score: one whose checks arrived, else the oldest once it waited long enough. */
  private next(now: number, wait: number): Waiting | undefined {
    for (;;) {
      const w = this.early.shift();
      if (w === undefined) break;
      if (!w.done) return w;
    }
    while (this.head < this.queue.length) {
      const w = this.queue[this.head] as Waiting;
      if (w.done) {
        this.head++;
        continue;
      }
      if (now - w.arrived < wait) return undefined;
      this.head++;
      return w;
    }
    return undefined;
  }

  // Scores in slices of SLICE_MS, so that requests keep being answered during a burst.
  private work(): void {
    if (this.working || this.closed) return;
    this.working = true;
    const wait = this.options.checkWaitMs ?? 300;
    const now = Date.now();
    const sliceEnd = performance.now() + SLICE_MS;
    const scores: FraudScore[] = [];
    const scored: OrderFacts[] = [];
    try {
      while (scores.length < CHUNK && (scores.length === 0 || performance.now() < sliceEnd)) {
        const w = this.next(now, wait);
        if (!w) break;
        w.done = true;
        this.waiting.delete(w.o.orderId);
        scores.push(this.model.scoreAndLearn(w.o, this.threshold));
        scored.push(w.o);
      }
    } catch (err) {
      this.log(
        `fraud scoring failed (the orders are scored from the lake at the next start): ${err instanceof Error ? err.message : String(err)}`,
      );
    } finally {
      this.working = false;
    }
    if (this.head > 4096 && this.head * 2 > this.queue.length) {
      this.queue = this.queue.slice(this.head);
      this.head = 0;
    }
    this.metrics.queue.set(this.waiting.size);
    if (scores.length > 0) this.publish(scores, scored);
    if (this.waiting.size === 0) {
      for (const resolve of this.idle.splice(0)) resolve();
      return;
    }
    const oldest = this.queue[this.head];
    const ready = this.early.length > 0 || oldest === undefined || Date.now() - oldest.arrived >= wait;
    this.schedule(ready ? 0 : oldest.arrived + wait - Date.now());
  }

  // Metrics and alerts right after the score; the score itself joins the next stored group.
  private publish(scores: FraudScore[], facts: OrderFacts[]): void {
    scores.forEach((s, i) => {
      this.metrics.scores.observe(s.score);
      if (!s.alert) return;
      this.metrics.alerts.inc();
      this.onAlert(s);
      this.dispatcher?.offer(alertOrder(s, facts[i]?.amount ?? null));
    });
    this.unsaved.push(...scores);
    if (this.unsaved.length >= FLUSH_RECORDS) this.flush();
    else if (!this.flushTimer) {
      this.flushTimer = setTimeout(() => this.flush(), FLUSH_MS);
    }
  }

  /** Stores the waiting scores (one WAL append); resolves when they are durable. */
  private flush(): Promise<void> {
    if (this.flushTimer) clearTimeout(this.flushTimer);
    this.flushTimer = null;
    const group = this.unsaved;
    this.unsaved = [];
    if (group.length > 0)
      this.flushing = this.flushing
        .then(() => this.store(group))
        .catch((err: unknown) => {
          this.log(
            `fraud: storing ${group.length} scores failed (they are recomputed from the lake at the next start): ${err instanceof Error ? err.message : String(err)}`,
          );
        });
    return this.flushing;
  }

  // Scores go through the collector's validation, dedup (one score per order id) and WAL like any record.
  private async store(scores: FraudScore[]): Promise<void> {
    const now = Date.now();
    const items = scores.map((s, index) => ({
      index,
      value: scoreRecord(s, this.model.weights.version, now),
    }));
    const result = await this.collector.collect('fraud_scores', { items, unparsable: [] });
    if (result.rejected > 0)
      this.log(`fraud: ${result.rejected} scores refused: ${result.errors[0]?.reason ?? ''}`);
  }
}

function facts(r: CollectedRecord): OrderFacts {
  return {
    orderId: String(r.order_id),
    customerId: text(r.customer_id),
    productId: String(r.product_id),
    quantity: Number(r.quantity),
    amount: Number(r.total_amount),
    t: utcMs(r.order_date),
    status: text(r.status),
    region: text(r.region),
    payment: null,
    ipCountry: null,
    deviceId: null,
    accountAgeDays: null,
  };
}
