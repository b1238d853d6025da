/**
 * Stockouts as censoring, and reorder from the forecast (issue 12). On generated lakes with
 * `--inventory --pricing`, side by side with a peer copy of the same lake without its stock tables (so
 * nothing is censored, as before): forecast's 7-day demand against the true demand (orders placed + the
 * lines lost to stockouts, labels/lost_demand.csv), price-elasticity's interval coverage and error against
 * labels/elasticities.csv, and reorder's replay (units short, holding cost) under the forecast and the
 * trailing estimator next to today's policy. `node dist/bench/demand-censoring.js [--quick]`.
 */
import { cpSync, readFileSync, rmSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import forecast from '../src/analyses/catalog/forecast.js';
import priceElasticity from '../src/analyses/catalog/price-elasticity.js';
import reorderAnalysis from '../src/analyses/catalog/reorder.js';
import { runAnalysis } from '../src/analyses/index.js';
import { openEngine } from '../src/engines/index.js';
import { generate, generateDefaults } from '../src/generate/index.js';
import { buildLake } from '../src/ingest/index.js';

const AS_OF = new Date(Date.UTC(2026, 10, 25));
const FORECAST_FROM = '2026-11-11';
const FORECAST_DAYS = 7;
const SEEDS = process.argv.includes('--quick') ? [42] : [42, 7];

const lines = (file: string) => readFileSync(file, 'utf8').trim().split('\n').slice(1);

/** True demand per product|region in the forecast window: non-cancelled units placed + units lost. */
async function trueDemand(dir: string): Promise<Map<string, number>> {
  const engine = await openEngine({ dataDir: dir });
  const out = new Map<string, number>();
  try {
    const rows = await engine.query(
      `SELECT product_id, region, sum(quantity) AS units FROM orders
       WHERE quantity > 0 AND status <> 'CANCELLED' AND order_date >= CAST(:a AS TIMESTAMP)
         AND order_date < CAST(:a AS TIMESTAMP) + INTERVAL ${FORECAST_DAYS} DAY
       GROUP BY 1, 2`,
      { a: FORECAST_FROM },
    );
    for (const r of rows) out.set(`${String(r.product_id)}|${String(r.region)}`, Number(r.units));
  } finally {
    await engine.close();
  }
  const from = Date.parse(`${FORECAST_FROM}T00:00:00Z`);
  for (const l of lines(join(dir, 'labels', 'lost_demand.csv'))) {
    const [at, wh, product, , qty] = l.split(',');
    const t = Date.parse(`${String(at).replace(' ', 'T')}Z`);
    if (t < from || t >= from + FORECAST_DAYS * 86_400_000) continue;
    const key = `${product}|${String(wh).replace(/^WH-/, '')}`;
    out.set(key, (out.get(key) ?? 0) + Number(qty));
  }
  return out;
}

async function measure(dir: string, truth: Map<string, number>, elasticity: Map<string, number>) {
  const engine = await openEngine({ dataDir: dir });
  try {
    const fc = await runAnalysis(engine, forecast, {
      asOf: FORECAST_FROM,
      horizon: FORECAST_DAYS,
    });
    const f = new Map<string, number>();
    for (const r of fc)
      f.set(`${r.product_id}|${r.region}`, (f.get(`${r.product_id}|${r.region}`) ?? 0) + r.units);
    let t = 0;
    let sum = 0;
    let abs = 0;
    for (const [k, v] of truth) {
      t += v;
      sum += f.get(k) ?? 0;
      abs += Math.abs((f.get(k) ?? 0) - v);
    }
    const pe = await runAnalysis(engine, priceElasticity, {});
    let n = 0;
    let inside = 0;
    let err = 0;
    let signed = 0;
    for (const r of pe) {
      const e = elasticity.get(r.product_id);
      if (r.elasticity === null || e === undefined || r.elasticity_low === null || r.elasticity_high === null)
        continue;
      n++;
      err += Math.abs(r.elasticity - e);
      signed += r.elasticity - e;
      if (r.elasticity_low <= e && e <= r.elasticity_high) inside++;
    }
    return {
      forecastOverTruth: sum / t,
      wapeVsTruth: abs / t,
      elasticity: `${inside}/${n} inside the 90 % interval (of ${pe.length}), mean |error| ${(err / Math.max(1, n)).toFixed(3)}, mean signed error ${(signed / Math.max(1, n)).toFixed(3)}`,
    };
  } finally {
    await engine.close();
  }
}

async function reorder(dir: string) {
  const engine = await openEngine({ dataDir: dir });
  try {
    const out: string[] = [];
    for (const demand of ['forecast', 'trailing'] as const) {
      const t0 = performance.now();
      const rows = await runAnalysis(engine, reorderAnalysis, { demand });
      const s = (k: 'stockout_units' | 'current_stockout_units' | 'holding_cost' | 'current_holding_cost') =>
        rows.reduce((a, r) => a + (r[k] ?? 0), 0);
      const asked = rows.reduce((a, r) => a + r.holdout_demand, 0);
      out.push(
        `reorder --demand ${demand} (${((performance.now() - t0) / 1000).toFixed(2)} s): short ${s('stockout_units')} units (fill ${(100 * (1 - s('stockout_units') / asked)).toFixed(1)} %), holding $${s('holding_cost').toFixed(0)} · today's policy short ${s('current_stockout_units')}, holding $${s('current_holding_cost').toFixed(0)} · held-out demand ${asked}`,
      );
    }
    return out;
  } finally {
    await engine.close();
  }
}

console.log(
  `demand censoring bench · ${new Date().toISOString()} · ${cpus().length} cpus · load ${loadavg()
    .map((x) => x.toFixed(2))
    .join(' ')}`,
);
for (const seed of SEEDS) {
  const dir = join(tmpdir(), `shoplake-bench-censoring-${seed}-${process.pid}`);
  const bare = `${dir}-nostock`;
  try {
    await generate({
      ...generateDefaults,
      days: 120,
      seed,
      asOf: AS_OF,
      out: dir,
      inventory: true,
      pricing: true,
      blackFriday: true,
    });
    await buildLake(dir);
    // The peer: the same lake without its stock tables (nothing censored, as before this change).
    cpSync(join(dir, 'lake'), join(bare, 'lake'), { recursive: true });
    for (const t of ['warehouses', 'stock_levels', 'stock_movements'])
      rmSync(join(bare, 'lake', t), { recursive: true, force: true });
    const truth = await trueDemand(dir);
    const elasticity = new Map(
      lines(join(dir, 'labels', 'elasticities.csv')).map((l) => {
        const [id, e] = l.split(',');
        return [String(id), Number(e)] as const;
      }),
    );
    const censored = await measure(dir, truth, elasticity);
    const plain = await measure(bare, truth, elasticity);
    console.log(`seed ${seed}:`);
    console.log(
      `  forecast ${FORECAST_FROM} +${FORECAST_DAYS} d, Σ forecast ÷ true demand: censored ${censored.forecastOverTruth.toFixed(3)} vs not ${plain.forecastOverTruth.toFixed(3)}; WAPE of series totals vs true demand ${censored.wapeVsTruth.toFixed(3)} vs ${plain.wapeVsTruth.toFixed(3)}`,
    );
    console.log(`  price-elasticity censored: ${censored.elasticity}`);
    console.log(`  price-elasticity not:      ${plain.elasticity}`);
    for (const l of await reorder(dir)) console.log(`  ${l}`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
    rmSync(bare, { recursive: true, force: true });
  }
}
