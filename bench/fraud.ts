/**
 * Fraud scoring's cost to the collector (issue 13 "Speed"): batched throughput and single-record p99
 * with scoring off (`serve --no-fraud`) and on, side by side in the same run on copies of the same lake,
 * and the time from the acknowledgement of an alert-worthy order to its webhook call, probed while the
 * batched load runs. Servers run as their own processes; this process generates load and receives the
 * webhook. `node dist/bench/fraud.js` (BENCH_SECONDS, default 8 s per run).
 */
import { cpSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { z } from 'zod';
import { scoreUnscored } from '../src/fraud/index.js';
import { generate, generateDefaults } from '../src/generate/index.js';
import { buildLake } from '../src/ingest/index.js';
import { percentiles, type ReplayResult, replay, synthetic } from '../src/replay/index.js';
import { startServe, stopServe } from './serve-process.js';

const KEY = 'bench-key-123';
const alertBody = z.object({ order: z.object({ order_id: z.string() }) });
const SECONDS = Number(process.env.BENCH_SECONDS ?? 8);
const GOAL = { throughputRatio: 0.9, p99ExtraMs: 10, alertP99Ms: 2000 };

const source = { ...synthetic(50_000, 200_000), origin: 'synthetic' };
let runs = 0;
const run = (url: string, rate: number, batch: number, concurrency: number) =>
  replay(source, {
    target: url,
    key: KEY,
    rate,
    durationSeconds: SECONDS,
    batch,
    concurrency,
    blackFriday: 1,
    tag: `f${runs++}x`,
  });

const headers = { authorization: `Bearer ${KEY}`, 'content-type': 'application/json' };
const stamp = (ms: number) => new Date(ms).toISOString().slice(0, 19).replace('T', ' ');

/** Alert-worthy orders (a known customer, expensive, shipped abroad, from a new device abroad) every 250 ms. */
async function probeAlerts(url: string, arrivals: Map<string, number>, until: number): Promise<number[]> {
  const waits: number[] = [];
  const acked = new Map<string, number>();
  for (let i = 0; Date.now() < until; i++) {
    const id = `ALERT${runs}-${i}`;
    const date = stamp(Date.now() - 5_000);
    const customer = `CUST${String(1 + (i % 900)).padStart(5, '0')}`;
    await fetch(`${url}/v1/order-checks`, {
      method: 'POST',
      headers,
      body: JSON.stringify([
        {
          order_id: id,
          order_date: date,
          payment_method: 'gift_card',
          ip_country: 'RO',
          device_id: `DVbench${i}`,
          account_age_days: 500,
        },
      ]),
    });
    const res = await fetch(`${url}/v1/orders`, {
      method: 'POST',
      headers,
      body: JSON.stringify([
        {
          order_id: id,
          customer_id: customer,
          product_id: 'LAPTOP001',
          product_name: 'Gaming Laptop',
          quantity: 3,
          price: 1299.99,
          total_amount: 3899.97,
          order_date: date,
          status: 'PENDING',
          region: 'LATAM',
        },
      ]),
    });
    if (res.status === 200) acked.set(id, performance.now());
    await new Promise((r) => setTimeout(r, 250));
  }
  // Each probe gets up to 5 s; one without an alert by then is reported (its score may be under the threshold).
  await new Promise((r) => setTimeout(r, 5_000));
  let missing = 0;
  for (const [id, at] of acked) {
    const got = arrivals.get(id);
    if (got === undefined) missing++;
    else waits.push(got - at);
  }
  if (missing) console.log(`  ${missing} of ${acked.size} probes raised no alert within 5 s`);
  return waits;
}

function line(label: string, r: ReplayResult, unit: 'records' | 'requests'): number {
  const rate = unit === 'records' ? r.achievedRate : r.requests / r.seconds;
  const errors = Object.keys(r.errors).length ? `  errors ${JSON.stringify(r.errors)}` : '';
  console.log(
    `${label.padEnd(34)} ${Math.round(rate).toLocaleString('en-US').padStart(8)} ${unit}/s  p50 ${r.latencyMs.p50.toFixed(1)} ms  p99 ${r.latencyMs.p99.toFixed(1)} ms${errors}`,
  );
  return rate;
}

async function main(): Promise<void> {
  const root = mkdtempSync(join(tmpdir(), 'shoplake-bench-fraud-'));
  const arrivals = new Map<string, number>();
  const receiver = createServer((req, res) => {
    let text = '';
    req.on('data', (c) => {
      text += c;
    });
    req.on('end', () => {
      const body = alertBody.parse(JSON.parse(text));
      if (!arrivals.has(body.order.order_id)) arrivals.set(body.order.order_id, performance.now());
      res.end('ok');
    });
  });
  await new Promise<void>((r) => receiver.listen(0, '127.0.0.1', r));
  const hook = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/hook`;
  try {
    const history = join(root, 'history');
    const now = new Date();
    const asOf = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate()));
    await generate({
      ...generateDefaults,
      orders: 20_000,
      customers: 2_000,
      events: 20_000,
      days: 30,
      asOf,
      out: history,
    });
    await buildLake(history);
    // As `shoplake generate` leaves it: every order scored, so neither server starts with a backlog.
    await scoreUnscored(history);
    console.log(
      `fraud scoring cost, ${SECONDS} s per run; load average ${loadavg()
        .map((l) => l.toFixed(2))
        .join(' ')} (2 cores shared)`,
    );
    const results: Record<'off' | 'on', { batched: number[]; singleP99: number[] }> = {
      off: { batched: [], singleP99: [] },
      on: { batched: [], singleP99: [] },
    };
    const alertWaits: number[] = [];
    // off, on, on, off: each mode runs early and late, so a change in the machine's load hits both alike.
    for (const [i, mode] of (['off', 'on', 'on', 'off'] as const).entries()) {
      const dir = join(root, `${mode}-${i}`);
      cpSync(history, dir, { recursive: true });
      const args = mode === 'off' ? ['--no-fraud'] : ['--alert-webhook', hook, '--alert-group-window', '1ms'];
      const t0 = performance.now();
      const { child, url } = await startServe(dir, KEY, args);
      console.log(`scoring ${mode}: server ready in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
      try {
        const [batchedResult, waits] = await Promise.all([
          run(url, 200_000, 100, 16),
          mode === 'on' ? probeAlerts(url, arrivals, Date.now() + SECONDS * 1000) : Promise.resolve([]),
        ]);
        alertWaits.push(...waits);
        results[mode].batched.push(line(`batched (100/request), scoring ${mode}`, batchedResult, 'records'));
        await new Promise((r) => setTimeout(r, 2_000));
        const single = await run(url, 1_000, 1, 16);
        line(`single records at 1,000/s, ${mode}`, single, 'requests');
        results[mode].singleP99.push(single.latencyMs.p99);
      } finally {
        await stopServe(child);
      }
    }
    const mean = (v: number[]) => v.reduce((a, b) => a + b, 0) / Math.max(1, v.length);
    {
      const ratio = mean(results.on.batched) / mean(results.off.batched);
      const extra = mean(results.on.singleP99) - mean(results.off.singleP99);
      console.log(
        `batched throughput with scoring: ${ratio.toFixed(2)}× of without (goal ≥ ${GOAL.throughputRatio}: ${ratio >= GOAL.throughputRatio ? 'met' : 'MISSED'})`,
      );
      console.log(
        `single-record p99 with scoring: ${extra >= 0 ? '+' : ''}${extra.toFixed(1)} ms (goal within ${GOAL.p99ExtraMs} ms: ${extra <= GOAL.p99ExtraMs ? 'met' : 'MISSED'})`,
      );
    }
    if (alertWaits.length) {
      const p = percentiles(alertWaits);
      console.log(
        `ack → webhook alert under batched load (${alertWaits.length} probes): p50 ${p.p50.toFixed(0)} ms, p99 ${p.p99.toFixed(0)} ms (goal ≤ ${GOAL.alertP99Ms} ms: ${p.p99 <= GOAL.alertP99Ms ? 'met' : 'MISSED'})`,
      );
    }
    console.log(
      `load average after: ${loadavg()
        .map((l) => l.toFixed(2))
        .join(' ')}`,
    );
  } finally {
    receiver.close();
    rmSync(root, { recursive: true, force: true });
  }
}

await main();
