/**
 * Dynamic pricing: price-elasticity's interval coverage and error against labels/elasticities.csv next to
 * a naive log-log regression (price only: no weekday, trend or competitor controls) on the same daily
 * sales, and price-recommend's revenue gain on the generator's demand model next to knowing the true
 * elasticities, and price-backtest's held-out WAPE next to its price-blind baseline. `node dist/bench/pricing.js [--quick]` generates each dataset (generate --pricing) into a
 * temp dir, builds its lake, runs both analyses and removes the dir. `--data DIR [--only
 * price-elasticity,price-recommend,price-backtest]` times them on an existing lake instead (read only),
 * with the coverage of labels/elasticities.csv when the lake has it.
 */
import { readFileSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { dailySalesSql, estimateAll } from '../src/analyses/catalog/parts/pricing.js';
import { findAnalysis, runAnalysis } from '../src/analyses/index.js';
import { confidenceInterval, fitOls } from '../src/analyses/models/pricing/index.js';
import { openEngine } from '../src/engines/index.js';
import { type GenerateOptions, generate, generateDefaults } from '../src/generate/index.js';
import { demandFactor } from '../src/generate/pricing.js';
import { buildLake } from '../src/ingest/index.js';
import { type LakeOption, machineLine, measureGivenLake, timedWithPeak, wanted } from './lake-option.js';

const AS_OF = new Date(Date.UTC(2026, 10, 25));
const quick = process.argv.includes('--quick');

interface Tally {
  n: number;
  inside: number;
  absError: number;
}
const tally = (): Tally => ({ n: 0, inside: 0, absError: 0 });
const add = (t: Tally, truth: number, e: number, lo: number, hi: number) => {
  t.n++;
  t.absError += Math.abs(e - truth);
  if (lo <= truth && truth <= hi) t.inside++;
};
const show = (t: Tally) =>
  `coverage ${t.inside}/${t.n} = ${((100 * t.inside) / Math.max(1, t.n)).toFixed(0)} %, mean |error| ${(t.absError / Math.max(1, t.n)).toFixed(3)}`;

async function run(name: string, over: Partial<GenerateOptions>, model: Tally, naive: Tally) {
  const dir = join(tmpdir(), `shoplake-bench-pricing-${name}-${process.pid}`);
  const t0 = performance.now();
  await generate({ ...generateDefaults, asOf: AS_OF, out: dir, pricing: true, ...over });
  await buildLake(dir);
  const built = (performance.now() - t0) / 1000;
  const truth = new Map(
    readFileSync(join(dir, 'labels', 'elasticities.csv'), 'utf8')
      .trim()
      .split('\n')
      .slice(1)
      .map((l) => l.split(','))
      .map(([id, e]) => [String(id), Number(e)]),
  );
  const engine = await openEngine({ dataDir: dir });
  try {
    const t1 = performance.now();
    const rows = await runAnalysis(engine, await findAnalysis('price-elasticity'), {});
    const tElasticity = (performance.now() - t1) / 1000;
    let skipped = 0;
    for (const r of rows) {
      if (r.status !== 'estimated') {
        skipped++;
        continue;
      }
      const e = truth.get(String(r.product_id)) as number;
      add(model, e, Number(r.elasticity), Number(r.elasticity_low), Number(r.elasticity_high));
    }
    // The naive peer: log lines on log price alone, on the same daily sales.
    const daily = await engine.query(dailySalesSql('none'), { product: null, from: null, to: null });
    for (const pe of estimateAll(daily, { confidence: 0.9 }, 'bench')) {
      if (pe.estimate.status !== 'estimated') continue;
      const fit = fitOls(
        ['intercept', 'log_price'],
        pe.sales.map((s) => [1, Math.log(s.price)]),
        pe.sales.map((s) => Math.log(s.lines)),
      );
      if (!fit) continue;
      const [lo, hi] = confidenceInterval(fit, 'log_price', 0.9);
      add(naive, truth.get(pe.productId) as number, -(fit.coef[1] as number), -hi, -lo);
    }
    const t2 = performance.now();
    const recs = await runAnalysis(engine, await findAnalysis('price-recommend'), { maxChange: '0.1' });
    const tRecommend = (performance.now() - t2) / 1000;
    let base = 0;
    let gain = 0;
    let oracle = 0;
    for (const r of recs) {
      if (r.status !== 'recommended') continue;
      const e = truth.get(String(r.product_id)) as number;
      const p0 = Number(r.current_price);
      const revenue = (p: number) =>
        p * Number(r.units_per_day) * (demandFactor(e, p, 1) / demandFactor(e, p0, 1));
      base += revenue(p0);
      gain += revenue(Number(r.recommended_price)) - revenue(p0);
      oracle += Math.max(revenue(p0 * 0.9), revenue(p0 * 1.1)) - revenue(p0);
    }
    const backtest = await runAnalysis(engine, await findAnalysis('price-backtest'), {});
    const wape = (m: string) => Number(backtest.find((r) => r.method === m)?.wape);
    console.log(
      `  price-backtest (28 days held out): WAPE ${(100 * wape('price-elasticity')).toFixed(1)} % vs weekday average ${(100 * wape('weekday-average')).toFixed(1)} %`,
    );
    console.log(
      `${name}: generate + build ${built.toFixed(1)} s, price-elasticity ${tElasticity.toFixed(2)} s, ` +
        `price-recommend ${tRecommend.toFixed(2)} s; ${rows.length - skipped} estimated, ${skipped} without an estimate; ` +
        `revenue gain (±10 %) ${((100 * gain) / base).toFixed(2)} % vs ${((100 * oracle) / base).toFixed(2)} % knowing the truth`,
    );
  } finally {
    await engine.close();
    await rm(dir, { recursive: true, force: true });
  }
}

/** --data: the three pricing analyses on an existing lake, each timed with the process's peak memory. */
async function onLake(o: LakeOption & { dir: string }): Promise<void> {
  console.log(machineLine('pricing bench', o.dir));
  let truth: Map<string, number> | undefined;
  try {
    truth = new Map(
      readFileSync(join(o.dir, 'labels', 'elasticities.csv'), 'utf8')
        .trim()
        .split('\n')
        .slice(1)
        .map((l) => l.split(','))
        .map(([id, e]) => [String(id), Number(e)]),
    );
  } catch {
    truth = undefined; // a lake without the generator's labels: times only
  }
  const engine = await openEngine({ dataDir: o.dir });
  try {
    if (wanted(o, 'price-elasticity')) {
      const rows = await timedWithPeak('price-elasticity', async () =>
        runAnalysis(engine, await findAnalysis('price-elasticity'), {}),
      );
      const t = tally();
      for (const r of rows ?? []) {
        const e = truth?.get(String(r.product_id));
        if (r.status === 'estimated' && e !== undefined)
          add(t, e, Number(r.elasticity), Number(r.elasticity_low), Number(r.elasticity_high));
      }
      console.log(`  ${rows?.length} products; against labels/elasticities.csv: ${show(t)}`);
    }
    if (wanted(o, 'price-recommend')) {
      const rows = await timedWithPeak('price-recommend --max-change 0.1', async () =>
        runAnalysis(engine, await findAnalysis('price-recommend'), { maxChange: '0.1' }),
      );
      console.log(
        `  ${rows?.filter((r) => r.status === 'recommended').length} of ${rows?.length} recommended`,
      );
    }
    if (wanted(o, 'price-backtest')) {
      const rows = await timedWithPeak(`price-backtest --holdout-days ${o.holdoutDays ?? 28}`, async () =>
        runAnalysis(
          engine,
          await findAnalysis('price-backtest'),
          o.holdoutDays === undefined ? {} : { holdoutDays: o.holdoutDays },
        ),
      );
      console.table(rows);
    }
  } finally {
    await engine.close();
  }
}

await measureGivenLake(onLake);
console.log(
  `# ${new Date().toISOString()} · ${cpus().length} cores · load ${loadavg()
    .map((l) => l.toFixed(2))
    .join(' ')}`,
);
const seeds = quick ? [1, 2] : [1, 2, 3, 4, 5];
const model = tally();
const naive = tally();
for (const seed of seeds)
  await run(
    `seed-catalog-365d-s${seed}`,
    { seed, historyDays: 365, orders: 200_000, events: 100_000 },
    model,
    naive,
  );
console.log(`15 products × ${seeds.length} seeds, 365 days, 200,000 orders:`);
console.log(`  price-elasticity (controls): ${show(model)}`);
console.log(`  naive log-log (price only):  ${show(naive)}`);
if (!quick) {
  const tailModel = tally();
  const tailNaive = tally();
  await run(
    'long-tail-200',
    { seed: 7, products: 200, historyDays: 365, orders: 1_000_000, events: 100_000 },
    tailModel,
    tailNaive,
  );
  console.log(`200 products, 365 days, 1,000,000 orders:`);
  console.log(`  price-elasticity (controls): ${show(tailModel)}`);
  console.log(`  naive log-log (price only):  ${show(tailNaive)}`);
}
