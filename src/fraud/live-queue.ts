import { FraudModel, type FraudScore } from './model.js';
import type { OrderFacts } from './order-facts.js';
import { RecentMap, RecentSet } from './recent-map.js';
import { WaitingOrders } from './waiting-orders.js';

/** The fraud checks of one order (POST /v1/order-checks), merged into its facts when they arrive. */
export type OrderChecks = Pick<OrderFacts, 'payment' | 'ipCountry' | 'deviceId' | 'accountAgeDays'>;

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
   * The orders waiting, in reused slots (WaitingOrders): a queue entry, a facts object and a Map entry per
   * order were most of what the scoring worker allocated once its scores were written in place.
   */
  private readonly waiting = new WaitingOrders();
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
      const slot = this.waiting.find(id);
      if (slot >= 0) this.waiting.remove(slot);
    }
  }

  /** Whether an order id was received or remembered (and so is, or will be, scored). */
  has(id: string): boolean {
    return this.recentIds.has(id);
  }

  /**
   * Adds an acknowledged order (its first line; further lines of a known order id are skipped). The queue
   * keeps a copy of its facts (in a slot of its own): the caller may reuse `o` at once.
   */
  addOrder(o: OrderFacts, now: number): void {
    if (!this.recentIds.add(o.orderId)) return;
    const checks = this.checks.get(o.orderId);
    const slot = this.waiting.add(o, now, checks !== undefined);
    if (checks) {
      this.checks.delete(o.orderId);
      merge(this.waiting.factsOf(slot), checks);
    }
  }

  /** Adds an order's fraud checks: its order is scored at once if it waits, else when it comes. */
  addChecks(orderId: string, checks: OrderChecks): void {
    const slot = this.waiting.find(orderId);
    if (slot >= 0 && !this.waiting.isEarly(slot)) {
      merge(this.waiting.factsOf(slot), checks);
      this.waiting.markEarly(slot);
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
      // A copy: `o` is the queue's slot, taken again by a later order.
      facts.push({ ...o });
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
      const slot = this.next(now);
      if (slot < 0) break;
      // Freed before it is scored (as the Map entry was deleted before): its facts stay as they are until
      // the next addOrder, which cannot come while it is scored and handed to `each`.
      this.waiting.remove(slot);
      const o = this.waiting.factsOf(slot);
      model.scoreAndLearnInto(o, threshold, out);
      each(o);
      n++;
    }
    return n;
  }

  /**
   * The next up to `max` due orders, in the order scoreDueInto would score them, into `into[0..n)`; each is
   * taken off the queue as scored, its facts the queue's slot (valid until the next addOrder). Returns n. (The live scorer scores them together: FraudModel's
   * scoreAndLearnBatch, which walks the forest for many orders at once.)
   */
  takeDue(now: number, max: number, into: OrderFacts[]): number {
    let n = 0;
    while (n < max) {
      const slot = this.next(now);
      if (slot < 0) break;
      // Freed as it is taken, like scoreDueInto: the slot's facts stay as they are until the next addOrder,
      // which cannot come before the caller has scored them.
      this.waiting.remove(slot);
      into[n++] = this.waiting.factsOf(slot);
    }
    return n;
  }

  /** Milliseconds until the next order is due (0: now), or null when none waits. */
  dueIn(now: number): number | null {
    if (this.waiting.size === 0) return null;
    if (this.waiting.hasEarly()) return 0;
    const oldest = this.waiting.oldestWaiting();
    if (oldest < 0) return 0;
    return Math.max(0, this.waiting.arrivedAt(oldest) + this.checkWaitMs - now);
  }

  /** The next order's slot to score: one whose checks arrived, else the oldest once it waited long enough; −1 when none. */
  private next(now: number): number {
    const early = this.waiting.takeEarly();
    if (early >= 0) return early;
    const oldest = this.waiting.oldestWaiting();
    if (oldest < 0 || now - this.waiting.arrivedAt(oldest) < this.checkWaitMs) return -1;
    this.waiting.shiftArrival();
    return oldest;
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
