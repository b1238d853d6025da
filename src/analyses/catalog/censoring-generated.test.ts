import assert from 'node:assert/strict';
import { cpSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { DuckDbEngine } from '../../engines/testing.js';
import { generate, generateDefaults } from '../../generate/index.js';
import { buildLake } from '../../ingest/index.js';
import { tempDir } from '../../testing/index.js';
import { findAnalysis, runAnalysis } from '../index.js';

const AS_OF = new Date('2026-11-25T00:00:00Z');
const SIZE = { orders: 30_000, customers: 3000, events: 5000, days: 120, seed: 42 };
const FROM = '2026-11-11';
const DAYS = 7;

const labelLines = (dir: string, file: string) =>
  readFileSync(join(dir, 'labels', file), 'utf8')
    .trim()
    .split('\n')
    .slice(1);

/**
 * Stockouts hide demand: on a generated lake (`--inventory --pricing`) the censored estimates must be
 * nearer the generator's truth than the same analyses on a copy of the lake without its stock tables.
 */
describe('stockouts as censoring on a generated lake (generate --inventory --pricing)', () => {
  let dir: string;
  let bare: string;
  let cleanup: () => void;
  const run = async (lake: string, name: string, params: Record<string, unknown>) => {
    const engine = await DuckDbEngine.open(lake);
    try {
      return (await runAnalysis(engine, await findAnalysis(name), params)) as Record<string, unknown>[];
    } finally {
      await engine.close();
    }
  };

  before(async () => {
    const t = tempDir();
    cleanup = t.cleanup;
    dir = join(t.dir, 'stock');
    bare = join(t.dir, 'bare');
    await generate({ ...generateDefaults, ...SIZE, asOf: AS_OF, out: dir, inventory: true, pricing: true });
    await buildLake(dir);
    cpSync(join(dir, 'lake'), join(bare, 'lake'), { recursive: true });
    for (const table of ['warehouses', 'stock_levels', 'stock_movements'])
      rmSync(join(bare, 'lake', table), { recursive: true });
  });
  after(() => cleanup());

  it('brings the forecast nearer the true demand (orders placed + lines lost to stockouts)', async () => {
    // Truth, apart from the analyses: units placed (SQL on orders) + units lost (labels/lost_demand.csv).
    const truth = new Map<string, number>();
    const add = (k: string, q: number) => truth.set(k, (truth.get(k) ?? 0) + q);
    const engine = await DuckDbEngine.open(dir);
    try {
      const placed = await engine.query(
        `SELECT product_id, region, sum(quantity) AS q FROM orders
         WHERE quantity > 0 AND status <> 'CANCELLED' AND order_date >= CAST(:a AS TIMESTAMP)
           AND order_date < CAST(:a AS TIMESTAMP) + INTERVAL ${DAYS} DAY GROUP BY 1, 2`,
        { a: FROM },
      );
      for (const r of placed) add(`${String(r.product_id)}|${String(r.region)}`, Number(r.q));
    } finally {
      await engine.close();
    }
    const from = Date.parse(`${FROM}T00:00:00Z`);
    let lost = 0;
    for (const l of labelLines(dir, 'lost_demand.csv')) {
      const [at, wh, product, , q] = l.split(',');
      const t = Date.parse(`${String(at).replace(' ', 'T')}Z`);
      if (t < from || t >= from + DAYS * 86_400_000) continue;
      add(`${product}|${String(wh).slice(3)}`, Number(q));
      lost += Number(q);
    }
    assert.ok(lost > 0, 'no stockout in the window: the comparison would prove nothing');
    const score = async (lake: string) => {
      const rows = await run(lake, 'forecast', { asOf: FROM, horizon: DAYS });
      const f = new Map<string, number>();
      for (const r of rows) {
        const k = `${String(r.product_id)}|${String(r.region)}`;
        f.set(k, (f.get(k) ?? 0) + Number(r.units));
      }
      let total = 0;
      let forecast = 0;
      let abs = 0;
      for (const [k, v] of truth) {
        total += v;
        forecast += f.get(k) ?? 0;
        abs += Math.abs((f.get(k) ?? 0) - v);
      }
      return { ratio: forecast / total, wape: abs / total };
    };
    const censored = await score(dir);
    const plain = await score(bare);
    assert.ok(
      Math.abs(1 - censored.ratio) < Math.abs(1 - plain.ratio),
      `forecast ÷ truth: censored ${censored.ratio}, not ${plain.ratio}`,
    );
    assert.ok(censored.wape < plain.wape, `WAPE vs truth: censored ${censored.wape}, not ${plain.wape}`);
  });

  it('shrinks the bias of the elasticities against labels/elasticities.csv', async () => {
    const truth = new Map(
      labelLines(dir, 'elasticities.csv').map((l) => {
        const [id, e] = l.split(',');
        return [String(id), Number(e)] as const;
      }),
    );
    // Mean signed error over the products with an estimate: stockouts cut sales on the days demand ran
    // high, which tilts the price response; leaving those days out must bring the average nearer 0.
    const bias = async (lake: string) => {
      const rows = await run(lake, 'price-elasticity', {});
      const errors = rows.flatMap((r) =>
        r.elasticity === null ? [] : [Number(r.elasticity) - (truth.get(String(r.product_id)) ?? Number.NaN)],
      );
      assert.ok(errors.length >= 5, `only ${errors.length} estimates`);
      return { mean: errors.reduce((a, b) => a + b, 0) / errors.length, rows };
    };
    const censored = await bias(dir);
    const plain = await bias(bare);
    assert.ok(censored.rows.some((r) => Number(r.stockout_days) > 0));
    assert.ok(plain.rows.every((r) => Number(r.stockout_days) === 0));
    assert.ok(
      Math.abs(censored.mean) < Math.abs(plain.mean),
      `mean signed error: censored ${censored.mean}, not ${plain.mean}`,
    );
  });
});
