/**
 * DuckDB embedded against Apache Spark local[2] (through Spark Connect) on the same lake: every catalog
 * analysis with default parameters (the seed scenarios among them), Spark's fixed cost per query, and the
 * Connect server's start-up time and memory. Usage:
 *   node dist/bench/spark.js [--orders N --events N --customers N] [--runs N] [--data DIR] [--remote sc://…]
 * Without --remote it starts its own server with scripts/spark-connect.sh (pyspark installed by
 * scripts/spark-setup.sh) and stops it at the end; without --data it generates a dataset into a temp dir.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { loadCatalog, runAnalysis } from '../src/analyses/index.js';
import { type Engine, openEngine } from '../src/engines/index.js';
import { isUserError } from '../src/errors/index.js';
import { generateDefaults } from '../src/generate/index.js';
import { buildBenchDataset } from './dataset.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const SEED_SCENARIOS = new Set(['sales-by-region', 'customer-tiers', 'purchases-by-device']);

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)] ?? Number.NaN;
}

/** Median wall time in ms of `runs` calls after one warm-up call. */
async function timeIt(runs: number, fn: () => Promise<unknown>): Promise<number> {
  await fn();
  const times: number[] = [];
  for (let i = 0; i < runs; i++) {
    const t0 = performance.now();
    await fn();
    times.push(performance.now() - t0);
  }
  return median(times);
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
    data: { type: 'string' },
    remote: { type: 'string' },
  },
});
const whole = (text: string | undefined, fallback: number) => {
  const n = text === undefined ? fallback : Number(text);
  if (!Number.isInteger(n) || n < 1) throw new Error(`expected a whole number, got ${text}`);
  return n;
};
const size = {
  orders: whole(values.orders, generateDefaults.orders),
  events: whole(values.events, generateDefaults.events),
  customers: whole(values.customers, generateDefaults.customers),
};
const runs = whole(values.runs, 3);
const dir = values.data ?? join(tmpdir(), `shoplake-bench-spark-${process.pid}`);

let remote = values.remote;
let serverPid: string | undefined;
let startupMs: number | undefined;
const engines: Engine[] = [];
try {
  if (!values.data) {
    await buildBenchDataset(dir, size);
  }
  if (!remote) {
    remote = execFileSync('sh', [join(ROOT, 'scripts/spark-connect.sh'), 'start'], {
      encoding: 'utf8',
    }).trim();
    serverPid = readFileSync(join(ROOT, '.cache/spark-connect/pid'), 'utf8').trim();
    startupMs = Number(readFileSync(join(ROOT, '.cache/spark-connect/startup-ms'), 'utf8'));
    const idle = memoryOf(serverPid);
    console.log(
      `Spark Connect server (local[2]): accepting connections ${(startupMs / 1000).toFixed(1)} s after launch, RSS ${idle.rss.toFixed(0)} MB idle`,
    );
  }
  const duck = await openEngine({ dataDir: dir });
  engines.push(duck);
  const t0 = performance.now();
  const spark = await openEngine({ dataDir: dir, kind: 'spark', spark: { remote } });
  engines.push(spark);
  console.log(`Spark session and views: ${(performance.now() - t0).toFixed(0)} ms`);

  const fixed = [
    ['SELECT 1', 'SELECT 1 AS x'],
    ['count(*) FROM orders', 'SELECT count(*) AS n FROM orders'],
  ] as const;
  console.log(`\nfixed cost per query (median of ${Math.max(runs, 10)} after one warm-up)`);
  for (const [label, sql] of fixed) {
    const d = await timeIt(Math.max(runs, 10), () => duck.query(sql));
    const s = await timeIt(Math.max(runs, 10), () => spark.query(sql));
    console.log(
      `  ${label.padEnd(22)} duckdb ${d.toFixed(1).padStart(7)} ms   spark ${s.toFixed(1).padStart(8)} ms`,
    );
  }

  console.log(`\nanalyses, default parameters (median of ${runs} after one warm-up)`);
  console.log(
    `  ${'analysis'.padEnd(22)} ${'duckdb ms'.padStart(10)} ${'spark ms'.padStart(10)}  spark/duckdb`,
  );
  for (const analysis of await loadCatalog()) {
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
    const d = await timeIt(runs, () => runAnalysis(duck, analysis, {}));
    const s = await timeIt(runs, () => runAnalysis(spark, analysis, {}));
    const label = `${analysis.name}${SEED_SCENARIOS.has(analysis.name) ? ' *' : ''}`;
    console.log(
      `  ${label.padEnd(22)} ${d.toFixed(1).padStart(10)} ${s.toFixed(1).padStart(10)}  ${(s / d).toFixed(1).padStart(8)}×`,
    );
  }
  console.log('  (* seed scenario)');
  if (serverPid) {
    const after = memoryOf(serverPid);
    console.log(
      `\nSpark Connect server RSS after the run: ${after.rss.toFixed(0)} MB (peak ${after.peak.toFixed(0)} MB)`,
    );
  }
} finally {
  for (const engine of engines.reverse()) await engine.close();
  if (serverPid) execFileSync('sh', [join(ROOT, 'scripts/spark-connect.sh'), 'stop']);
  if (!values.data) await rm(dir, { recursive: true, force: true });
}
