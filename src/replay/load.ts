import { Pool } from 'undici';
import { UserError } from '../errors/index.js';
import { type Json, nth, type ReplaySource } from './source.js';
import { percentiles } from './stats.js';

export interface ReplayOptions {
  target: string;
  key: string;
  /** Records per second (before the Black-Friday multiplier). */
  rate: number;
  durationSeconds: number;
  batch: number;
  concurrency: number;
  /** Rate multiplier during the middle third of the run (1 = none). */
  blackFriday: number;
  /** Tag ids so that every run sends new records (load tests); null replays records as they are. */
  tag: string | null;
}

/** What a replay achieved. */
export interface ReplayResult {
  seconds: number;
  targetRecords: number;
  ackedRecords: number;
  requests: number;
  achievedRate: number;
  targetRate: number;
  latencyMs: { p50: number; p95: number; p99: number };
  /** Failed requests by status code ('network' for connection errors). */
  errors: Record<string, number>;
  /** The first connection error's message (e.g. `connect ECONNREFUSED 127.0.0.1:8080`), or null. */
  networkCause: string | null;
  /** Achieved at least 95 % of the target rate with no failed request. */
  held: boolean;
}

const LOOPBACK = new Set(['localhost', '127.0.0.1', '[::1]', '::1']);

/** The collector's base URL; only loopback targets, so a replay can never flood someone else's server. */
export function loopbackTarget(target: string): URL {
  let url: URL;
  try {
    url = new URL(target);
  } catch {
    throw new UserError(`--target ${target} is not a URL: use http://127.0.0.1:8080`);
  }
  if (url.protocol !== 'http:' || !(LOOPBACK.has(url.hostname) || url.hostname.startsWith('127.'))) {
    throw new UserError(
      `--target must be an http:// loopback address (127.0.0.1, localhost, [::1]), not ${target}`,
    );
  }
  return url;
}

/**
 * Open-loop load: records are due at the target rate whatever the latency, sent in batches by at most
 * `concurrency` requests at once; falling behind shows up as an achieved rate below the target.
 */
export async function replay(source: ReplaySource, o: ReplayOptions): Promise<ReplayResult> {
  const base = loopbackTarget(o.target);
  // undici's pool costs the client a fraction of node:http's CPU per request, which matters when the
  // load generator shares the machine with the collector.
  const pool = new Pool(base.origin, { connections: o.concurrency, pipelining: 1, keepAliveTimeout: 30_000 });
  const paths = { orders: new URL('v1/orders', base).pathname, events: new URL('v1/events', base).pathname };
  const headers = { authorization: `Bearer ${o.key}`, 'content-type': 'application/json' };
  const share = source.orders.length / Math.max(1, source.orders.length + source.events.length);
  const cursor = { orders: 0, events: 0 };
  const latencies: number[] = [];
  const errors: Record<string, number> = {};
  let inFlight = 0;
  let sent = 0;
  let acked = 0;
  let requests = 0;
  let networkCause: string | null = null;
  let wake: (() => void) | null = null;
  const third = o.durationSeconds / 3;
  // Records due by time t: the integral of the rate, multiplied in the middle third.
  const dueBy = (t: number) =>
    o.rate * (t + (o.blackFriday - 1) * Math.max(0, Math.min(t, 2 * third) - third));
  const started = performance.now();

  const send = (table: 'orders' | 'events', records: Json[]) => {
    const body = JSON.stringify(records.length === 1 ? records[0] : records);
    const t0 = performance.now();
    inFlight++;
    requests++;
    const done = (status: string | null) => {
      latencies.push(performance.now() - t0);
      if (status === null) acked += records.length;
      else errors[status] = (errors[status] ?? 0) + 1;
      inFlight--;
      wake?.();
    };
    pool.request({ path: paths[table], method: 'POST', headers, body }).then(
      async (res) => {
        await res.body.dump();
        done(res.statusCode === 200 ? null : String(res.statusCode));
      },
      (err: unknown) => {
        networkCause ??= err instanceof Error ? err.message || err.name : String(err);
        done('network');
      },
    );
  };

  for (;;) {
    const elapsed = (performance.now() - started) / 1000;
    if (elapsed >= o.durationSeconds) break;
    while (inFlight < o.concurrency && dueBy(elapsed) - sent >= o.batch) {
      const table = cursor.orders < share * (cursor.orders + cursor.events + 1) ? 'orders' : 'events';
      const list = table === 'orders' ? source.orders : source.events;
      const records = Array.from({ length: o.batch }, () => nth(list, cursor[table]++, table, o.tag));
      sent += o.batch;
      send(table, records);
    }
    // Sleep until a response frees a slot or the next batch falls due (at most 1 ms).
    await new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, 1);
      wake = () => {
        clearTimeout(timer);
        resolve();
      };
    });
    wake = null;
  }
  // The records due that never filled a whole batch (a run shorter than one batch at its rate, or the tail
  // of any run) go as one last, smaller batch: the target counts them, so they must be sent. A run that fell
  // behind by a batch or more keeps its shortfall (that is the rate it could not hold).
  const targetRecords = Math.floor(dueBy(o.durationSeconds));
  if (targetRecords > sent && targetRecords - sent < o.batch) {
    const table = cursor.orders < share * (cursor.orders + cursor.events + 1) ? 'orders' : 'events';
    const list = table === 'orders' ? source.orders : source.events;
    const records = Array.from({ length: targetRecords - sent }, () =>
      nth(list, cursor[table]++, table, o.tag),
    );
    sent = targetRecords;
    send(table, records);
  }
  while (inFlight > 0) await new Promise<void>((resolve) => (wake = resolve));
  await pool.close();
  const seconds = (performance.now() - started) / 1000;
  const failed = Object.values(errors).reduce((a, b) => a + b, 0);
  return {
    seconds,
    targetRecords,
    ackedRecords: acked,
    requests,
    achievedRate: acked / seconds,
    targetRate: targetRecords / o.durationSeconds,
    latencyMs: percentiles(latencies),
    errors,
    networkCause,
    held: failed === 0 && acked >= 0.95 * targetRecords,
  };
}
