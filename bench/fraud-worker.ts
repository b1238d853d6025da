/**
 * The scoring worker alone, in process (issue 13 "Speed"): the real BackgroundScorer of this build on a
 * copy of a lake, fed `--orders` of the replay's synthetic orders as WAL lines at `--rate` orders a second
 * (hand-overs as the collector makes them), then drained. Prints the CPU time of the worker's thread, of
 * the other threads (V8's helpers: its garbage collection), and of this thread, per order, from
 * /proc/self/task. No HTTP, no compaction, no load generator: far less noise than a running serve, so two
 * builds can be told apart by running this script of each in turn (docs/BENCHMARKS.md, "Fraud scoring:
 * per-thread CPU"). `node dist/bench/fraud-worker.js --lake DIR [--orders N] [--rate R] [--warm N] [--tag T] [--threads]`
 */
import { cpSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { BackgroundScorer } from '../src/collector/fraud-scorer.js';
import { RecordValidator } from '../src/collector/records.js';
import { loadWeights } from '../src/fraud/index.js';
import { TABLES } from '../src/lake/index.js';
import { synthetic } from '../src/replay/index.js';

const { values: opts } = parseArgs({
  options: {
    lake: { type: 'string' },
    orders: { type: 'string', default: '30000' },
    rate: { type: 'string', default: '3000' },
    tag: { type: 'string', default: 'w' },
    threads: { type: 'boolean', default: false },
    warm: { type: 'string', default: '0' },
  },
});
if (!opts.lake)
  throw new Error('--lake DIR: a lake with fraud scores (bench/fraud-threads.js --keep makes one)');
const ORDERS = Number(opts.orders);
const RATE = Number(opts.rate);
/** Orders per hand-over (one request's worth), every TICK_MS. */
const TICK_MS = 5;

const ticks = (stat: string) => {
  const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(f[11]) + Number(f[12])) / 100;
};

function threads(): { self: number; worker: number; helpers: number; each: Map<string, number> } {
  const out = { self: 0, worker: 0, helpers: 0, each: new Map<string, number>() };
  for (const task of readdirSync('/proc/self/task')) {
    const stat = readFileSync(`/proc/self/task/${task}/stat`, 'utf8');
    const comm = stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')'));
    out.each.set(`${task}:${comm}`, ticks(stat));
    if (Number(task) === process.pid) out.self += ticks(stat);
    else if (comm === 'fraud-scoring') out.worker += ticks(stat);
    else out.helpers += ticks(stat);
  }
  return out;
}

async function main(): Promise<void> {
  const root = mkdtempSync(join(tmpdir(), 'shoplake-bench-fraud-worker-'));
  try {
    const dir = join(root, 'lake');
    cpSync(resolve(opts.lake as string), dir, { recursive: true });
    const weights = loadWeights(dir);
    const scorer = new BackgroundScorer({
      dataDir: dir,
      weights,
      threshold: weights.threshold,
      checkWaitMs: 300,
      // As serve stores them with its default 2 s compaction interval (fraud-hook.ts).
      storeEveryMs: 5000,
      storeMaxRecords: 50_000,
    });
    let scored = 0;
    scorer.onScored = (b) => {
      if (b.live) scored += b.count;
    };
    await new Promise<void>((res, rej) => {
      scorer.onReady = () => res();
      scorer.onFailed = (m) => rej(new Error(m));
      scorer.build();
    });
    // The lines as the collector's WAL holds them: validated records, JSON.stringify'd.
    const validator = new RecordValidator(TABLES.orders);
    const source = synthetic(ORDERS, 0);
    const lines = source.orders.map((o, i) => {
      const v = validator.validate({ ...o, order_id: `${String(o.order_id)}:${opts.tag}` }, i);
      if ('rejections' in v) throw new Error(`order ${i}: ${v.rejections[0]?.reason}`);
      return `${JSON.stringify(v.record)}\n`;
    });
    // Warm-up, not measured: a long-running serve's worker holds 200,000 to 400,000 recent order ids (and
    // its heap with them); `--warm N` sends N other orders first, as fast as the worker takes them.
    const warm = Number(opts.warm);
    for (let sent = 0; sent < warm; sent += 10_000) {
      const batch = source.orders.slice(0, Math.min(10_000, warm - sent)).map((o, i) => {
        const v = validator.validate({ ...o, order_id: `W${sent + i}:${opts.tag}` }, i);
        if ('rejections' in v) throw new Error(`warm-up order: ${v.rejections[0]?.reason}`);
        return `${JSON.stringify(v.record)}\n`;
      });
      scorer.addOrders(batch.join(''), batch.length);
      await scorer.drained();
    }
    const per = Math.max(1, Math.round((RATE * TICK_MS) / 1000));
    scored = 0;
    const before = threads();
    const t0 = performance.now();
    for (let sent = 0; sent < lines.length; sent += per) {
      scorer.addOrders(lines.slice(sent, sent + per).join(''), Math.min(per, lines.length - sent));
      const due = t0 + ((sent + per) / RATE) * 1000;
      await new Promise((r) => setTimeout(r, Math.max(0, due - performance.now())));
    }
    await scorer.drained();
    const after = threads();
    const n = Math.max(1, scored);
    const us = (k: 'self' | 'worker' | 'helpers') => (((after[k] - before[k]) * 1e6) / n).toFixed(2);
    console.log(
      `${scored} orders in ${((performance.now() - t0) / 1000).toFixed(1)} s; CPU µs an order: worker ${us('worker')}, helpers ${us('helpers')}, feeding thread ${us('self')}, worker + helpers ${(((after.worker - before.worker + after.helpers - before.helpers) * 1e6) / n).toFixed(2)}`,
    );
    if (opts.threads)
      console.log(
        [...after.each]
          .map(([k, v]) => [k, v - (before.each.get(k) ?? 0)] as const)
          .filter(([, v]) => v > 0)
          .map(([k, v]) => `${k} ${(v * 1000).toFixed(0)} ms`)
          .join(', '),
      );
    await scorer.close();
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
}

await main();
