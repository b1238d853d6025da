/**
 * `shoplake serve` started on a lake that was never scored (issue 13: loaded from files without
 * `shoplake fraud score`): how long until live scoring is ready, the server's peak RSS (/usr/bin/time -v),
 * and how fast it acknowledges orders meanwhile (one order a second, latency of each POST). Run for this
 * build and, side by side, a peer build (`--peer BIN`: another checkout's bin/shoplake.js, e.g. the commit
 * before the start-up streamed), each on its own copy of the lake (`--work DIR`), deleted afterwards.
 * `--in-place` runs this build alone on --data itself (a copy made beforehand, at 10 M orders).
 *   node dist/bench/fraud-startup.js --data DIR (--work DIR [--peer BIN] | --in-place)
 */
import { cpSync, readFileSync, rmSync } from 'node:fs';
import { loadavg } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { z } from 'zod';
import { flag } from './lake-option.js';
import { startServe } from './serve-process.js';

const THIS_BIN = fileURLToPath(new URL('../../bin/shoplake.js', import.meta.url));
const KEY = 'bench-startup-key-0123456789abcdef';
const readySchema = z.object({ scoring: z.string() });

interface Run {
  readySeconds: number;
  status: string;
  acks: number[];
  peakRssMB: number;
  exitSeconds: number;
  log: string[];
}

function order(i: number) {
  const date = new Date(Date.now() - 60_000).toISOString().slice(0, 19).replace('T', ' ');
  return {
    order_id: `BENCHSTART${i}`,
    customer_id: 'CUST00001',
    product_id: 'LAPTOP001',
    product_name: 'Gaming Laptop',
    quantity: 1,
    price: 1299.99,
    total_amount: 1299.99,
    order_date: date,
    status: 'PENDING',
    region: 'US-EAST',
  };
}

async function run(bin: string, dir: string): Promise<Run> {
  const started = performance.now();
  // Under /usr/bin/time -v for the server's peak RSS, which it reports on stderr when serve exits.
  const { child, url, stderr } = await startServe(dir, KEY, ['--no-dashboard'], bin, {
    wrapper: ['/usr/bin/time', '-v'],
    keepStderr: true,
  });
  const log: string[] = [];
  const acks: number[] = [];
  let status = 'loading';
  let i = 0;
  while (status === 'loading') {
    const t = performance.now();
    const res = await fetch(`${url}/v1/orders`, {
      method: 'POST',
      body: JSON.stringify([order(i++)]),
      headers: { authorization: `Bearer ${KEY}`, 'content-type': 'application/json' },
    });
    await res.text();
    if (res.status !== 200) throw new Error(`order refused: ${res.status}`);
    acks.push(performance.now() - t);
    status = readySchema.parse(await (await fetch(`${url}/readyz`)).json()).scoring;
    if (status === 'loading') await new Promise((r) => setTimeout(r, 1000));
  }
  const readySeconds = (performance.now() - started) / 1000;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  // SIGTERM to serve itself (/usr/bin/time's child, which would die without its report): serve stores what
  // is left (drain, compact) and exits, then /usr/bin/time reports.
  const serve = Number(
    readFileSync(`/proc/${child.pid}/task/${child.pid}/children`, 'utf8').trim().split(' ')[0],
  );
  process.kill(serve, 'SIGTERM');
  await exited;
  const err = stderr();
  for (const line of err.split('\n')) if (line.startsWith('fraud:')) log.push(line);
  const rss = /Maximum resident set size \(kbytes\): (\d+)/.exec(err);
  return {
    readySeconds,
    status,
    acks,
    peakRssMB: rss ? Math.round(Number(rss[1]) / 1024) : Number.NaN,
    exitSeconds: (performance.now() - started) / 1000,
    log,
  };
}

function report(name: string, r: Run): void {
  const sorted = [...r.acks].sort((a, b) => a - b);
  const p = (q: number) =>
    (sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? 0).toFixed(1);
  console.log(
    `${name.padEnd(6)} scoring ${r.status} after ${r.readySeconds.toFixed(1)} s (stopped after ${r.exitSeconds.toFixed(1)} s); peak RSS ${r.peakRssMB} MB; ${r.acks.length} orders acknowledged meanwhile: p50 ${p(0.5)} ms, max ${p(1)} ms`,
  );
  for (const line of r.log) console.log(`         ${line}`);
}

const data = flag('data');
if (!data)
  throw new Error(
    'usage: node dist/bench/fraud-startup.js --data DIR (--work DIR [--peer BIN] | --in-place)',
  );
const load = () =>
  loadavg()
    .map((v) => v.toFixed(1))
    .join(' ');
console.log(`lake ${data}; load average ${load()}`);
if (process.argv.includes('--in-place')) report('this', await run(THIS_BIN, data));
else {
  const work = flag('work');
  if (!work) throw new Error('--work DIR: where each run gets its copy of the lake');
  const peer = flag('peer');
  const ways: [string, string][] = [
    ['this', THIS_BIN],
    ...(peer ? [['peer', peer] as [string, string]] : []),
  ];
  for (const [name, bin] of ways) {
    const dir = join(work, `startup-${name}`);
    rmSync(dir, { recursive: true, force: true });
    cpSync(data, dir, { recursive: true });
    try {
      report(name, await run(bin, dir));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }
}
console.log(`load average after ${load()}`);
