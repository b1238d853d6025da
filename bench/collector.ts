/**
 * Collector figures over loopback with fsync on: sustained records/s in batches of 100, single-record
 * requests/s, p50/p99 at half of each, and ack → queryable time. The server runs as its own process
 * (as in production); this process is the load generator. `node dist/bench/collector.js`
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { DuckDbEngine } from '../src/engines/index.js';
import { type ReplayResult, replay, synthetic } from '../src/replay/index.js';

const KEY = 'bench-key-123';
const BIN = fileURLToPath(new URL('../../bin/shoplake.js', import.meta.url));
const SECONDS = Number(process.env.BENCH_SECONDS ?? 10);

async function start(dir: string): Promise<{ child: ChildProcess; url: string }> {
  const child = spawn(process.execPath, [BIN, '--data', dir, 'serve', '--port', '0'], {
    env: { ...process.env, SHOPLAKE_WRITE_KEYS: KEY },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const url = await new Promise<string>((resolve) => {
    let out = '';
    child.stdout?.on('data', (d) => {
      out += d;
      const m = /listening on (\S+)/.exec(out);
      if (m?.[1]) resolve(m[1]);
    });
  });
  return { child, url };
}

const source = { ...synthetic(50_000, 200_000), origin: 'synthetic' };
let runs = 0;
const load = (url: string, rate: number, batch: number, concurrency: number) =>
  replay(source, {
    target: url,
    key: KEY,
    rate,
    durationSeconds: SECONDS,
    batch,
    concurrency,
    blackFriday: 1,
    tag: `b${runs++}x`,
  });

const line = (label: string, r: ReplayResult, unit: number) =>
  `${label.padEnd(34)} ${Math.round(r.achievedRate / unit)
    .toLocaleString('en-US')
    .padStart(8)} /s   ` +
  `p50 ${r.latencyMs.p50.toFixed(1)} ms  p99 ${r.latencyMs.p99.toFixed(1)} ms  errors ${JSON.stringify(r.errors)}`;

async function ackToQueryable(url: string, dir: string): Promise<number> {
  const id = `Q${Date.now()}`;
  const order = { ...(source.orders[0] as object), order_id: id };
  const res = await fetch(`${url}/v1/orders`, {
    method: 'POST',
    headers: { authorization: `Bearer ${KEY}`, 'content-type': 'application/json' },
    body: JSON.stringify(order),
  });
  const acked = performance.now();
  if (res.status !== 200) throw new Error(`probe refused: ${res.status}`);
  for (;;) {
    const engine = await DuckDbEngine.open(dir, { threads: 1 });
    const rows = await engine.query('SELECT count(*) AS n FROM orders WHERE order_id = :id', { id });
    await engine.close();
    if (Number(rows[0]?.n) === 1) return (performance.now() - acked) / 1000;
    await new Promise((r) => setTimeout(r, 100));
  }
}

const dir = mkdtempSync(join(tmpdir(), 'shoplake-bench-'));
const { child, url } = await start(dir);
try {
  console.log(
    `collector bench: ${cpus().length} cores, ${SECONDS} s per run, ${new Date().toISOString().slice(0, 10)}`,
  );
  const batched = await load(url, 400_000, 100, 32);
  console.log(line('batched (100/request), max', batched, 1));
  const single = await load(url, 40_000, 1, 64);
  console.log(line('single record requests, max', single, 1));
  const halfBatched = await load(url, Math.round(batched.achievedRate / 2), 100, 32);
  console.log(line('batched at half load', halfBatched, 1));
  const halfSingle = await load(url, Math.round(single.achievedRate / 2), 1, 64);
  console.log(line('single at half load', halfSingle, 1));
  const lag = await ackToQueryable(url, dir);
  console.log(`ack → queryable                    ${lag.toFixed(2)} s`);
} finally {
  child.kill('SIGTERM');
  await new Promise((r) => child.once('exit', r));
  rmSync(dir, { recursive: true, force: true });
}
