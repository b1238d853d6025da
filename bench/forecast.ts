/**
 * Demand forecasting: the model's WAPE, MASE and interval coverage next to seasonal naive on the same
 * rolling origins, and the time to aggregate (SQL), train and predict. `node dist/bench/forecast.js
 * [--quick] [--data DIR]` generates each dataset into a temp dir (or uses the lake under DIR), builds
 * its lake, runs forecast-backtest and forecast, and removes what it generated.
 */
import { rm } from 'node:fs/promises';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { demandSql, toHistory } from '../src/analyses/catalog/parts/demand.js';
import { findAnalysis, runAnalysis } from '../src/analyses/index.js';
import {
  aggregateForecasts,
  backtestDemand,
  type DemandHistory,
  type ForecastGrouping,
  fitDemandModel,
  forecastDemand,
  historyBefore,
  TREND_DAMPING,
} from '../src/analyses/models/forecast/index.js';
import { openEngine } from '../src/engines/index.js';
import { type GenerateOptions, generate, generateDefaults } from '../src/generate/index.js';
import { buildLake } from '../src/ingest/index.js';

const AS_OF = new Date(Date.UTC(2026, 10, 25));

const seconds = (t0: number) => `${((performance.now() - t0) / 1000).toFixed(2)} s`;

async function timed<T>(label: string, f: () => Promise<T> | T): Promise<T> {
  const t0 = performance.now();
  const out = await f();
  console.log(`${label}: ${seconds(t0)}`);
  return out;
}

/**
 * Coverage and WAPE of summed forecasts (--by product, region, total) at `origins` cut-offs a week apart:
 * the sums take series as independent, which this checks.
 */
function summedCoverage(h: DemandHistory, origins: number): void {
  for (const by of ['product', 'region', 'total'] as ForecastGrouping[]) {
    let points = 0;
    let covered = 0;
    let abs = 0;
    let actual = 0;
    for (let k = 0; k < origins; k++) {
      const cut = h.end - 14 - 7 * k;
      const past = historyBefore(h, cut);
      const sums = aggregateForecasts(forecastDemand(past, { horizon: 14, level: 0.8, plan: h }), by, 0.8);
      for (const f of sums) {
        let y = 0;
        for (const s of past.series)
          if ((by !== 'product' || s.product === f.product) && (by !== 'region' || s.region === f.region))
            y +=
              h.series.find((x) => x.product === s.product && x.region === s.region)?.units[
                f.day - s.start
              ] ?? 0;
        points++;
        if (y >= f.lower && y <= f.upper) covered++;
        abs += Math.abs(y - f.mean);
        actual += y;
      }
    }
    console.log(
      `  --by ${by}: ${points} points, 80 % coverage ${((100 * covered) / points).toFixed(1)} %, WAPE ${(abs / actual).toFixed(3)}`,
    );
  }
}

/**
 * Coverage next to the intervals' mean probability by the forecast's mean (one cut-off 14 days before the
 * end): low counts get intervals that hold less or more than 80 % and say so; each bucket should match.
 */
function coverageByMean(h: DemandHistory): void {
  const cut = h.end - 14;
  const buckets = [0, 0.5, 1, 2, 5, 20, Number.POSITIVE_INFINITY];
  const acc = buckets.slice(1).map(() => ({ points: 0, covered: 0, held: 0 }));
  const forecasts = forecastDemand(historyBefore(h, cut), { horizon: 14, level: 0.8, plan: h });
  const series = new Map(h.series.map((s) => [`${s.product}\u241f${s.region}`, s]));
  for (const f of forecasts) {
    const s = series.get(`${f.product}\u241f${f.region}`);
    if (!s || s.censored?.[f.day - s.start]) continue;
    const y = s.units[f.day - s.start] ?? 0;
    const b = acc[buckets.findIndex((edge, i) => f.mean < (buckets[i + 1] as number) && f.mean >= edge)];
    if (!b) continue;
    b.points++;
    if (y >= f.lower && y <= f.upper) b.covered++;
    b.held += f.probability;
  }
  acc.forEach((b, i) => {
    if (b.points === 0) return;
    console.log(
      `  mean in [${buckets[i]}, ${buckets[i + 1]}): ${b.points} points, coverage ${((100 * b.covered) / b.points).toFixed(1)} %, interval probability ${((100 * b.held) / b.points).toFixed(1)} %`,
    );
  });
}

/**
 * The damped trend (TREND_DAMPING) next to the undamped line on the same cut-offs: at 14 days, and at the
 * longest horizon the history holds with one cut-off (at most 60 days), where the damping matters.
 */
function dampingPeer(h: DemandHistory, origins: number): void {
  const first = Math.min(...h.series.map((s) => s.start));
  const long = Math.min(60, Math.floor((h.end - first) / 2));
  for (const [horizon, cuts] of [
    [14, origins],
    [long, 1],
  ] as const) {
    for (const damping of [TREND_DAMPING, 1]) {
      const o = { horizon, origins: cuts, step: 7, level: 0.8, strict: false, damping };
      const model = backtestDemand(h, o).scores.find((x) => x.method === 'model');
      console.log(
        `  horizon ${horizon}, ${cuts} cut-off(s), damping ${damping}: WAPE ${model?.wape.toFixed(4)}, 80 % coverage ${((model?.coverage ?? 0) * 100).toFixed(1)} %`,
      );
    }
  }
}

async function measure(dir: string, backtest: Record<string, unknown>): Promise<void> {
  const engine = await openEngine({ dataDir: dir });
  try {
    const rows = await timed(
      `forecast-backtest ${JSON.stringify(backtest)} (model and seasonal naive)`,
      async () => runAnalysis(engine, await findAnalysis('forecast-backtest'), backtest),
    );
    console.table(rows);
    await timed('forecast --horizon 14 (whole query: SQL, fit, predict every series)', async () =>
      runAnalysis(engine, await findAnalysis('forecast'), { horizon: 14 }),
    );
    const raw = await timed('  of which the SQL aggregation', () =>
      engine.query(demandSql(), { asOf: null }),
    );
    const history = toHistory(raw, undefined);
    const days = history.series.reduce((s, x) => s + x.units.length, 0);
    console.log(`  ${history.series.length} series, ${days.toLocaleString('en-US')} series-days`);
    const model = await timed('  of which the fit', () => fitDemandModel(history));
    console.log(
      `  coefficients ${model.coef.map((c) => c.toFixed(3)).join(' ')}; phi ${model.phi.toFixed(2)}, alpha ${model.alpha.toFixed(4)}`,
    );
    await timed('  fit + predict 14 days (forecastDemand)', () => forecastDemand(history, { horizon: 14 }));
    dampingPeer(history, Number(rows[0]?.origins ?? 1));
    coverageByMean(history);
    if (history.series.length <= 500) summedCoverage(history, Number(rows[0]?.origins ?? 1));
  } finally {
    await engine.close();
  }
}

async function generated(name: string, over: Partial<GenerateOptions>, backtest: Record<string, unknown>) {
  const dir = join(tmpdir(), `shoplake-bench-forecast-${name}-${process.pid}`);
  const t0 = performance.now();
  try {
    await generate({ ...generateDefaults, asOf: AS_OF, out: dir, ...over });
    await buildLake(dir);
    console.log(`\n## ${name}: ${JSON.stringify(over)} (generate + build ${seconds(t0)})`);
    await measure(dir, backtest);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

const args = process.argv.slice(2);
console.log(
  `# forecast bench ${new Date().toISOString()}, ${cpus().length} CPUs, load average ${loadavg()
    .map((l) => l.toFixed(1))
    .join(' ')}`,
);
const dataAt = args.indexOf('--data');
if (dataAt >= 0) {
  await measure(args[dataAt + 1] ?? 'data', {});
} else {
  await generated('default', {}, {});
  if (!args.includes('--quick')) {
    const bigger = { orders: 400_000, customers: 20_000, events: 100_000, historyDays: 120 };
    await generated('120 days, Black Friday', { ...bigger, blackFriday: true }, { origins: 6 });
    await generated('1,000 products, 120 days', { ...bigger, products: 1000 }, { origins: 6 });
  }
}
console.log(
  `\nload average at the end ${loadavg()
    .map((l) => l.toFixed(1))
    .join(' ')}`,
);
