import type { FraudScore } from './model.js';
import { lakeTimestamp } from './records.js';

/** What an alert says about one order. */
export interface AlertOrder {
  order_id: string;
  customer_id: string | null;
  order_date: string;
  amount: number | null;
  score: number;
  reasons: string[];
}

/** The JSON body POSTed to the webhook: the order that raised it, and those grouped into it since. */
export interface AlertBody {
  type: 'fraud_alert';
  customer_id: string | null;
  order: AlertOrder;
  score: number;
  reasons: string[];
  /** Further alerts of the same customer within the group window, sent once the window closes. */
  grouped: AlertOrder[];
}

/** How the webhook is called. */
export interface AlertOptions {
  url: string;
  /** Alerts of one customer within this window go out as one (the first at once, the rest when it closes). */
  groupWindowMs?: number;
  /** Attempts per alert (first try included), with exponential backoff from retryBaseMs. */
  attempts?: number;
  retryBaseMs?: number;
  timeoutMs?: number;
  /** Alerts waiting for delivery above which the oldest are dropped (and counted). */
  maxQueue?: number;
  /** Deliveries at once. */
  concurrency?: number;
  onOutcome?: (outcome: 'delivered' | 'retried' | 'failed' | 'dropped', body: AlertBody) => void;
  log?: (line: string) => void;
}

/** An alert about one scored order. */
export function alertOrder(s: FraudScore, amount: number | null): AlertOrder {
  return {
    order_id: s.orderId,
    customer_id: s.customerId,
    order_date: lakeTimestamp(s.t),
    amount,
    score: Math.round(s.score * 10_000) / 10_000,
    reasons: s.reasons,
  };
}

/**
 * Sends alerts to a webhook without ever making the caller wait: `offer` only queues. Deliveries retry
 * with exponential backoff and jitter on network errors, timeouts, 429 and 5xx; other 4xx answers are
 * final. A customer's alerts within the group window are grouped into one follow-up.
 */
export class AlertDispatcher {
  private readonly queue: { body: AlertBody; attempt: number }[] = [];
  private readonly groups = new Map<
    string,
    { until: number; pending: AlertOrder[]; first: AlertOrder; timer: NodeJS.Timeout }
  >();
  private active = 0;
  private readonly timers = new Set<NodeJS.Timeout>();
  private closed = false;
  private readonly o: Required<Omit<AlertOptions, 'onOutcome' | 'log'>> &
    Pick<AlertOptions, 'onOutcome' | 'log'>;

  constructor(options: AlertOptions) {
    this.o = {
      groupWindowMs: 10 * 60_000,
      attempts: 6,
      retryBaseMs: 250,
      timeoutMs: 5_000,
      maxQueue: 10_000,
      concurrency: 4,
      ...options,
    };
  }

  /** Queues an alert (or adds it to its customer's open group); returns at once. */
  offer(order: AlertOrder, now = Date.now()): 'queued' | 'grouped' {
    const key = order.customer_id;
    const group = key === null ? undefined : this.groups.get(key);
    if (group && now < group.until) {
      group.pending.push(order);
      return 'grouped';
    }
    if (key !== null && !this.closed) {
      const timer = setTimeout(() => this.closeGroup(key), this.o.groupWindowMs);
      timer.unref();
      this.groups.set(key, { until: now + this.o.groupWindowMs, pending: [], first: order, timer });
    }
    this.enqueue({
      type: 'fraud_alert',
      customer_id: key,
      order,
      score: order.score,
      reasons: order.reasons,
      grouped: [],
    });
    return 'queued';
  }

  /** Alerts waiting or being delivered. */
  get backlog(): number {
    return this.queue.length + this.active;
  }

  /** Stops: sends each open group's follow-up once (no retries) and waits at most `waitMs` for deliveries. */
  async close(waitMs = 2_000): Promise<void> {
    this.closed = true;
    for (const key of [...this.groups.keys()]) this.closeGroup(key);
    for (const t of this.timers) clearTimeout(t);
    this.timers.clear();
    const until = Date.now() + waitMs;
    while (this.backlog > 0 && Date.now() < until) await new Promise((r) => setTimeout(r, 20));
  }

  private closeGroup(key: string): void {
    const group = this.groups.get(key);
    if (!group) return;
    clearTimeout(group.timer);
    this.groups.delete(key);
    if (group.pending.length === 0) return;
    const top = group.pending.reduce((a, b) => (b.score > a.score ? b : a));
    this.enqueue({
      type: 'fraud_alert',
      customer_id: key,
      order: top,
      score: top.score,
      reasons: top.reasons,
      grouped: group.pending,
    });
  }

  private enqueue(body: AlertBody, attempt = 0): void {
    if (this.queue.length >= this.o.maxQueue) {
      const dropped = this.queue.shift();
      if (dropped) this.o.onOutcome?.('dropped', dropped.body);
    }
    this.queue.push({ body, attempt });
    this.pump();
  }

  private pump(): void {
    while (this.active < this.o.concurrency) {
      const item = this.queue.shift();
      if (!item) return;
      this.active++;
      void this.deliver(item).finally(() => {
        this.active--;
        this.pump();
      });
    }
  }

  private async deliver(item: { body: AlertBody; attempt: number }): Promise<void> {
    let retry: boolean;
    let why: string;
    try {
      const res = await fetch(this.o.url, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(item.body),
        signal: AbortSignal.timeout(this.o.timeoutMs),
      });
      await res.arrayBuffer().catch(() => undefined);
      if (res.ok) {
        this.o.onOutcome?.('delivered', item.body);
        return;
      }
      retry = res.status === 429 || res.status >= 500;
      why = `HTTP ${res.status}`;
    } catch (err) {
      retry = true;
      why =
        err instanceof Error ? (err.cause instanceof Error ? err.cause.message : err.message) : String(err);
    }
    if (retry && item.attempt + 1 < this.o.attempts && !this.closed) {
      this.o.onOutcome?.('retried', item.body);
      const delay = this.o.retryBaseMs * 2 ** item.attempt * (0.5 + Math.random());
      const timer = setTimeout(() => {
        this.timers.delete(timer);
        this.enqueue(item.body, item.attempt + 1);
      }, delay);
      timer.unref();
      this.timers.add(timer);
      return;
    }
    this.o.onOutcome?.('failed', item.body);
    this.o.log?.(
      `fraud alert for order ${item.body.order.order_id} not delivered after ${item.attempt + 1} attempts: ${why}`,
    );
  }
}
