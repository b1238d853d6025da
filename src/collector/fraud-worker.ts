/**
 * The fraud scoring worker (a worker thread of `shoplake serve`, started by BackgroundScorer): builds
 * the model from the lake, then scores the orders the collector acknowledged, in arrival order, and sends
 * the scores to fraud_scores WAL segments of its own (fraud-score-store.ts), sending the collector only
 * counts and alerts. The collector's thread only hands the orders over, so scoring never competes with
 * requests on its event loop. One worker, not a
 * pool: each order is scored against the state every earlier order left, which is sequential by nature.
 */
import { writeFileSync } from 'node:fs';
import { setPriority } from 'node:os';
import { parentPort, workerData } from 'node:worker_threads';
import {
  type AlertOrder,
  alertOrder,
  type FraudModel,
  type FraudScore,
  type OrderFacts,
  openLake,
  type Rebuilt,
  rebuildFromLake,
} from '../fraud/index.js';
import { bucketCounts, countInto } from './batch-histogram.js';
import { LiveScoring } from './fraud-live.js';
import { SCORE_BUCKETS } from './fraud-metrics.js';
import { type FromWorker, toWorkerSchema, workerSettingsSchema } from './fraud-protocol.js';
import { ScoreLineWriter } from './fraud-score-line.js';
import { ScoreStore } from './fraud-score-store.js';

/** Orders scored per message at most: new records and drain requests are read between batches. */
const BATCH = 2000;
/**
 * Least time between two batches of orders that waited out their check wait: a batch costs a message each
 * way and an event-loop turn on both threads, and under load orders come due every millisecond. Orders
 * whose checks are in are scored at once. As long as the collector's hand-over interval (fraud-scorer.ts
 * HANDOVER_MS): a turn of the worker costs more than scoring the orders it takes.
 */
const GAP_MS = 400;

const port = parentPort;
if (port === null) throw new Error('fraud-worker.js runs as a worker thread (BackgroundScorer starts it)');
const settings = workerSettingsSchema.parse(workerData);
try {
  // On Linux the nice value is per thread: requests on the collector's thread win the CPU over scoring
  // when both want it (scoring catches up in the pauses; alerts still come within the latency goal).
  setPriority(5);
} catch {
  // Not permitted here: scoring still works, only without yielding.
}
try {
  // Named so that `top -H` and /proc/<pid>/task tell it from the collector's thread (all are "node" else).
  writeFileSync('/proc/thread-self/comm', 'fraud-scoring');
} catch {
  // Not Linux: the name is only a convenience.
}

const live = new LiveScoring(settings.checkWaitMs);
const queue = live.queue;
const writer = new ScoreLineWriter(settings.weights.version);
let model: FraudModel | null = null;
let failed = false;
let timer: NodeJS.Timeout | null = null;
let timerAt = Number.POSITIVE_INFINITY;
const drains: number[] = [];
const send = (m: FromWorker) => port.postMessage(m);
const store = new ScoreStore(settings.dataDir, settings.storeEveryMs, settings.storeMaxRecords);
store.onStored = (s) => send({ type: 'stored', ...s });
store.onFailed = (records, message) => send({ type: 'storeFailed', records, message });

port.on('message', (raw: unknown) => {
  const m = toWorkerSchema.parse(raw);
  switch (m.type) {
    case 'build':
      void build();
      return;
    case 'records': {
      const now = Date.now();
      live.receive(m.orders, m.checks, now);
      scheduleDue(now);
      return;
    }
    case 'drain':
      drains.push(m.id);
      settle();
      return;
    case 'synced':
      onSynced();
      return;
    case 'seal':
      void store.seal().then(
        (segments) => send({ type: 'sealed', id: m.id, segments }),
        // A failed seal (closing the file) hands nothing out: the segment stays on disk for the next start.
        () => send({ type: 'sealed', id: m.id, segments: [] }),
      );
      return;
    case 'close':
      sendScores();
      void store.close().then(
        (segments) => send({ type: 'sealed', id: null, segments }),
        () => send({ type: 'sealed', id: null, segments: [] }),
      );
      return;
  }
});

async function build(): Promise<void> {
  const started = performance.now();
  let rebuilt: Rebuilt;
  try {
    const engine = await openLake(settings.dataDir);
    try {
      rebuilt = await rebuildFromLake(engine, settings.weights, settings.threshold, {
        batch: BATCH,
        ...(settings.keepUnscored !== undefined ? { keepUnscored: settings.keepUnscored } : {}),
        onScores: postLakeScores,
        onProgress: (phase, done) => send({ type: 'progress', phase, done }),
      });
    } finally {
      await engine.close();
    }
    await synced();
  } catch (err) {
    failed = true;
    send({ type: 'failed', message: err instanceof Error ? err.message : String(err) });
    settle();
    return;
  }
  goLive(rebuilt, performance.now() - started);
}

let syncing: Promise<void> | null = null;
let onSynced = () => {};
/**
 * Resolves once the collector has sent every record it had acknowledged when it read 'sync'. Asked for
 * once the lake's read has begun (its first scores, or its end): every order the read sees was
 * acknowledged before, so from then on the queue tells which of them arrived live.
 */
function synced(): Promise<void> {
  if (syncing === null) {
    syncing = new Promise<void>((resolve) => {
      onSynced = resolve;
    });
    send({ type: 'sync' });
  }
  return syncing;
}

// The lake's unscored orders, scored as the rebuild reads the lake (a batch at a time, however many there
// are): those that arrived live meanwhile (the compactor moved them into the lake before it was read) count
// and alert as live, the others (acknowledged by an earlier run that stopped before scoring them, or loaded
// from files without a score) are only stored.
async function postLakeScores(scores: FraudScore[], facts: OrderFacts[]): Promise<void> {
  await synced();
  const live: number[] = [];
  const earlier: number[] = [];
  scores.forEach((s, i) => {
    (queue.has(s.orderId) ? live : earlier).push(i);
  });
  const pick = (idx: number[]) => ({
    scores: idx.map((i) => scores[i] as FraudScore),
    facts: idx.map((i) => facts[i] as OrderFacts),
  });
  const e = pick(earlier);
  const l = pick(live);
  post(e.scores, e.facts, false);
  post(l.scores, l.facts, true);
}

// Each order is scored once: every order the state holds is dropped from the live queue and remembered.
function goLive(rebuilt: Rebuilt, buildMs: number): void {
  const { unscored, known } = rebuilt;
  queue.drop(known);
  queue.remember(known);
  model = rebuilt.model;
  send({ type: 'ready', unscored, orders: known.length, ms: Math.round(buildMs) });
  schedule(0);
}

// Runs work() in `delay` ms, or sooner if it is already due sooner.
function schedule(delay: number): void {
  if (model === null) return;
  const at = Date.now() + delay;
  if (timer !== null) {
    if (at >= timerAt) return;
    clearTimeout(timer);
  }
  timerAt = at;
  timer = setTimeout(work, delay);
}

// Scores at once what is due now (checks in, or a full batch left over), else after the next order's wait
// and at least GAP_MS.
function scheduleDue(now: number): void {
  const due = queue.dueIn(now);
  if (due !== null) schedule(due === 0 ? 0 : Math.max(due, GAP_MS));
}

function work(): void {
  timer = null;
  timerAt = Number.POSITIVE_INFINITY;
  if (model === null) return;
  outbox.at = Date.now();
  if (live.scoreDue(model, settings.threshold, outbox.at, BATCH, scoredLive) > 0) {
    outbox.toStore();
    posted();
  }
  scheduleDue(Date.now());
  settle();
}

/**
 * Counts and alerts of live scores wait here up to SEND_MS (or SEND_MAX scores) and go to the collector in
 * one message; a batch with an alert goes at once, with what waited before it. Each message costs both
 * threads an event-loop turn (docs/BENCHMARKS.md, "Fraud scoring: fewer, larger hand-overs"). The scores
 * themselves go to the worker's own WAL (ScoreStore), never to the collector's thread.
 */
const SEND_MS = 400;
const SEND_MAX = 4000;

/** Counts and alerts gathered for one message to the collector; the score lines go to the store. */
class Outbox {
  count = 0;
  /**
   * The scores counted per SCORE_BUCKETS bucket as they come (what bucketCounts gives for their list): an
   * array of every score, grown as it filled and made again per message, was garbage per order.
   */
  buckets: number[] = bucketCounts([], SCORE_BUCKETS);
  refused: string[] = [];
  alerts: AlertOrder[] = [];
  sum = 0;

  /** When the scores being added were scored (their scored_at). */
  at = 0;
  /** Lines written to the store's buffer and not told to it yet. */
  private written = 0;

  add(scores: FraudScore[], facts: OrderFacts[], live: boolean): void {
    this.at = Date.now();
    for (let i = 0; i < scores.length; i++) this.one(scores[i] as FraudScore, facts[i], live);
    this.toStore();
  }

  /** Tells the store of the lines written since the last call (once a batch: it may flush then). */
  toStore(): void {
    store.added(this.written);
    this.written = 0;
  }

  /** One score: its line to the store, its counts here, an alert for a live one above the threshold. */
  one(s: FraudScore, o: OrderFacts | undefined, live: boolean): void {
    if (live && s.alert) this.alerts.push(alertOrder(s, o?.amount ?? null));
    const key = writer.appendTo(store.lines, s, this.at);
    if (typeof key === 'string') this.written++;
    else this.refused.push(key.refused);
    countInto(this.buckets, SCORE_BUCKETS, s.score);
    this.sum += s.score;
    this.count++;
  }

  get size(): number {
    return this.count;
  }

  send(live: boolean): void {
    if (this.count === 0) return;
    send({
      type: 'scored',
      live,
      count: this.count,
      refused: this.refused,
      buckets: this.buckets,
      sum: this.sum,
      alerts: this.alerts,
      waiting: queue.size,
    });
    this.count = 0;
    this.buckets = bucketCounts([], SCORE_BUCKETS);
    this.refused = [];
    this.alerts = [];
    this.sum = 0;
  }
}

const outbox = new Outbox();
let outTimer: NodeJS.Timeout | null = null;
/** Each live score as the queue scores it (live.score, reused order after order). */
const scoredLive = (o: OrderFacts) => outbox.one(live.score, o, true);

function post(scores: FraudScore[], facts: OrderFacts[], live: boolean): void {
  if (scores.length === 0) return;
  if (!live) {
    // The lake's unscored orders at start: batches of BATCH already, counted as they come.
    const lake = new Outbox();
    lake.add(scores, facts, false);
    lake.send(false);
    return;
  }
  outbox.add(scores, facts, true);
  posted();
}

// Live scores were added to the outbox: sent at once with an alert or when full, else within SEND_MS.
function posted(): void {
  if (outbox.alerts.length > 0 || outbox.size >= SEND_MAX) sendScores();
  else if (outTimer === null) outTimer = setTimeout(sendScores, SEND_MS);
}

function sendScores(): void {
  if (outTimer !== null) clearTimeout(outTimer);
  outTimer = null;
  outbox.send(true);
}

// Answers the drain requests once every order received is scored, with the counts that waited to be sent,
// and its score durable.
function settle(): void {
  if (drains.length === 0 || (!failed && (model === null || queue.size > 0))) return;
  sendScores();
  const ids = drains.splice(0);
  void store.flush().then(() => {
    for (const id of ids) send({ type: 'drained', id });
  });
}
