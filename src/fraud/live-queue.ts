import { FraudModel, type FraudScore } from './model.js';
import type { OrderFacts } from './order-facts.js';
import { RecentMap, RecentSet } from './recent-map.js';

/** The fraud checks of one order (POST /v1/order-checks), merged into its facts when they arrive. */
export type OrderChecks = Pick<OrderFacts, 'payment' | 'ipCountry' | 'deviceId' | 'accountAgeDays'>;

/** An acknowledged order waiting for its checks or its turn. */
interface Waiting {
  o: OrderFacts;
  arrived: number;
  done: boolean;
  early: boolean;
}

/** What is remembered between orders: at least this many of the latest checks and order ids (at most twice). */
export const KEEP_CHECKS = 200_000;
export const KEEP_RECENT_IDS = 200_000;

/**
 * The orders a live scorer has received and not scored yet, in arrival order. An order waits up to
 * `checkWaitMs` for its fraud checks; one whose checks are in is scored first. Each order id is scored
 * once: further lines of an order, and orders the model's state already holds (`remember`), are skipped.
 */
export class LiveQueue {
  /**
   * Arrival order; slots before `head` are emptied as it passes them. Kept until the array is cut down
   * (every few thousand orders), each scored order and its facts lived for seconds: past a young-generation
   * collection or two, so promoted to the old generation, where only a full collection frees them
   * (docs/BENCHMARKS.md, "Fraud scoring: per-thread CPU").
   */
  private queue: (Waiting | undefined)[] = [];
  private head = 0;
  private readonly waiting = new Map<string, Waiting>();
  private readonly early: Waiting[] = [];
  private readonly checks = new RecentMap<OrderChecks>(KEEP_CHECKS);
  private readonly recentIds = new RecentSet(KEEP_RECENT_IDS);

  constructor(private readonly checkWaitMs: number) {}

  /** Orders received and not scored yet. */
  get size(): number {
    return this.waiting.size;
  }

  /** Marks order ids as scored already (the lake's, after a rebuild): they are never scored again here. */
  remember(ids: Iterable<string>): void {
    for (const id of ids) this.recentIds.add(id);
  }

  /** Takes orders out of the queue unscored (the model's state holds them already, scored or not). */
  drop(ids: Iterable<string>): void {
    for (const id of ids) {
      const w = this.waiting.get(id);
      if (w === undefined) continue;
      w.done = true;
      this.waiting.delete(id);
    }
  }

  /** Whether an order id was received or remembered (and so is, or will be, scored). */
  has(id: string): boolean {
    return this.recentIds.has(id);
  }

  /**
   * Adds an acknowledged order (its first line; further lines of a known order id are skipped). The queue
   * takes the object over: its checks are written into it when they come.
   */
  addOrder(o: OrderFacts, now: number): void {
    if (!this.recentIds.add(o.orderId)) return;
    const checks = this.checks.get(o.orderId);
    const w: Waiting = { o, arrived: now, done: false, early: checks !== undefined };
    if (checks) {
      this.checks.delete(o.orderId);
      merge(o, checks);
      this.early.push(w);
    } else this.queue.push(w);
    this.waiting.set(o.orderId, w);
  }

  /** Adds an order's fraud checks: its order is scored at once if it waits, else when it comes. */
  addChecks(orderId: string, checks: OrderChecks): void {
    const waiting = this.waiting.get(orderId);
    if (waiting && !waiting.early) {
      merge(waiting.o, checks);
      waiting.early = true;
      this.early.push(waiting);
      return;
    }
    this.checks.set(orderId, checks);
  }

  /** Scores up to `max` orders that are due (checks in, or waited long enough), in turn. */
  scoreDue(
    model: FraudModel,
    threshold: number,
    now: number,
    max: number,
  ): { scores: FraudScore[]; facts: OrderFacts[] } {
    const scores: FraudScore[] = [];
    const facts: OrderFacts[] = [];
    const s = FraudModel.emptyScore();
    this.scoreDueInto(model, threshold, now, max, s, (o) => {
      scores.push({ ...s, reasons: [...s.reasons] });
      facts.push(o);
    });
    return { scores, facts };
  }

  /**
   * scoreDue without a score object per order: each score is written into `out` and handed to `each` with
   * its order before the next order is scored (the live worker writes its line there). Returns how many.
   */
  scoreDueInto(
    model: FraudModel,
    threshold: number,
    now: number,
    max: number,
    out: FraudScore,
    each: (o: OrderFacts) => void,
  ): number {
    let n = 0;
    while (n < max) {
      const w = this.next(now);
      if (!w) break;
      w.done = true;
      this.waiting.delete(w.o.orderId);
      model.scoreAndLearnInto(w.o, threshold, out);
      each(w.o);
      n++;
    }
    if (this.head > 4096 && this.head * 2 > this.queue.length) {
      this.queue = this.queue.slice(this.head);
      this.head = 0;
    }
    return n;
  }

  /**
   * The next up to `max` due orders, in the order scoreDueInto would score them, into `into[0..n)`; each is
   * taken off the queue as scored. Returns n. (The live scorer scores them together: FraudModel's
   * scoreAndLearnBatch, which walks the forest for many orders at once.)
   */
  takeDue(now: number, max: number, into: OrderFacts[]): number {
    let n = 0;
    while (n < max) {
      const w = this.next(now);
      if (!w) break;
      w.done = true;
      this.waiting.delete(w.o.orderId);
      into[n++] = w.o;
    }
    if (this.head > 4096 && this.head * 2 > this.queue.length) {
      this.queue = this.queue.slice(this.head);
      this.head = 0;
    }
    return n;
  }

  /** Milliseconds until the next order is due (0: now), or null when none waits. */
  dueIn(now: number): number | null {
    if (this.waiting.size === 0) return null;
    if (this.early.some((w) => !w.done)) return 0;
    while (this.head < this.queue.length && (this.queue[this.head]?.done ?? true))
      this.queue[this.head++] = undefined;
    const oldest = this.queue[this.head];
    if (oldest === undefined) return 0;
    return Math.max(0, oldest.arrived + this.checkWaitMs - now);
  }

  /** The next order to score: one whose checks arrived, else the oldest once it waited long enough. */
  private next(now: number): Waiting | undefined {
    for (;;) {
      const w = this.early.shift();
      if (w === undefined) break;
      if (!w.done) return w;
    }
    while (this.head < this.queue.length) {
      const w = this.queue[this.head];
      if (w === undefined || w.done) {
        this.queue[this.head++] = undefined;
        continue;
      }
      if (now - w.arrived < this.checkWaitMs) return undefined;
      this.queue[this.head++] = undefined;
      return w;
    }
    return undefined;
  }
}

// Writes an order's checks into its facts. In place, not a spread into a new object: the queue owns the
// facts until they are scored, and a copy per order was a large part of what the worker allocated.
function merge(o: OrderFacts, checks: OrderChecks): void {
  o.payment = checks.payment;
  o.ipCountry = checks.ipCountry;
  o.deviceId = checks.deviceId;
  o.accountAgeDays = checks.accountAgeDays;
}
