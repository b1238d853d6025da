/**
 * Latency of every catalog analysis: `node dist/bench/analyses.js [--orders N] [--events N] [--customers N]
 * [--runs N] [--data DIR]`. Without --data it generates a dataset (with an experiment) into a temp dir,
 * builds the lake, times each analysis (median of --runs after one warm-up run) and removes the dir.
 */
import { rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadCatalog, runAnalysis } from '../src/analyses/index.js';
import { openEngine } from '../src/engines/index.js';
import { isUserError } from '../src/errors/index.js';
import { generateDefaults } from '../src/generate/index.js';
import { buildBenchDataset } from './dataset.js';

/** Median latency in ms of each analysis with default parameters over the lake in `dataDir`. */
export async function benchAnalyses(dataDir: string, runs = 5): Promise<{ name: string; ms: number }[]> {
  const engine = await openEngine({ dataDir });
  try {
    const results: { name: string; ms: number }[] = [];
    for (const analysis of await loadCatalog()) {
      // Analyses that need an id (recommend, also-bought) or a longer history (churn) are benched by bench/predict.ts.
      try {
        await runAnalysis(engine, analysis, {});
      } catch (e) {
        if (!isUserError(e)) throw e;
        console.log(`${analysis.name}: skipped (${e.message})`);
        continue;
      }
      const times: number[] = [];
      for (let i = 0; i < runs; i++) {
        const t0 = performance.now();
        await runAnalysis(engine, analysis, {});
        times.push(performance.now() - t0);
      }
      times.sort((a, b) => a - b);
      results.push({ name: analysis.name, ms: times[Math.floor(times.length / 2)] ?? Number.NaN });
    }
    return results;
  } finally {
    await engine.close();
  }
}

function flag(name: string, fallback: number): number {
  const i = process.argv.indexOf(`--${name}`);
  const v = i >= 0 ? Number(process.argv[i + 1]) : fallback;
  if (!Number.isInteger(v) || v < 1) throw new Error(`--${name} needs a whole number of at least 1`);
  return v;
}

// Run only when executed directly, not when imported by a bench runner.
if (process.argv[1] && fileURLToPath(import.meta.url) === resolve(process.argv[1])) {
  const dataFlag = process.argv.indexOf('--data');
  const given = dataFlag >= 0 ? process.argv[dataFlag + 1] : undefined;
  const dir = given ?? join(tmpdir(), `shoplake-bench-analyses-${process.pid}`);
  const opts = {
    orders: flag('orders', generateDefaults.orders),
    events: flag('events', generateDefaults.events),
    customers: flag('customers', generateDefaults.customers),
  };
  try {
    if (!given) {
      await buildBenchDataset(dir, opts);
    }
    const results = await benchAnalyses(dir, flag('runs', 5));
    const width = Math.max(...results.map((r) => r.name.length));
    for (const r of results) console.log(`${r.name.padEnd(width)}  ${r.ms.toFixed(1).padStart(9)} ms`);
  } finally {
    if (!given) await rm(dir, { recursive: true, force: true });
  }
}
