import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { DuckDbEngine } from '../../engines/testing.js';
import { generate, generateDefaults } from '../../generate/index.js';
import { buildLake, ingest } from '../../ingest/index.js';
import { TABLES } from '../../lake/index.js';
import { csv, ORDERS_HEADER, tempDir, writeText } from '../../testing/index.js';
import { findAnalysis, runAnalysis } from '../index.js';

const AS_OF = new Date('2024-12-02T00:00:00Z');
const SIZE = { orders: 9000, customers: 800, events: 5000, days: 60, seed: 19 };

/** The generator's true stock at the end (labels/stock_final.csv), keyed warehouse|product. */
function truth(dir: string): Map<string, number> {
  const lines = readFileSync(join(dir, 'labels', 'stock_final.csv'), 'utf8')
    .trim()
    .split('\n')
    .slice(1);
  return new Map(
    lines.map((l) => {
      const [w, p, n] = l.split(',');
      return [`${w}|${p}`, Number(n)];
    }),
  );
}

// Written apart from src/analyses/catalog/parts/stock.ts: the one count, every movement but sales, and
// every non-cancelled order line after the count (the generator's sales movements mirror those lines).
const INDEPENDENT = `
  SELECT l.warehouse_id, l.product_id,
    l.on_hand + coalesce(m.q, 0) - coalesce(o.q, 0) AS on_hand
  FROM stock_levels l
  LEFT JOIN (SELECT warehouse_id, product_id, sum(quantity) AS q FROM stock_movements
             WHERE movement_type <> 'SALE' GROUP BY warehouse_id, product_id) m
    ON m.warehouse_id = l.warehouse_id AND m.product_id = l.product_id
  LEFT JOIN (SELECT 'WH-' || region AS warehouse_id, product_id, sum(quantity) AS q FROM orders
             WHERE status <> 'CANCELLED' GROUP BY 1, 2) o
    ON o.warehouse_id = l.warehouse_id AND o.product_id = l.product_id
  ORDER BY 1, 2`;

describe('inventory on a generated lake (generate --inventory)', () => {
  let dir: string;
  let cleanup: () => void;
  const withEngine = async <T>(f: (e: DuckDbEngine) => Promise<T>): Promise<T> => {
    const engine = await DuckDbEngine.open(dir);
    try {
      return await f(engine);
    } finally {
      await engine.close();
    }
  };
  const run = (name: string, params: Record<string, unknown> = {}) =>
    withEngine(
      async (e) => (await runAnalysis(e, await findAnalysis(name), params)) as Record<string, unknown>[],
    );

  before(async () => {
    const t = tempDir();
    cleanup = t.cleanup;
    dir = t.dir;
    await generate({ ...generateDefaults, ...SIZE, asOf: AS_OF, out: dir, inventory: true });
    await buildLake(dir);
  });
  after(() => cleanup());

  it('equals the generator’s true stock and an independent SQL for every product × warehouse', async () => {
    const rows = await run('inventory');
    const got = new Map(rows.map((r) => [`${r.warehouse_id}|${r.product_id}`, r.on_hand]));
    assert.equal(got.size, 5 * 15);
    assert.deepEqual(got, truth(dir));
    const independent = await withEngine((e) => e.query(INDEPENDENT));
    assert.deepEqual(
      new Map(independent.map((r) => [`${r.warehouse_id}|${r.product_id}`, Number(r.on_hand)])),
      got,
    );
    // The generator's sales export lags a day, so some current stock comes from orders alone.
    assert.ok(rows.some((r) => Number(r.unrecorded_sales) > 0));
  });

  it('reorder: today’s policy is the generator’s, a higher service level orders earlier and runs short less', async () => {
    const low = await run('reorder', { serviceLevel: 0.6, holdoutDays: 28 });
    const high = await run('reorder', { serviceLevel: 0.99, holdoutDays: 28 });
    assert.equal(high.length, 5 * 15);
    const levels = readFileSync(join(dir, 'raw', 'stock_levels', 'stock_levels.csv'), 'utf8')
      .trim()
      .split('\n');
    const policy = new Map(
      levels.slice(1).map((l) => {
        const [w, p, , , s, q] = l.split(',');
        return [`${w}|${p}`, [Number(s), Number(q)]];
      }),
    );
    for (const r of high) {
      assert.deepEqual(
        [r.current_reorder_point, r.current_order_quantity],
        policy.get(`${r.warehouse_id}|${r.product_id}`),
      );
      const l = low.find((x) => x.warehouse_id === r.warehouse_id && x.product_id === r.product_id);
      assert.ok(Number(r.reorder_point) >= Number(l?.reorder_point), `${r.warehouse_id} ${r.product_id}`);
    }
    const total = (rows: Record<string, unknown>[], k: string) => rows.reduce((t, r) => t + Number(r[k]), 0);
    assert.ok(total(high, 'stockout_units') <= total(low, 'stockout_units'));
    assert.ok(total(high, 'holding_cost') >= total(low, 'holding_cost'));
    // The generator's policy keeps no safety stock and runs short: 0.99 runs short less.
    assert.ok(total(high, 'stockout_units') < total(high, 'current_stockout_units'));
  });

  it('stays current as new orders arrive: each new line takes its units from its region’s warehouse once', async () => {
    const before = new Map(
      (await run('inventory')).map((r) => [`${r.warehouse_id}|${r.product_id}`, r.on_hand]),
    );
    const text = csv(ORDERS_HEADER, [
      [
        'LATE1',
        'CUST00001',
        'PHONE001',
        'Smartphone Pro',
        2,
        '899.99',
        '1799.98',
        '2024-12-01 23:59:58',
        'PENDING',
        'US-EAST',
      ],
      [
        'LATE2',
        'CUST00002',
        'CABLE001',
        'USB-C Cable',
        3,
        '14.99',
        '44.97',
        '2024-12-01 23:59:59',
        'COMPLETED',
        'LATAM',
      ],
      [
        'LATE3',
        'CUST00003',
        'CABLE001',
        'USB-C Cable',
        5,
        '14.99',
        '74.95',
        '2024-12-01 23:59:59',
        'CANCELLED',
        'LATAM',
      ],
    ]);
    const report = await ingest({
      dataDir: dir,
      table: TABLES.orders,
      input: writeText(join(dir, 'incoming', 'late.csv'), text),
    });
    assert.equal(report.loaded, 3);
    const now = new Map(
      (await run('inventory')).map((r) => [`${r.warehouse_id}|${r.product_id}`, r.on_hand]),
    );
    const expected = new Map(before);
    expected.set('WH-US-EAST|PHONE001', Number(before.get('WH-US-EAST|PHONE001')) - 2);
    expected.set('WH-LATAM|CABLE001', Number(before.get('WH-LATAM|CABLE001')) - 3);
    assert.deepEqual(now, expected);
  });
});
