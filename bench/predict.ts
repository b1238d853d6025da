/**
 * Recommendations and churn: model metric next to its baseline on the same split, and time to train and
 * predict, at the default size and larger. `node dist/bench/predict.js [--quick]` generates each dataset
 * into a temp dir, builds its lake, runs the backtests and one prediction query each, and removes the dir.
 * The churn figures against labels/churn.csv are computed as src/analyses/catalog/predict.test.ts does.
 * `--data DIR [--only recommend-backtest,recommend,churn-backtest,churn-risk] [--horizon N]` times those analyses on an
 * existing lake instead (read only; each with its baselines as the analysis prints them).
 */
import { readFileSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { backtestScores } from '../src/analyses/catalog/churn-backtest.js';
import { churnFeaturesSql } from '../src/analyses/catalog/parts/churn-features.js';
import { findAnalysis, runAnalysis } from '../src/analyses/index.js';
import { averagePrecision, precisionAtTop, rocAuc } from '../src/analyses/models/index.js';
import { openEngine } from '../src/engines/index.js';
import { type GenerateOptions, generate, generateDefaults } from '../src/generate/index.js';
import { buildLake } from '../src/ingest/index.js';
import { type LakeOption, machineLine, measureGivenLake, timedWithPeak, wanted } from './lake-option.js';

const AS_OF = new Date(Date.UTC(2025, 6, 1));
const DAY = 86400;

async function dataset(name: string, over: Partial<GenerateOptions>): Promise<string> {
  const dir = join(tmpdir(), `shoplake-bench-predict-${name}-${process.pid}`);
  const t0 = performance.now();
  await generate({ ...generateDefaults, asOf: AS_OF, out: dir, ...over });
  await buildLake(dir);
  console.log(
    `\n## ${name}: ${JSON.stringify(over)} (generate + build ${((performance.now() - t0) / 1000).toFixed(1)} s)`,
  );
  return dir;
}

async function timed<T>(label: string, f: () => Promise<T>): Promise<T> {
  const t0 = performance.now();
  const out = await f();
  console.log(`${label}: ${((performance.now() - t0) / 1000).toFixed(2)} s`);
  return out;
}

async function recommendations(name: string, over: Partial<GenerateOptions>): Promise<void> {
  const dir = await dataset(name, over);
  const engine = await openEngine({ dataDir: dir });
  try {
    const rows = await timed('recommend-backtest (train + predict every scored customer)', async () =>
      runAnalysis(engine, await findAnalysis('recommend-backtest'), {}),
    );
    console.table(rows);
    const [top] = await engine.query(
      "SELECT customer_id FROM orders WHERE customer_id <> 'GUEST' GROUP BY 1 ORDER BY count(*) DESC LIMIT 1",
    );
    await timed('recommend --customer (one customer, trains per query)', async () =>
      runAnalysis(engine, await findAnalysis('recommend'), { customer: String(top?.customer_id) }),
    );
    await timed('also-bought --product PHONE001', async () =>
      runAnalysis(engine, await findAnalysis('also-bought'), { product: 'PHONE001' }),
    );
  } finally {
    await engine.close();
    await rm(dir, { recursive: true, force: true });
  }
}

async function churn(name: string, over: Partial<GenerateOptions>): Promise<void> {
  const dir = await dataset(name, over);
  const engine = await openEngine({ dataDir: dir });
  try {
    const rows = await timed('churn-backtest (observed: no order in 30 days)', async () =>
      runAnalysis(engine, await findAnalysis('churn-backtest'), {}),
    );
    console.table(rows);
    await timed('churn-risk (train at end − 30 d, predict every active customer)', async () =>
      runAnalysis(engine, await findAnalysis('churn-risk'), { limit: 1_000_000 }),
    );
    const features = await engine.query(churnFeaturesSql(true), { asOf: null, horizon: 30, activeDays: 180 });
    const { test } = backtestScores(features, 30, 'order');
    const churnedAt = new Map(
      readFileSync(join(dir, 'labels', 'churn.csv'), 'utf8')
        .trim()
        .split('\n')
        .slice(1)
        .map((l) => {
          const [id, at] = l.split(',');
          return [id, Date.parse(`${at?.replace(' ', 'T')}Z`) / 1000];
        }),
    );
    const cut = AS_OF.getTime() / 1000 - 30 * DAY;
    const kept = test.filter((s) => !((churnedAt.get(s.case.customerId) ?? Number.POSITIVE_INFINITY) < cut));
    const y = kept.map((s) =>
      (churnedAt.get(s.case.customerId) ?? Number.POSITIVE_INFINITY) < cut + 30 * DAY ? 1 : 0,
    );
    const m = (score: number[]) => ({
      roc_auc: rocAuc(score, y).toFixed(3),
      average_precision: averagePrecision(score, y).toFixed(3),
      precision_top10: precisionAtTop(score, y, 0.1).toFixed(3),
    });
    console.log(
      `against labels/churn.csv: ${kept.length} customers not churned before the cut-off, ${y.filter((v) => v).length} churn in the next 30 days`,
    );
    console.table([
      { method: 'leave_probability', ...m(kept.map((s) => s.pLeave)) },
      { method: 'churn_probability (no order)', ...m(kept.map((s) => s.p)) },
      { method: 'recency-only', ...m(kept.map((s) => s.pRecency)) },
    ]);
  } finally {
    await engine.close();
    await rm(dir, { recursive: true, force: true });
  }
}

/** --data: the analyses on an existing lake, each timed with the process's peak memory. */
async function onLake(o: LakeOption & { dir: string }): Promise<void> {
  console.log(machineLine('predict bench', o.dir));
  const engine = await openEngine({ dataDir: o.dir });
  try {
    const run = async (name: string, params: Record<string, unknown>, show: boolean) => {
      if (!wanted(o, name)) return;
      const rows = await timedWithPeak(`${name} ${JSON.stringify(params)}`, async () =>
        runAnalysis(engine, await findAnalysis(name), params),
      );
      if (show) console.table(rows);
      else console.log(`  ${rows?.length} rows`);
    };
    await run('recommend-backtest', {}, true);
    if (wanted(o, 'recommend')) {
      const [top] = await engine.query(
        "SELECT customer_id FROM orders WHERE customer_id <> 'GUEST' GROUP BY 1 ORDER BY count(*) DESC LIMIT 1",
      );
      await run('recommend', { customer: String(top?.customer_id) }, false);
    }
    const horizon = o.horizon === undefined ? {} : { horizon: o.horizon };
    await run('churn-backtest', horizon, true);
    await run('churn-risk', { limit: 1_000_000, ...horizon }, false);
  } finally {
    await engine.close();
  }
}

await measureGivenLake(onLake);
const quick = process.argv.includes('--quick');
console.log(
  `predict bench ${new Date().toISOString()}: ${cpus().length} × ${cpus()[0]?.model.trim()}, Node ${process.version}, load ${loadavg()
    .map((l) => l.toFixed(1))
    .join(' ')}`,
);
// Seeds 42 and 7 (default sizes) tuned the hybrid's weights; 5 and 11 did not.
for (const seed of [5, 11])
  await recommendations(`recommendations, 1,000 products, seed ${seed}`, {
    products: 1000,
    orders: 50_000,
    customers: 5000,
    events: 200_000,
    historyDays: 365,
    seed,
  });
for (const seed of [42, 5])
  await recommendations(`recommendations, generate --products 1000 (30 days), seed ${seed}`, {
    products: 1000,
    seed,
  });
if (!quick)
  await recommendations('recommendations, 5,000 products, 4× orders', {
    products: 5000,
    orders: 200_000,
    customers: 20_000,
    events: 800_000,
    historyDays: 365,
    seed: 5,
  });
// Seeds 3 and 42 chose the churn features; 11 did not.
for (const seed of quick ? [3] : [3, 42, 11])
  await churn(`churn, 5,000 customers, seed ${seed}`, {
    orders: 60_000,
    customers: 5000,
    events: 4_000_000,
    historyDays: 365,
    seed,
  });
console.log(
  `\nload at the end: ${loadavg()
    .map((l) => l.toFixed(1))
    .join(' ')}`,
);
