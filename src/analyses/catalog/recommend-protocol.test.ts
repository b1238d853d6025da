import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { CLICKSTREAM_HEADER, CUSTOMERS_HEADER, csv, ORDERS_HEADER } from '../../testing/index.js';
import { fixtureLake, ingestFixture } from '../fixture.test-helper.js';
import { interactionsSql, toTastes } from './parts/interactions.js';

// The held-out protocol of recommend-backtest on a hand-built lake: --as-of 2026-11-09 with one day held
// out puts the cut-off at 2026-11-08 00:00:00. Training is strictly before it; the cut-off second itself
// is held out; the end (--as-of) is excluded from both.
const order = (id: string, customer: string, product: string, at: string) => [
  id,
  customer,
  product,
  `Thing ${product}`,
  1,
  '10.00',
  '10.00',
  at,
  'COMPLETED',
  'US-EAST',
];

async function build(dir: string): Promise<void> {
  await ingestFixture(dir, [
    [
      'products',
      csv(
        'product_id,product_name,category,list_price,unit_cost,stock_on_hand,lead_time_days',
        ['A', 'B', 'C', 'D', 'E'].map((p) => [p, `Thing ${p}`, 'Misc', '10.00', '6.00', '', '']),
      ),
    ],
    [
      'customers',
      csv(CUSTOMERS_HEADER, [
        ['C1', 'Ann', 'Lee', 'ann@example.com', 'Boston', 'US-EAST', '2024-01-05', '100.00', 'GOLD'],
        ['C2', 'Bo', 'Kim', 'bo@example.com', 'Boston', 'US-EAST', '2024-01-05', '100.00', 'GOLD'],
      ]),
    ],
    [
      'orders',
      csv(ORDERS_HEADER, [
        order('O1', 'C1', 'A', '2026-11-01 10:00:00'),
        order('O3', 'C1', 'C', '2026-11-07 23:59:59'), // the last training second
        order('O2', 'C1', 'B', '2026-11-08 00:00:00'), // the cut-off second: held out
        order('O4', 'C2', 'B', '2026-11-02 10:00:00'),
        order('O5', 'C1', 'D', '2026-11-09 00:00:00'), // at the end: neither
      ]),
    ],
    [
      'clickstream',
      csv(CLICKSTREAM_HEADER, [
        ['2026-11-07 23:59:59', 'S1', 'C1', 'ADD_TO_CART', 'product', 'E', 'desktop', 5],
        ['2026-11-08 00:00:00', 'S2', 'C1', 'ADD_TO_CART', 'product', 'D', 'desktop', 5],
      ]),
    ],
  ]);
}

describe('recommend-backtest trains strictly before the cut-off', () => {
  const lake = fixtureLake(build);

  it('an order or add to cart at the cut-off second is held out, one a second before is training', async () => {
    const rows = await lake.engine().query(interactionsSql(true), { asOf: '2026-11-09', holdoutDays: 1 });
    const c1 = toTastes(rows).get('C1');
    assert.ok(c1);
    assert.deepEqual([...c1.weights.keys()].sort(), ['A', 'C', 'E']);
    assert.deepEqual([...c1.bought].sort(), ['A', 'C']);
    assert.deepEqual([...c1.after], ['B']);
    // ln(1 + 0.25) for the add to cart a second before the cut-off; ln 2 for an order.
    assert.ok(Math.abs((c1.weights.get('E') ?? 0) - Math.log(1.25)) < 1e-12);
    assert.ok(Math.abs((c1.weights.get('A') ?? 0) - Math.log(2)) < 1e-12);
  });

  it('scores C1 on B alone; most-popular (A, B, C by training orders, A and C bought) hits it first', async () => {
    const rows = await lake.run('recommend-backtest', { asOf: '2026-11-09', holdoutDays: 1 });
    const mp = rows.find((r) => r.method === 'most-popular');
    assert.deepEqual([mp?.customers, mp?.precision_at_k, mp?.recall_at_k, mp?.ndcg_at_k], [1, 0.1, 1, 1]);
  });
});
