import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { csv, ORDERS_HEADER } from '../../testing/index.js';
import { fixtureLake, ingestFixture } from '../fixture.test-helper.js';
import { dayOf } from '../models/forecast/index.js';
import { demandSql, toHistory } from './parts/demand.js';
import { dailySalesSql, estimateAll } from './parts/pricing.js';
import { censoredDays, stockoutCtes } from './parts/stockouts.js';

const line = (id: string, region: string, qty: number, at: string) => [
  id,
  'C1',
  'P1',
  'Thing',
  qty,
  '10.00',
  (qty * 10).toFixed(2),
  at,
  'COMPLETED',
  region,
];

const ORDERS = csv(ORDERS_HEADER, [
  line('OA', 'NORTH', 2, '2026-10-30 12:00:00'), // before WH-N's first count: its stock is not known
  line('O0', 'SOUTH', 1, '2026-11-01 12:00:00'), // unrecorded: WH-S 10 → 9
  line('O1', 'NORTH', 3, '2026-11-02 10:00:00'), // recorded by M1
  line('O3', 'SOUTH', 1, '2026-11-03 09:00:00'), // WH-S 9 → 8
  line('O6', 'NORTH', 1, '2026-11-06 09:00:00'), // WH-N 5 → 4
  line('O2', 'NORTH', 5, '2026-11-07 08:00:00'), // WH-N 4 → −1: out, never back
  line('O4', 'SOUTH', 2, '2026-11-10 10:00:00'), // WH-S 8 → 6
  line('O9', 'SOUTH', 1, '2026-11-19 10:00:00'), // WH-S 4 → 3
]);

/**
 * Hand-built: WH-N serves NORTH, WH-S serves SOUTH, one product. On hand, worked through by hand:
 * WH-N count 3 (11-01 00:00) → SALE −3 at 11-02 10:00 = 0 (out) → RECEIPT +5 at 11-05 12:00 = 5 → O6 = 4
 * → O2 (unrecorded) at 11-07 08:00 = −1 (out to the end). WH-S count 10 → 9 → 8 → 6 → recount 0 at
 * 11-12 00:00 (out; the recount, not 6, is the base from there) → RECEIPT +4 at 11-14 06:00 = 4 → 3.
 */
async function build(dir: string, withStock: boolean, withProducts = true): Promise<void> {
  const stock = [
    [
      'warehouses',
      csv('warehouse_id,warehouse_name,region', [
        ['WH-N', 'North', 'NORTH'],
        ['WH-S', 'South', 'SOUTH'],
      ]),
    ],
    [
      'stock_levels',
      csv('warehouse_id,product_id,counted_at,on_hand,reorder_point,order_quantity,lead_time_days', [
        ['WH-N', 'P1', '2026-11-01 00:00:00', 3, 2, 5, 3],
        ['WH-S', 'P1', '2026-11-01 00:00:00', 10, 2, 5, 3],
        ['WH-S', 'P1', '2026-11-12 00:00:00', 0, 2, 5, 3],
      ]),
    ],
    [
      'stock_movements',
      csv('movement_id,warehouse_id,product_id,moved_at,movement_type,quantity,reference', [
        ['M1', 'WH-N', 'P1', '2026-11-02 10:00:00', 'SALE', -3, 'O1'],
        ['M2', 'WH-N', 'P1', '2026-11-05 12:00:00', 'RECEIPT', 5, 'PO1'],
        ['M3', 'WH-S', 'P1', '2026-11-14 06:00:00', 'RECEIPT', 4, 'PO2'],
      ]),
    ],
  ] as const;
  const products = csv('product_id,product_name,category,list_price,unit_cost,stock_on_hand,lead_time_days', [
    ['P1', 'Thing', 'Misc', '10.00', '6.00', '', ''],
  ]);
  await ingestFixture(dir, [
    ...(withProducts ? ([['products', products]] as const) : []),
    ['orders', ORDERS],
    ...(withStock ? stock : []),
  ]);
}

const d = dayOf;

describe('stockouts on a hand-built lake', () => {
  const lake = fixtureLake((dir) => build(dir, true));
  const bare = fixtureLake((dir) => build(dir, false));
  const noProducts = fixtureLake((dir) => build(dir, true, false));

  it('finds the out-of-stock spans from counts, movements and unrecorded order lines', async () => {
    const rows = await lake
      .engine()
      .query(`WITH ${stockoutCtes()} SELECT * FROM stockouts ORDER BY region, from_day`);
    assert.deepEqual(
      rows.map((r) => [r.region, Number(r.from_day), r.to_day === null ? null : Number(r.to_day)]),
      [
        // 11-02 10:00 until the receipt at 11-05 12:00 (the last second out is on 11-05); O2 on: open.
        ['NORTH', d('2026-11-02'), d('2026-11-05')],
        ['NORTH', d('2026-11-07'), null],
        // The recount of 0 at 11-12 00:00 until the receipt at 11-14 06:00.
        ['SOUTH', d('2026-11-12'), d('2026-11-14')],
      ],
    );
  });

  it("marks a series' out-of-stock days censored in the forecast's history, and none without stock tables", async () => {
    const asOf = '2026-11-20';
    const history = toHistory(await lake.engine().query(demandSql(true), { asOf }), asOf);
    const flags = (region: string) => {
      const s = history.series.find((x) => x.region === region);
      assert.ok(s);
      assert.equal(s.start, d('2026-10-30'));
      return (s.censored ?? []).flatMap((c, i) => (c ? [i - 1] : []));
    };
    // Day numbers of November: NORTH out 2–5 and 7–19 (not before its count: 10-30 unrecorded −2 is no
    // stockout), SOUTH 12–14.
    assert.deepEqual(flags('NORTH'), [2, 3, 4, 5, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19]);
    assert.deepEqual(flags('SOUTH'), [12, 13, 14]);
    const plain = toHistory(await bare.engine().query(demandSql(false), { asOf }), asOf);
    assert.ok(plain.series.every((s) => s.censored === undefined));
  });

  it('runs forecast on a lake with stock tables and on one without them', async () => {
    // Without stock tables the SQL must not name them (the lake has no view for them: it would fail).
    const withStock = await lake.run('forecast', { asOf: '2026-11-20', horizon: 3, by: 'total' });
    const without = await bare.run('forecast', { asOf: '2026-11-20', horizon: 3, by: 'total' });
    assert.deepEqual(
      withStock.map((r) => r.date),
      ['2026-11-20', '2026-11-21', '2026-11-22'],
    );
    assert.equal(without.length, 3);
  });

  it('inventory forecasts demand on a lake without a products table (it never needed one)', async () => {
    const rows = await noProducts.run('inventory', { warehouse: 'WH-S' });
    // WH-S: recount 0 + receipt 4 − O9 1 = 3 on hand; 20 days of orders: the forecast answers.
    assert.deepEqual(
      rows.map((r) => [r.warehouse_id, r.on_hand, typeof r.lead_time_demand]),
      [['WH-S', 3, 'number']],
    );
  });

  it("flags price-elasticity's product-days when any region's warehouse was out", async () => {
    const rows = await lake.engine().query(dailySalesSql('none', false, true), {
      product: null,
      from: null,
      to: null,
    });
    assert.deepEqual(
      rows.map((r) => [r.day, Number(r.stockout)]),
      [
        ['2026-10-30', 0],
        ['2026-11-01', 0],
        ['2026-11-02', 1],
        ['2026-11-03', 1],
        ['2026-11-06', 0],
        ['2026-11-07', 1],
        ['2026-11-10', 1],
        ['2026-11-19', 1],
      ],
    );
    const plain = await bare.engine().query(dailySalesSql('none', false, false), {
      product: null,
      from: null,
      to: null,
    });
    assert.ok(plain.every((r) => Number(r.stockout) === 0));
  });
});

describe('price-elasticity without the out-of-stock days', () => {
  it('leaves flagged product-days out of the regression and counts them', () => {
    // 40 days, price alternating 10 / 8; lines = 100 (price / 10)^-2 exactly, except 10 flagged days
    // whose sales a stockout cut to 1 line: left out, the fit sees the exact elasticity 2.
    const rows = Array.from({ length: 40 }, (_, i) => {
      const price = [10, 8, 9][i % 3] as number;
      const out = i % 4 === 1;
      return {
        product_id: 'P1',
        day: new Date(Date.UTC(2026, 9, 1 + i)).toISOString().slice(0, 10),
        lines: out ? 1 : 100 * (price / 10) ** -2,
        units: 1,
        price,
        competitor_price: null,
        stockout: out ? 1 : 0,
      };
    });
    const [p] = estimateAll(rows, { confidence: 0.9 }, 'price-elasticity');
    assert.equal(p?.stockoutDays, 10);
    assert.equal(p?.sales.length, 30);
    assert.equal(p?.estimate.status, 'estimated');
    assert.ok(Math.abs((p?.estimate.elasticity ?? 0) - 2) < 1e-6, String(p?.estimate.elasticity));
  });
});

describe('censoredDays', () => {
  it('marks the days of each span inside the series, an open span to its end', () => {
    assert.deepEqual(
      censoredDays(
        [
          { from: 8, to: 9 },
          { from: 12, to: null },
        ],
        10,
        14,
      ),
      [false, false, true, true],
    );
    assert.equal(censoredDays([{ from: 20, to: 25 }], 10, 14), undefined);
    assert.equal(censoredDays(undefined, 10, 14), undefined);
  });
});
