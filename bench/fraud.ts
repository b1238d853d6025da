/**
 * Fraud scoring's cost to the collector (issue 13 "Speed"): batched throughput and single-record p99
 * with scoring off (`serve --no-fraud`) and on, side by side in the same run on copies of the same lake,
 * and the time from the acknowledgement of an alert-worthy order to its webhook call, probed while the
 * batched load runs. Servers run as their own processes; this process generates load and receives the
 * webhook. `node dist/bench/fraud.js` (BENCH_SECONDS, default 8 s per run).
 */
import { cpSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { z } from 'zod';
import { loadProfiles, openLake, scoreUnscored } from '../src/fraud/index.js';
import { generate, generateDefaults } from '../src/generate/index.js';
import { buildLake } from '../src/ingest/index.js';
import { percentiles, type ReplayResult, replay, synthetic } from '../src/replay/index.js';
import { startServe, stopServe } from './serve-process.js';

const KEY = 'bench-key-123';
const alertBody = z.object({
  order: z.object({ order_id: z.string() }),
  grouped: z.array(z.object({ order_id: z.string() })).default([]),
});
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

/** The probes one run sent and the server acknowledged: order id → when the acknowledgement came. */
type Probes = Map<string, number>;

/** Each customer's home region, and a region away from it (the probes ship there). */
async function awayRegions(dir: string): Promise<Map<string, string>> {
  const engine = await openLake(dir);
  try {
    const homes = await loadProfiles(engine);
    const regions = [...new Set([...homes.values()].map((p) => p.region).filter((r) => r !== null))].sort();
    const away = new Map<string, string>();
    for (const [customer, p] of homes) away.set(customer, regions.find((r) => r !== p.region) ?? 'LATAM');
    return away;
  } finally {
    await engine.close();
  }
}

/**
 * Alert-worthy orders every 250 ms: a known customer, expensive, shipped away from home, paid by gift card
 * from a new device in a foreign IP country.
 */
async function probeAlerts(url: string, until: number, away: Map<string, string>): Promise<Probes> {
  const acked: Probes = new Map();
  for (let i = 0; Date.now() < until; i++) {
    const id = `ALERT${runs}-${i}`;
    const date = stamp(Date.now() - 5_000);
    const customer = `CUST${String(1 + (i % 900)).padStart(5, '0')}`;
    const region = away.get(customer) ?? 'LATAM';
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
          region,
        },
      ]),
    });
    if (res.status === 200) acked.set(id, performance.now());
    await new Promise((r) => setTimeout(r, 250));
  }
  // Each probe gets up to 5 s for its alert before the server is stopped.
  await new Promise((r) => setTimeout(r, 5_000));
  return acked;
}

const probeScore = z.object({ order_id: z.string(), score: z.coerce.number(), alert: z.coerce.number() });
/** What became of each probe, read back from the lake's fraud_scores once its server stopped. */
interface ProbeOutcome {
  sent: number;
  below: number;
  alerted: number;
  late: number;
  aboveNoAlert: string[];
  unscored: string[];
  lowest: number;
}

/**
 * Tells a probe scored under the threshold from an alert that was lost: each probe's stored score and
 * alert flag (score ≥ the server's threshold) against the webhook calls received. `alerted`: webhook within
 * 5 s of the acknowledgement; `late`: afterwards; above the threshold without any call, or without a
 * score at all, is a bug.
 */
async function probeOutcome(
  dir: string,
  acked: Probes,
  arrivals: Map<string, number>,
): Promise<ProbeOutcome> {
  const engine = await openLake(dir);
  let rows: z.infer<typeof probeScore>[];
  try {
    rows = (
      await engine.query("SELECT order_id, score, alert FROM fraud_scores WHERE order_id LIKE 'ALERT%'")
    )
      .map((r) => probeScore.parse(r))
      .filter((r) => acked.has(r.order_id));
  } finally {
    await engine.close();
  }
  const out: ProbeOutcome = {
    sent: acked.size,
    below: 0,
    alerted: 0,
    late: 0,
    aboveNoAlert: [],
    unscored: [],
    lowest: 1,
  };
  const scored = new Map(rows.map((r) => [r.order_id, r]));
  for (const [id, at] of acked) {
    const r = scored.get(id);
    const got = arrivals.get(id);
    if (r === undefined) out.unscored.push(id);
    else if (r.alert === 0) {
      out.below++;
      out.lowest = Math.min(out.lowest, r.score);
    } else if (got === undefined) out.aboveNoAlert.push(id);
    else if (got - at <= 5_000) out.alerted++;
    else out.late++;
  }
  return out;
}

/**
 * CPU seconds a process has used so far: its main thread (the collector's event loop), all its threads
 * (with the scoring worker and DuckDB's), and its child processes (the compaction process, which ingests
 * fraud_scores too); from Linux's /proc (clock ticks of 1/100 s), null elsewhere.
 */
function cpuSeconds(pid: number | undefined): { main: number; all: number; children: number } | null {
  if (pid === undefined) return null;
  const seconds = (stat: string) => {
    // Fields after the command name (which may hold spaces): state is the 3rd field, utime the 14th.
    const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(f[11]) + Number(f[12])) / 100;
  };
  try {
    let children = 0;
    for (const task of readdirSync(`/proc/${pid}/task`))
      for (const child of readFileSync(`/proc/${pid}/task/${task}/children`, 'utf8').split(' '))
        if (child.trim() !== '') children += seconds(readFileSync(`/proc/${child.trim()}/stat`, 'utf8'));
    return {
      main: seconds(readFileSync(`/proc/${pid}/task/${pid}/stat`, 'utf8')),
      all: seconds(readFileSync(`/proc/${pid}/stat`, 'utf8')),
      children,
    };
  } catch {
    return null;
  }
}

/** Polls /readyz until fraud scoring says ready (its model is built in the background after listening). */
async function scoringReady(url: string): Promise<void> {
  const readyz = z.object({ scoring: z.string().optional() });
  for (;;) {
    const body = readyz.parse(await (await fetch(`${url}/readyz`)).json());
    if (body.scoring === 'ready' || body.scoring === 'off') return;
    if (body.scoring === 'failed') throw new Error('fraud scoring failed to start (see the server log)');
    await new Promise((r) => setTimeout(r, 50));
  }
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
      for (const { order_id } of [body.order, ...body.grouped])
        if (!arrivals.has(order_id)) arrivals.set(order_id, performance.now());
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
    const away = await awayRegions(history);
    console.log(
      `fraud scoring cost, ${SECONDS} s per run; load average ${loadavg()
        .map((l) => l.toFixed(2))
        .join(' ')} (2 cores shared)`,
    );
    const results: Record<
      'off' | 'on',
      { batched: number[]; singleP99: number[]; mainUs: number[]; allUs: number[]; compactionUs: number[] }
    > = {
      off: { batched: [], singleP99: [], mainUs: [], allUs: [], compactionUs: [] },
      on: { batched: [], singleP99: [], mainUs: [], allUs: [], compactionUs: [] },
    };
    const alertWaits: number[] = [];
    const outcomes: ProbeOutcome[] = [];
    // off, on, on, off: each mode runs early and late, so a change in the machine's load hits both alike.
    for (const [i, mode] of (['off', 'on', 'on', 'off'] as const).entries()) {
      const dir = join(root, `${mode}-${i}`);
      cpSync(history, dir, { recursive: true });
      const args = mode === 'off' ? ['--no-fraud'] : ['--alert-webhook', hook, '--alert-group-window', '1ms'];
      const t0 = performance.now();
      const { child, url } = await startServe(dir, KEY, args);
      const listening = (performance.now() - t0) / 1000;
      // Load starts once scoring is ready, so both modes are measured in their steady state.
      await scoringReady(url);
      console.log(
        `scoring ${mode}: listening in ${listening.toFixed(1)} s, scoring ready in ${((performance.now() - t0) / 1000).toFixed(1)} s`,
      );
      let acked: Probes = new Map();
      try {
        const cpu0 = cpuSeconds(child.pid);
        const [{ batchedResult, cpu1 }, probes] = await Promise.all([
          run(url, 200_000, 100, 16).then((r) => ({ batchedResult: r, cpu1: cpuSeconds(child.pid) })),
          mode === 'on'
            ? probeAlerts(url, Date.now() + SECONDS * 1000, away)
            : Promise.resolve(new Map<string, number>()),
        ]);
        acked = probes;
        for (const [id, at] of acked) {
          const got = arrivals.get(id);
          if (got !== undefined && got - at <= 5_000) alertWaits.push(got - at);
        }
        results[mode].batched.push(line(`batched (100/request), scoring ${mode}`, batchedResult, 'records'));
        // Scoring may lag the load a little: the whole process's CPU is read once it had 2 s to catch up.
        await new Promise((r) => setTimeout(r, 2_000));
        const cpu2 = cpuSeconds(child.pid);
        if (cpu0 && cpu1 && cpu2 && batchedResult.ackedRecords > 0) {
          const perRecord = (a: number, b: number) => ((b - a) * 1e6) / batchedResult.ackedRecords;
          const main = perRecord(cpu0.main, cpu1.main);
          const all = perRecord(cpu0.all, cpu2.all);
          const compaction = perRecord(cpu0.children, cpu2.children);
          results[mode].mainUs.push(main);
          results[mode].allUs.push(all);
          results[mode].compactionUs.push(compaction);
          console.log(
            `  CPU per acknowledged record: main thread ${main.toFixed(1)} µs, whole process ${all.toFixed(1)} µs, compaction process ${compaction.toFixed(1)} µs`,
          );
        }
        const single = await run(url, 1_000, 1, 16);
        line(`single records at 1,000/s, ${mode}`, single, 'requests');
        results[mode].singleP99.push(single.latencyMs.p99);
      } finally {
        await stopServe(child);
      }
      if (mode === 'on') {
        const o = await probeOutcome(dir, acked, arrivals);
        outcomes.push(o);
        console.log(
          `  probes: ${o.sent} sent, ${o.alerted} alerted within 5 s, ${o.late} alerted later, ${o.below} scored below the threshold${o.below ? ` (lowest ${o.lowest.toFixed(3)})` : ''}, ${o.aboveNoAlert.length} above it without an alert${o.aboveNoAlert.length ? ` (${o.aboveNoAlert.join(' ')})` : ''}, ${o.unscored.length} not scored${o.unscored.length ? ` (${o.unscored.join(' ')})` : ''}`,
        );
      }
      rmSync(dir, { recursive: true, force: true });
    }
    const mean = (v: number[]) => v.reduce((a, b) => a + b, 0) / Math.max(1, v.length);
    {
      const ratio = mean(results.on.batched) / mean(results.off.batched);
      const extra = mean(results.on.singleP99) - mean(results.off.singleP99);
      console.log(
        `batched throughput with scoring: ${ratio.toFixed(2)}× of without (goal ≥ ${GOAL.throughputRatio}: ${ratio >= GOAL.throughputRatio ? 'met' : 'MISSED'})`,
      );
      if (results.on.mainUs.length && results.off.mainUs.length) {
        const main = mean(results.on.mainUs) / mean(results.off.mainUs);
        const all = mean(results.on.allUs) / mean(results.off.allUs);
        const both = (m: 'on' | 'off') => mean(results[m].allUs) + mean(results[m].compactionUs);
        console.log(
          `CPU per record with scoring: main thread ${main.toFixed(2)}× of without (${mean(results.on.mainUs).toFixed(1)} vs ${mean(results.off.mainUs).toFixed(1)} µs), whole process ${all.toFixed(2)}× (${mean(results.on.allUs).toFixed(1)} vs ${mean(results.off.allUs).toFixed(1)} µs), with the compaction process ${(both('on') / both('off')).toFixed(2)}× (${both('on').toFixed(1)} vs ${both('off').toFixed(1)} µs)`,
        );
      }
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
    const lost = outcomes.reduce((n, o) => n + o.aboveNoAlert.length + o.unscored.length, 0);
    console.log(
      `probes above the threshold without an alert, or without a score: ${lost} (must be 0: ${lost === 0 ? 'met' : 'MISSED'})`,
    );
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
