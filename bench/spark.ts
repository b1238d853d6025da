/**
 * DuckDB embedded against Apache Spark local[2] (through Spark Connect) on the same lake: every catalog
 * analysis with default parameters (the seed scenarios among them), or those `--only` names, Spark's
 * fixed cost per query, and the Connect server's start-up time and memory. Usage:
 *   node dist/bench/spark.js [--orders N --events N --customers N] [--data DIR] [--only a,b,c]
 *     [--runs N] [--warmups N] [--remote sc://…] [--driver-memory 6g] [--timeout-minutes M]
 * Without --remote it starts its own server with scripts/spark-connect.sh (pyspark installed by
 * scripts/spark-setup.sh; `--driver-memory` sizes it, default 2g) and stops it at the end; without --data
 * it generates a dataset into a temp dir (with --data it only reads that lake). A Spark run longer than
 * --timeout-minutes (default 10) is recorded as such and its server restarted (an own server only).
 */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { cpus, loadavg, tmpdir, totalmem } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { loadCatalog, runAnalysis } from '../src/analyses/index.js';
import { type Engine, openEngine } from '../src/engines/index.js';
import { isUserError } from '../src/errors/index.js';
import { generateDefaults } from '../src/generate/index.js';
import { buildBenchDataset } from './dataset.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
// The seed's scenarios 1, 2 and 4, and revenue-by-day, which answers scenario 3 in the report
// (completed orders per day at traffic peaks).
const SEED_SCENARIOS = new Set([
  'sales-by-region',
  'customer-tiers',
  'revenue-by-day',
  'purchases-by-device',
]);

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)] ?? Number.NaN;
}

/** Resident and peak resident memory of a process, in MB, from /proc. */
function memoryOf(pid: string): { rss: number; peak: number } {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = (key: string) => Number(new RegExp(`${key}:\\s+(\\d+) kB`).exec(status)?.[1] ?? Number.NaN);
  return { rss: kb('VmRSS') / 1024, peak: kb('VmHWM') / 1024 };
}

const { values } = parseArgs({
  options: {
    orders: { type: 'string' },
    events: { type: 'string' },
    customers: { type: 'string' },
    runs: { type: 'string', default: '3' },
    warmups: { type: 'string', default: '1' },
    data: { type: 'string' },
    remote: { type: 'string' },
    only: { type: 'string' },
    'driver-memory': { type: 'string' },
    'timeout-minutes': { type: 'string', default: '10' },
  },
});
const whole = (text: string | undefined, fallback: number, min = 1) => {
  const n = text === undefined ? fallback : Number(text);
  if (!Number.isInteger(n) || n < min) throw new Error(`expected a whole number ≥ ${min}, got ${text}`);
  return n;
};
const size = {
  orders: whole(values.orders, generateDefaults.orders),
  events: whole(values.events, generateDefaults.events),
  customers: whole(values.customers, generateDefaults.customers),
};
const runs = whole(values.runs, 3);
const warmups = whole(values.warmups, 1, 0);
const timeoutMinutes = Number(values['timeout-minutes']);
if (!(timeoutMinutes > 0))
  throw new Error(`--timeout-minutes takes a positive number, got ${values['timeout-minutes']}`);
const timeoutMs = timeoutMinutes * 60_000;
const dir = values.data ?? join(tmpdir(), `shoplake-bench-spark-${process.pid}`);
const driverMemory = values['driver-memory'];
if (driverMemory !== undefined && !/^\d+[mg]$/.test(driverMemory)) {
  throw new Error(`--driver-memory takes a JVM size such as 6g or 4096m, got ${driverMemory}`);
}
const catalog = await loadCatalog();
const only = values.only?.split(',').map((n) => n.trim());
const unknown = only?.filter((n) => !catalog.some((a) => a.name === n)) ?? [];
if (unknown.length > 0) throw new Error(`--only: no analysis named ${unknown.join(', ')}`);
const analyses = only ? catalog.filter((a) => only.includes(a.name)) : catalog;

const loadText = () =>
  loadavg()
    .map((l) => l.toFixed(1))
    .join(' ');
console.log(
  `${new Date().toISOString()}  ${cpus().length} CPUs (${cpus()[0]?.model ?? '?'}), ${(totalmem() / 2 ** 30).toFixed(0)} GB; load average ${loadText()}`,
);

let remote = values.remote;
let serverPid: string | undefined;
let duck: Engine | undefined;
let spark: Engine | undefined;

/** Starts an own Connect server (unless --remote) and opens a Spark engine on it. */
async function openSpark(): Promise<Engine> {
  if (!values.remote) {
    const env = driverMemory ? { ...process.env, SHOPLAKE_SPARK_DRIVER_MEMORY: driverMemory } : process.env;
    const script = join(ROOT, 'scripts/spark-connect.sh');
    remote = execFileSync('sh', [script, 'start'], { encoding: 'utf8', env }).trim();
    serverPid = readFileSync(join(ROOT, '.cache/spark-connect/pid'), 'utf8').trim();
    const startupMs = Number(readFileSync(join(ROOT, '.cache/spark-connect/startup-ms'), 'utf8'));
    const idle = memoryOf(serverPid);
    console.log(
      `Spark Connect server (local[2], driver memory ${driverMemory ?? '2g'}): accepting connections ${(startupMs / 1000).toFixed(1)} s after launch, RSS ${idle.rss.toFixed(0)} MB idle`,
    );
  }
  const t0 = performance.now();
  const engine = await openEngine({ dataDir: dir, kind: 'spark', spark: { remote: remote ?? '' } });
  console.log(`Spark session and views: ${(performance.now() - t0).toFixed(0)} ms`);
  return engine;
}

/**
 * One Spark call, bounded: past the timeout the server (an own one) is stopped, which ends its job,
 * and started again for what follows. Returns the time in ms, or null when it was stopped.
 */
async function boundedSpark(fn: (engine: Engine) => Promise<unknown>): Promise<number | null> {
  if (!spark) return null;
  const t0 = performance.now();
  let timer: NodeJS.Timeout | undefined;
  const call = fn(spark).then(() => performance.now() - t0);
  const expired = new Promise<null>((resolve) => {
    timer = setTimeout(() => resolve(null), timeoutMs);
  });
  const ms = await Promise.race([call, expired]).finally(() => clearTimeout(timer));
  if (ms !== null) return ms;
  // The abandoned call fails once its server is gone: that failure is expected, not reported.
  call.catch(() => undefined);
  const stale = spark;
  spark = undefined;
  await stale.close().catch(() => undefined);
  if (serverPid) {
    execFileSync('sh', [join(ROOT, 'scripts/spark-connect.sh'), 'stop']);
    serverPid = undefined;
    spark = await openSpark();
  }
  return null;
}

/** Median of `runs` timed calls after `warmups` untimed ones; null if a call went past the bound. */
async function timeSpark(n: number, fn: (engine: Engine) => Promise<unknown>): Promise<number | null> {
  for (let i = 0; i < warmups; i++) if ((await boundedSpark(fn)) === null) return null;
  const times: number[] = [];
  for (let i = 0; i < n; i++) {
    const ms = await boundedSpark(fn);
    if (ms === null) return null;
    times.push(ms);
  }
  return median(times);
}

async function timeDuck(n: number, fn: (engine: Engine) => Promise<unknown>): Promise<number> {
  const engine = duck;
  if (!engine) throw new Error('DuckDB is not open');
  for (let i = 0; i < warmups; i++) await fn(engine);
  const times: number[] = [];
  for (let i = 0; i < n; i++) {
    const t0 = performance.now();
    await fn(engine);
    times.push(performance.now() - t0);
  }
  return median(times);
}

const sparkText = (ms: number | null) => (ms === null ? `> ${timeoutMinutes} min, stopped` : ms.toFixed(1));

try {
  if (!values.data) {
    await buildBenchDataset(dir, size);
  }
  duck = await openEngine({ dataDir: dir });
  spark = await openSpark();

  const fixed = [
    ['SELECT 1', 'SELECT 1 AS x'],
    ['count(*) FROM orders', 'SELECT count(*) AS n FROM orders'],
  ] as const;
  const fixedRuns = Math.max(runs, 10);
  console.log(`\nfixed cost per query (median of ${fixedRuns} after ${warmups} warm-up)`);
  for (const [label, sql] of fixed) {
    const d = await timeDuck(fixedRuns, (e) => e.query(sql));
    const s = await timeSpark(fixedRuns, (e) => e.query(sql));
    console.log(
      `  ${label.padEnd(22)} duckdb ${d.toFixed(1).padStart(7)} ms   spark ${sparkText(s).padStart(8)} ms`,
    );
  }

  console.log(`\nanalyses, default parameters (median of ${runs} after ${warmups} warm-up)`);
  console.log(
    `  ${'analysis'.padEnd(22)} ${'duckdb ms'.padStart(10)} ${'spark ms'.padStart(10)}  spark/duckdb`,
  );
  for (const analysis of analyses) {
    // Analyses that need an id (recommend, also-bought) or a longer history (churn): see bench/predict.ts.
    const ok = await runAnalysis(duck, analysis, {}).then(
      () => true,
      (e: unknown) => {
        if (!isUserError(e)) throw e;
        return false;
      },
    );
    if (!ok) {
      console.log(`  ${analysis.name.padEnd(22)} skipped: needs parameters or a longer history`);
      continue;
    }
    const d = await timeDuck(runs, (e) => runAnalysis(e, analysis, {}));
    const s = await timeSpark(runs, (e) => runAnalysis(e, analysis, {}));
    const label = `${analysis.name}${SEED_SCENARIOS.has(analysis.name) ? ' *' : ''}`;
    const ratio = s === null ? '' : `${(s / d).toFixed(1).padStart(8)}×`;
    console.log(`  ${label.padEnd(22)} ${d.toFixed(1).padStart(10)} ${sparkText(s).padStart(10)}  ${ratio}`);
  }
  console.log('  (* seed scenario)');
  if (serverPid) {
    const after = memoryOf(serverPid);
    console.log(
      `\nSpark Connect server RSS after the run: ${after.rss.toFixed(0)} MB (peak ${after.peak.toFixed(0)} MB)`,
    );
  }
  console.log(`load average at the end: ${loadText()}`);
} finally {
  await spark?.close();
  await duck?.close();
  if (serverPid) execFileSync('sh', [join(ROOT, 'scripts/spark-connect.sh'), 'stop']);
  if (!values.data) await rm(dir, { recursive: true, force: true });
}
