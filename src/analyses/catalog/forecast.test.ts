import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { DuckDbEngine } from '../../engines/testing.js';
import { isUserError } from '../../errors/index.js';
import { generate, generateDefaults } from '../../generate/index.js';
import { buildLake } from '../../ingest/index.js';
import { tempDir } from '../../testing/index.js';
import { findAnalysis, runAnalysis } from '../index.js';
import { dateOf, dayOf, fitDemandModel, forecastDemand, historyBefore } from '../models/forecast/index.js';
import { demandSql, toHistory } from './parts/demand.js';

// Eight weeks of orders ending 2025-12-19, with the generator's Black Friday: the last Friday of November
// inside the window, 2025-11-28 (src/generate/calendar.ts).
const AS_OF = new Date('2025-12-20T00:00:00Z');
const BLACK_FRIDAY = '2025-11-28';
/** The generator's planted weekday shape, Sunday first (WEEKDAY_SHAPE in src/generate/calendar.ts). */
const WEEKDAY_SHAPE = [1.15, 0.95, 0.95, 1.0, 1.0, 1.05, 1.1];

describe('forecast on a generated lake', () => {
  let t: ReturnType<typeof tempDir> & { engine: DuckDbEngine };
  const run = async (name: string, params: Record<string, unknown> = {}) =>
    (await runAnalysis(t.engine, await findAnalysis(name), params)) as Record<string, unknown>[];
  const userError = (p: Promise<unknown>, pattern: RegExp) =>
    assert.rejects(p, (e: unknown) => isUserError(e) && pattern.test((e as Error).message));
  const history = async () => toHistory(await t.engine.query(demandSql(), { asOf: null }), undefined);

  before(async () => {
    const dir = tempDir();
    await generate({
      ...generateDefaults,
      orders: 120_000,
      customers: 10_000,
      events: 20_000,
      days: 56,
      blackFriday: true,
      asOf: AS_OF,
      out: dir.dir,
    });
    await buildLake(dir.dir);
    t = { ...dir, engine: await DuckDbEngine.open(dir.dir) };
  });
  after(async () => {
    await t?.engine.close();
    t?.cleanup();
  });

  it("recovers the generator's weekday shape and finds its Black Friday", async () => {
    const h = await history();
    assert.equal(h.series.length, 15 * 5);
    assert.equal(dateOf(h.end), '2025-12-20');
    const inWindow = [...h.saleDays].filter((d) => d >= h.end - 56 && d < h.end).map(dateOf);
    assert.deepEqual(inWindow, [BLACK_FRIDAY]);
    const m = fitDemandModel(h);
    for (let w = 1; w < 7; w++) {
      const want = Math.log((WEEKDAY_SHAPE[w] as number) / (WEEKDAY_SHAPE[0] as number));
      const got = m.coef[w - 1] as number;
      assert.ok(Math.abs(got - want) < 0.05, `weekday ${w}: ${got.toFixed(3)} vs planted ${want.toFixed(3)}`);
    }
  });

  it('the promotion elasticity matches the lift in the data, measured separately in SQL', async () => {
    // Per product and day (all regions), units against the mean of the same product's days of the same
    // weekday without a discount or sale: the average log lift per unit of −log(1 − discount). The
    // generator plants 1.8 on the product a customer picks; complements, repeat orders and bulk lines are
    // not drawn by price, so the lift in the units is smaller (about 1.4–1.6).
    const [row] = await t.engine.query(`
      WITH l AS (SELECT product_id, CAST(order_date AS DATE) AS day, quantity, total_amount, status
        FROM orders WHERE quantity > 0),
      pd AS (SELECT l.product_id, l.day, 1 - (sum(total_amount) / sum(quantity)) / max(p.list_price) AS disc,
          sum(CASE WHEN status <> 'CANCELLED' THEN quantity ELSE 0 END) AS units
        FROM l JOIN products p USING (product_id) GROUP BY l.product_id, l.day),
      base AS (SELECT product_id, dayofweek(day) AS w, avg(units) AS units FROM pd
        WHERE disc < 0.01 GROUP BY ALL)
      SELECT sum(ln(pd.units / base.units)) / sum(-ln(1 - pd.disc)) AS elasticity
      FROM pd JOIN base ON base.product_id = pd.product_id AND base.w = dayofweek(pd.day)
      WHERE pd.disc >= 0.05 AND pd.day <> DATE '${BLACK_FRIDAY}' AND pd.units > 0`);
    const sql = Number(row?.elasticity);
    const model = fitDemandModel(await history()).coef[7] as number;
    assert.ok(sql > 1 && sql < 2, `lift in the data ${sql}`);
    assert.ok(Math.abs(model - sql) < 0.2, `model elasticity ${model} vs ${sql} in SQL`);
  });

  it('forecast-backtest: seasonal naive WAPE equals an independent SQL computation; the model beats it', async () => {
    const rows = await run('forecast-backtest', { origins: 1 });
    const by = new Map(rows.map((r) => [r.method, r]));
    const cut = String(by.get('model')?.first_cutoff);
    assert.equal(cut, '2025-12-06');
    // Same weekday last week for each test day, every series whose product sold a week before the cut-off.
    const [ref] = await t.engine.query(`
      WITH d AS (SELECT product_id, region, CAST(order_date AS DATE) AS day, sum(quantity) AS units
        FROM orders WHERE quantity > 0 AND status <> 'CANCELLED' GROUP BY ALL),
      f AS (SELECT product_id, min(day) AS first FROM d GROUP BY product_id),
      s AS (SELECT DISTINCT d.product_id, d.region FROM d JOIN f USING (product_id)
        WHERE f.first <= DATE '${cut}' - 7),
      test AS (SELECT s.product_id, s.region, CAST(g.day AS DATE) AS day,
          datediff('day', DATE '${cut}', CAST(g.day AS DATE)) AS h
        FROM s CROSS JOIN range(DATE '${cut}', DATE '${cut}' + 14, INTERVAL 1 DAY) g(day))
      SELECT sum(abs(coalesce(a.units, 0) - coalesce(b.units, 0))) / sum(coalesce(a.units, 0)) AS wape,
        sum(coalesce(a.units, 0)) AS actual, count(DISTINCT test.product_id || test.region) AS series
      FROM test
      LEFT JOIN d a ON a.product_id = test.product_id AND a.region = test.region AND a.day = test.day
      LEFT JOIN d b ON b.product_id = test.product_id AND b.region = test.region
        AND b.day = test.day - CAST(7 * (floor(h / 7) + 1) AS INTEGER)`);
    const naiveRow = by.get('seasonal-naive');
    assert.equal(Number(naiveRow?.actual_units), Number(ref?.actual));
    assert.equal(Number(naiveRow?.series), Number(ref?.series));
    assert.ok(
      Math.abs(Number(naiveRow?.wape) - Number(ref?.wape)) < 1e-4,
      `${naiveRow?.wape} vs ${ref?.wape}`,
    );
    // The model's WAPE and coverage, recomputed here from its forecasts with the actual plan.
    const h = await history();
    const forecasts = forecastDemand(historyBefore(h, dayOf(cut)), { horizon: 14, level: 0.8, plan: h });
    let abs = 0;
    let covered = 0;
    let actual = 0;
    let held = 0;
    for (const f of forecasts) {
      held += f.probability;
      const s = h.series.find((x) => x.product === f.product && x.region === f.region);
      const y = s?.units[f.day - (s?.start ?? 0)] ?? 0;
      abs += Math.abs(y - f.mean);
      actual += y;
      if (y >= f.lower && y <= f.upper) covered++;
    }
    const m = by.get('model');
    assert.ok(Math.abs(Number(m?.wape) - abs / actual) < 1e-4);
    assert.ok(Math.abs(Number(m?.coverage) - covered / forecasts.length) < 1e-4);
    // What coverage should be: the mean probability of the intervals (whole units cannot hold exactly 80 %).
    assert.ok(Math.abs(Number(m?.interval_probability) - held / forecasts.length) < 1e-4);
    assert.equal(by.get('seasonal-naive')?.interval_probability, null);
    // The goals of issue 12 on this lake: WAPE ≤ 0.8 × seasonal naive, 80 % intervals cover 75–85 %, and
    // the intervals claim no more than ±5 points from 80 % either.
    assert.ok(Number(m?.wape_vs_naive) <= 0.8, `model/naive WAPE ${m?.wape_vs_naive}`);
    assert.ok(Number(m?.coverage) >= 0.75 && Number(m?.coverage) <= 0.85, `coverage ${m?.coverage}`);
    const claimed = Number(m?.interval_probability);
    assert.ok(claimed >= 0.75 && claimed <= 0.85, `interval probability ${claimed}`);
  });

  it('forecast: a row per series and day, totals that add up, planned sales and discounts lift demand', async () => {
    const rows = await run('forecast', { horizon: 7 });
    assert.equal(rows.length, 75 * 7);
    assert.equal(rows[0]?.date, '2025-12-20');
    const total = await run('forecast', { horizon: 7, by: 'total' });
    assert.equal(total.length, 7);
    const sum = rows.filter((r) => r.date === '2025-12-21').reduce((s, r) => s + Number(r.units), 0);
    assert.ok(Math.abs(Number(total[1]?.units) - sum) < 0.5, `${total[1]?.units} vs ${sum}`);
    for (const r of rows) {
      assert.ok(Number(r.lower) <= Number(r.units) && Number(r.units) <= Number(r.upper));
      // Each interval says what it holds: near 80 %, off by at most what one unit at an end weighs.
      const held = Number(r.interval_probability);
      assert.ok(held > 0.5 && held < 1, `${r.product_id} ${r.region} ${r.date}: ${held}`);
    }
    const one = { horizon: 7, by: 'total', product: 'PHONE001' };
    const plain = await run('forecast', one);
    const sale = await run('forecast', { ...one, saleDays: '2025-12-22' });
    const promo = await run('forecast', { ...one, discount: 0.2 });
    assert.equal(sale[2]?.sale_day, true);
    assert.ok(Number(sale[2]?.units) > 3 * Number(plain[2]?.units), 'a sale day sells several times more');
    assert.equal(Number(sale[3]?.units), Number(plain[3]?.units));
    // 20 % off: (1 − 0.2)^−elasticity, 1.3–1.5× for an elasticity of 1.2–1.8.
    const lift = Number(promo[0]?.units) / Number(plain[0]?.units);
    assert.ok(lift > 1.25 && lift < 1.5, `lift ${lift}`);
    const wide = await run('forecast', { ...one, interval: 0.95 });
    assert.ok(
      Number(wide[0]?.upper) - Number(wide[0]?.lower) > Number(plain[0]?.upper) - Number(plain[0]?.lower),
    );
    assert.ok(Number(wide[0]?.interval_probability) > Number(plain[0]?.interval_probability));
  });

  it('bad input is one user error: unknown product or region, too long a horizon, too little history', async () => {
    await userError(
      run('forecast', { product: 'NOPE001' }),
      /^unknown product 'NOPE001': no order of it before/,
    );
    await userError(run('forecast', { region: 'MARS' }), /^unknown region 'MARS'/);
    await userError(run('forecast', { horizon: 60 }), /60-day horizon needs at least 60 days of history/);
    await userError(run('forecast', { asOf: '2025-11-01' }), /needs at least 14 days of order history/);
    await userError(
      run('forecast-backtest', { origins: 6 }),
      /6 cut-offs 7 day\(s\) apart with a 14-day horizon need 63 days/,
    );
    await userError(run('forecast', { saleDays: '2025-13-01x' }), /--sale-days/);
    await userError(
      run('forecast', { saleDays: '2025-12-24,2026-02-30' }),
      /--sale-days: not a calendar date/,
    );
  });
});
