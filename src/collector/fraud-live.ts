import { blankFacts, FraudModel, type FraudScore, LiveQueue, type OrderFacts } from '../fraud/index.js';
import { eachLine, RecordBytes } from './fraud-order-bytes.js';
import { CHECK_FIELDS, checksOfLine, ORDER_FIELDS, orderOfLine } from './fraud-protocol.js';
import { WalFields, type WalValue } from './wal-fields.js';

/**
 * The scoring worker's per-order path (fraud-worker.ts), apart from its messages, timers and store so that
 * a test can drive it: records messages read from their bytes into the live queue, and due orders scored in
 * turn (the forest walked for many at once: FraudModel.scoreAndLearnBatch) into one reused score object that
 * `onScore` reads (to write its line) before the next order's score is written. No object is made per scored
 * order here.
 */
export class LiveScoring {
  readonly queue: LiveQueue;
  /**
   * The records of a message, read from their bytes in place; a line out of the plain form read there is
   * decoded and read as text (WalFields, else JSON.parse), as every line was before.
   */
  private readonly records = new RecordBytes();
  private readonly orderFields = new WalFields(ORDER_FIELDS);
  private readonly checkFields = new WalFields(CHECK_FIELDS);
  /** One line's wanted fields, reused line after line (an object per line was a large part of the allocations). */
  private readonly values: WalValue[] = [];
  /** The due orders of one scoreDue, reused call after call. */
  private readonly due: OrderFacts[] = [];
  /** The score of the order being handed to onScore: valid until the next order is scored. */
  readonly score: FraudScore = FraudModel.emptyScore();
  private now = 0;
  // Bound once: a closure made per message or per line would be garbage of its own.
  private readonly onCheckLine = (from: number, to: number): void => {
    const read =
      this.records.orderChecks(from, to) ??
      checksOfLine(this.records.line(from, to), this.checkFields, this.values);
    this.queue.addChecks(read.orderId, read.checks);
  };
  /** One order's facts, read line after line into this object (the queue copies them into a slot of its own). */
  private readonly facts: OrderFacts = blankFacts();
  private readonly onOrderLine = (from: number, to: number): void => {
    this.queue.addOrder(
      this.records.orderFactsInto(from, to, this.facts)
        ? this.facts
        : orderOfLine(this.records.line(from, to), this.orderFields, this.values),
      this.now,
    );
  };

  constructor(checkWaitMs: number) {
    this.queue = new LiveQueue(checkWaitMs);
  }

  /** One hand-over: the WAL bytes of acknowledged order_checks and orders records, received at `now`. */
  receive(orders: Uint8Array, checks: Uint8Array, now: number): void {
    this.now = now;
    this.records.use(checks);
    eachLine(checks, this.onCheckLine);
    this.records.use(orders);
    eachLine(orders, this.onOrderLine);
  }

  /**
   * Scores up to `max` due orders in turn; for each, `onScore(order)` runs with its score in `this.score`
   * (overwritten by the next order's). Returns how many were scored.
   */
  scoreDue(
    model: FraudModel,
    threshold: number,
    now: number,
    max: number,
    onScore: (o: OrderFacts) => void,
  ): number {
    const n = this.queue.takeDue(now, max, this.due);
    model.scoreAndLearnBatch(this.due, n, threshold, this.score, onScore);
    // The orders are let go once scored (one array grown again per call, not per order).
    this.due.length = 0;
    return n;
  }
}
