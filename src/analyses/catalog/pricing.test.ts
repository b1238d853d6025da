import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { DuckDbEngine } from '../../engines/testing.js';
import { isUserError } from '../../errors/index.js';
import { generate, generateDefaults } from '../../generate/index.js';
import { COMPETITOR_ELASTICITY, demandFactor } from '../../generate/pricing.js';
import { buildLake } from '../../ingest/index.js';
import { csv, ORDERS_HEADER, tempDir } from '../../testing/index.js';
import { ingestFixture } from '../fixture.test-helper.js';
import { findAnalysis, runAnalysis } from '../index.js';

const AS_OF = new Date('2026-11-25T00:00:00Z');
type Row = Record<string, unknown>;

async function lake(over: Partial<Parameters<typeof generate>[0]>) {
  const t = tempDir();
  await generate({ ...generateDefaults, asOf: AS_OF, out: t.dir, ...over });
  await buildLake(t.dir);
  return { ...t, engine: await DuckDbEngine.open(t.dir) };
}

const run = async (engine: DuckDbEngine, name: string, params: Row = {}) =>
  (await runAnalysis(engine, await findAnalysis(name), params)) as Row[];

async function userError(p: Promise<unknown>, pattern: RegExp): Promise<void> {
  await assert.rejects(p, (e: unknown) => isUserError(e) && pattern.test((e as Error).message));
}

/** labels/elasticities.csv as product → true elasticity. */
function truth(dir: string): Map<string, number> {
  const lines = readFileSync(join(dir, 'labels', 'elasticities.csv'), 'utf8')
    .trim()
    .split('\n')
    .slice(1);
  return new Map(lines.map((l) => l.split(',')).map(([id, e]) => [String(id), Number(e)]));
}

describe('dynamic pricing on generate --pricing data (180 days)', () => {
  let t: Awaited<ReturnType<typeof lake>>;
  let catalogCents: Map<string, number>;
  before(async () => {
    t = await lake({ pricing: true, historyDays: 180, orders: 100_000, events: 50_000 });
    const products = await t.engine.query('SELECT product_id, CAST(list_price AS DOUBLE) AS p FROM products');
    catalogCents = new Map(products.map((r) => [String(r.product_id), Math.round(Number(r.p) * 100)]));
  });
  after(async () => {
    await t?.engine.close();
    t?.cleanup();
  });

  it('writes a competitor feed into the lake and prices that move beyond promotions', async () => {
    const [feed] = await t.engine.query(
      'SELECT count(*) AS n, count(DISTINCT competitor) AS c, count(DISTINCT price_date) AS d FROM competitor_prices',
    );
    // 15 products × 3 competitors × 180 days (the window is whole days: as-of is midnight).
    assert.deepEqual([Number(feed?.n), Number(feed?.c), Number(feed?.d)], [15 * 3 * 180, 3, 180]);
    const prices = await t.engine.query(
      'SELECT DISTINCT product_id, CAST(price AS DOUBLE) AS price FROM orders WHERE quantity > 0',
    );
    // Without list changes every price is the catalog price less a whole-percent promotion (at most 0 %).
    const aboveList = prices.filter(
      (r) => Math.round(Number(r.price) * 100) > (catalogCents.get(String(r.product_id)) ?? 0),
    );
    assert.ok(aboveList.length > 0, 'some prices above the catalog list price');
    const elasticities = [...truth(t.dir).values()];
    assert.equal(elasticities.length, 15);
    assert.ok(
      elasticities.every((e) => e >= 0.6 && e <= 3),
      'in the documented range',
    );
  });

  it('price-elasticity: the true elasticity inside the 90 % interval for at least 80 % of products', async () => {
    const rows = await run(t.engine, 'price-elasticity');
    const labels = truth(t.dir);
    const estimated = rows.filter((r) => r.status === 'estimated');
    assert.equal(estimated.length, 15);
    const inside = estimated.filter((r) => {
      const e = labels.get(String(r.product_id)) as number;
      return Number(r.elasticity_low) <= e && e <= Number(r.elasticity_high);
    });
    assert.ok(inside.length >= 0.8 * estimated.length, `${inside.length} of ${estimated.length} inside`);
    // The competitors' price effect, pooled over products, is near the generator's cross elasticity.
    const effects = estimated.map((r) => Number(r.competitor_effect));
    const mean = effects.reduce((a, b) => a + b, 0) / effects.length;
    assert.ok(Math.abs(mean - COMPETITOR_ELASTICITY) < 0.25, `mean competitor effect ${mean}`);
  });

  it('price-recommend: on the generator demand model the recommended prices gain revenue over keeping them', async () => {
    const rows = await run(t.engine, 'price-recommend', { maxChange: '0.1' });
    const labels = truth(t.dir);
    let base = 0;
    let gain = 0;
    let oracle = 0;
    let better = 0;
    for (const r of rows) {
      assert.equal(r.status, 'recommended');
      const e = labels.get(String(r.product_id)) as number;
      const p0 = Number(r.current_price);
      const p1 = Number(r.recommended_price);
      assert.ok(Math.abs(p1 / p0 - 1) <= 0.1 + 1e-3, 'within the bounds');
      const list = (catalogCents.get(String(r.product_id)) as number) / 100;
      // Expected revenue per day at a price under the generator's demand (competitors held at the list price).
      const revenue = (p: number) =>
        p * Number(r.units_per_day) * (demandFactor(e, p / list, 1) / demandFactor(e, p0 / list, 1));
      const best = Math.max(revenue(p0 * 0.9), revenue(p0 * 1.1));
      base += revenue(p0);
      gain += revenue(p1) - revenue(p0);
      oracle += best - revenue(p0);
      if (revenue(p1) >= revenue(p0)) better++;
    }
    assert.ok(gain > 0, `gain ${gain}`);
    assert.ok(gain >= 0.8 * oracle, `gain ${gain} vs knowing the true elasticities ${oracle} (base ${base})`);
    assert.ok(better >= 13, `${better} of 15 products gain`);
  });

  it('price-recommend --objective margin: prices stay above unit cost and expected margin rises', async () => {
    const rows = await run(t.engine, 'price-recommend', { maxChange: '0.2', objective: 'margin' });
    const costs = await t.engine.query('SELECT product_id, CAST(unit_cost AS DOUBLE) AS c FROM products');
    const cost = new Map(costs.map((r) => [String(r.product_id), Number(r.c)]));
    for (const r of rows) {
      assert.equal(r.status, 'recommended');
      assert.ok(Number(r.recommended_price) > (cost.get(String(r.product_id)) as number));
      assert.ok(Number(r.margin_change) >= -1e-9, `${r.product_id}: margin change ${r.margin_change}`);
    }
  });

  it('price-backtest: the prices charged predict held-out demand better than a price-blind average', async () => {
    const rows = await run(t.engine, 'price-backtest', { holdoutDays: '28' });
    const by = new Map(rows.map((r) => [r.method, r]));
    const model = Number(by.get('price-elasticity')?.wape);
    const naive = Number(by.get('weekday-average')?.wape);
    assert.equal(by.get('price-elasticity')?.products, 15);
    assert.ok(model < 0.85 * naive, `WAPE ${model} vs weekday average ${naive}`);
    await userError(run(t.engine, 'price-backtest', { holdoutDays: '160' }), /too little history/);
  });

  it('bad input is a user error: unknown product, max-change out of range', async () => {
    await userError(run(t.engine, 'price-elasticity', { product: 'NOPE001' }), /unknown product 'NOPE001'/);
    await userError(run(t.engine, 'price-recommend', { maxChange: '0.7' }), /max-change must be at most 0.5/);
    await userError(run(t.engine, 'price-recommend', { maxChange: '0' }), /max-change must be above 0/);
    const one = await run(t.engine, 'price-elasticity', { product: 'PHONE001' });
    assert.deepEqual(
      one.map((r) => r.product_id),
      ['PHONE001'],
    );
  });
});

describe('pricing analyses on a lake without the feed or with too little history', () => {
  it('says too little history for 20 days, and runs with --competitor none without a feed', async () => {
    const short = await lake({ orders: 3000, customers: 300, events: 1000, days: 20 });
    const long = await lake({ orders: 6000, customers: 300, events: 1000, days: 40 });
    try {
      await userError(
        run(short.engine, 'price-elasticity', { competitor: 'none' }),
        /too little history: 20 days/,
      );
      await userError(run(long.engine, 'price-elasticity'), /competitor_prices/);
      const rows = await run(long.engine, 'price-elasticity', { competitor: 'none' });
      assert.equal(rows.length, 15);
      assert.ok(rows.every((r) => r.competitor_effect === null));
    } finally {
      for (const l of [short, long]) {
        await l.engine.close();
        l.cleanup();
      }
    }
  });
});

// A hand-built lake: FLAT001 sells 3 lines a day at one price; STEP001 sells 90 / price lines a day at
// prices cycling 10, 9, 6, 5, so its elasticity is exactly 1 (log lines = log 90 − log price); SPARSE001
// sells on every other day only.
describe('price-elasticity on a hand-built lake', () => {
  const t = tempDir();
  let engine: DuckDbEngine;
  before(async () => {
    const rows: (string | number)[][] = [];
    let n = 0;
    for (let d = 0; d < 32; d++) {
      const at = new Date(Date.UTC(2026, 9, 1 + d, 12)).toISOString().replace('T', ' ').slice(0, 19);
      const add = (id: string, price: number) =>
        rows.push([
          `O${++n}`,
          'C1',
          id,
          id,
          1,
          price.toFixed(2),
          price.toFixed(2),
          at,
          'COMPLETED',
          'US-EAST',
        ]);
      for (let i = 0; i < 3; i++) add('FLAT001', 20);
      const price = [10, 9, 6, 5][d % 4] as number;
      for (let i = 0; i < 90 / price; i++) add('STEP001', price);
      if (d % 2 === 0) for (let i = 0; i < 2; i++) add('SPARSE001', price);
    }
    await ingestFixture(t.dir, [
      ['orders', csv(ORDERS_HEADER, rows)],
      [
        'products',
        'product_id,product_name,category,list_price,unit_cost,stock_on_hand,lead_time_days\n' +
          'STEP001,STEP001,Misc,10.00,4.00,100,7\n',
      ],
    ]);
    engine = await DuckDbEngine.open(t.dir);
  });

  it('price-recommend gives the margin change under the revenue objective when the unit cost is known', async () => {
    // STEP001: elasticity 1, current price P0 = 10 (the highest of its last 7 days), unit cost 4. The
    // margin change at P* is ((P* − 4)(P*/10)^−1) / (10 − 4) − 1, by hand from the row's P* (it was null
    // unless --objective margin).
    const [row] = await run(engine, 'price-recommend', { competitor: 'none', product: 'STEP001' });
    assert.equal(row?.status, 'recommended');
    assert.equal(row?.current_price, 10);
    const price = Number(row?.recommended_price);
    const want = ((price - 4) * (price / 10) ** -1) / 6 - 1;
    assert.ok(Math.abs(Number(row?.margin_change) - want) < 1e-3, `${row?.margin_change} vs ${want}`);
  });
  after(async () => {
    await engine?.close();
    t.cleanup();
  });

  it('says insufficient variation for a constant price and finds elasticity 1 exactly', async () => {
    const rows = await run(engine, 'price-elasticity', { competitor: 'none' });
    const by = new Map(rows.map((r) => [r.product_id, r]));
    assert.equal(by.get('FLAT001')?.status, 'insufficient variation');
    assert.equal(by.get('FLAT001')?.elasticity, null);
    assert.equal(by.get('STEP001')?.status, 'estimated');
    assert.ok(Math.abs(Number(by.get('STEP001')?.elasticity) - 1) < 1e-4);
    assert.equal(by.get('STEP001')?.days, 32);
    assert.equal(by.get('SPARSE001')?.status, 'too few sales');
  });

  it('price-backtest: exact on STEP001, and the weekday average misses by hand-computed amounts', async () => {
    // Training days 0–27, held out 28–31 (prices 10, 9, 6, 5: lines 9, 10, 15, 18). Every weekday's four
    // training days cover the four prices, so the weekday average is (9 + 10 + 15 + 18) / 4 = 13 each day:
    // errors 4, 3, 2, 5 = 14 over 52 lines.
    const rows = await run(engine, 'price-backtest', {
      competitor: 'none',
      product: 'STEP001',
      holdoutDays: '4',
    });
    const by = new Map(rows.map((r) => [r.method, r]));
    assert.ok(Number(by.get('price-elasticity')?.wape) < 1e-4);
    assert.equal(by.get('weekday-average')?.wape, Math.round((14 / 52) * 10000) / 10000);
    assert.equal(by.get('weekday-average')?.mae, 3.5);
    assert.equal(by.get('weekday-average')?.product_days, 4);
  });

  it('judges a sparse product by its own window with --product too (16 sale days in 31)', async () => {
    const rows = await run(engine, 'price-elasticity', { competitor: 'none', product: 'SPARSE001' });
    assert.deepEqual(
      rows.map((r) => [r.product_id, r.status, r.days]),
      [['SPARSE001', 'too few sales', 16]],
    );
  });
});
