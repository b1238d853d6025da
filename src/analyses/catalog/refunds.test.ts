import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { CLICKSTREAM_HEADER, CUSTOMERS_HEADER, csv, ORDERS_HEADER } from '../../testing/index.js';
import { fixtureLake, ingestFixture } from '../fixture.test-helper.js';
import { churnFeaturesSql } from './parts/churn-features.js';

/** One completed order line at noon UTC: quantity × price = total_amount (negative for a return line). */
function line(
  order: string,
  customer: string,
  product: string,
  quantity: number,
  price: number,
  day: string,
) {
  return [
    order,
    customer,
    product,
    product,
    quantity,
    price.toFixed(2),
    (quantity * price).toFixed(2),
    `2026-${day} 12:00:00`,
    'COMPLETED',
    'US-EAST',
  ];
}

/**
 * Refunds as the lake holds them: return lines with a negative quantity and amount, in an order of their own
 * or beside bought lines.
 *   C1 GOLD    R1 Oct 5 +60; R2 Oct 20 −30 (refund only); R3 Nov 9 +40 and −10 (a purchase with a return)
 *   C2 SILVER  R4 Oct 10 +100; R5 Nov 8 −100 (refund only, the customer's last order)
 *   C3 BRONZE  R6 Nov 1 −20 (refund only, the customer's only order)
 * Everyone signed up 2024-03-01; one visit of C1 so the clickstream table exists.
 */
async function buildRefundsLake(dir: string): Promise<void> {
  const orders = csv(ORDERS_HEADER, [
    line('R1', 'C1', 'LAPTOP001', 2, 30, '10-05'),
    line('R2', 'C1', 'LAPTOP001', -1, 30, '10-20'),
    line('R3', 'C1', 'CABLE001', 1, 40, '11-09'),
    line('R3', 'C1', 'CASE001', -1, 10, '11-09'),
    line('R4', 'C2', 'PHONE001', 1, 100, '10-10'),
    line('R5', 'C2', 'PHONE001', -1, 100, '11-08'),
    line('R6', 'C3', 'CASE001', -2, 10, '11-01'),
  ]);
  const c = (id: string, tier: string) => [
    id,
    'Al',
    'Bo',
    `${id.toLowerCase()}@example.com`,
    'Boston',
    'US-EAST',
    '2024-03-01',
    '100.00',
    tier,
  ];
  const customers = csv(CUSTOMERS_HEADER, [c('C1', 'GOLD'), c('C2', 'SILVER'), c('C3', 'BRONZE')]);
  const clicks = csv(CLICKSTREAM_HEADER, [
    ['2026-11-09 11:00:00', 'S1', 'C1', 'VIEW', 'product', 'CABLE001', 'desktop', 30],
  ]);
  await ingestFixture(dir, [
    ['orders', orders],
    ['customers', customers],
    ['clickstream', clicks],
  ]);
}

// Expected values by hand from the fixture above. The rule (docs/ANALYSES.md, "Refunds"): an order whose
// lines are all returns is no purchase (no order, repeat, recency or activity), its amount still nets value.
describe('refund-only orders are not purchases', () => {
  const { run, notes, engine } = fixtureLake(buildRefundsLake);

  it('rfm-customers: frequency and recency count purchases; monetary nets refunds; no purchase, no row', async () => {
    // Reference: Nov 10 00:00 UTC. C1: R1, R3 = 2 purchases, 60 − 30 + 30 = 60, last purchase Nov 9 12:00 →
    // 0 days. C2: R4 = 1 purchase, 100 − 100 = 0, last purchase Oct 10 12:00 → 30.5 → 30 days. C3: none.
    assert.deepEqual(
      (await run('rfm-customers')).map((r) => [r.customer_id, r.frequency, r.monetary, r.recency_days]),
      [
        ['C1', 2, 60, 0],
        ['C2', 1, 0, 30],
      ],
    );
    // Two customers: every figure of rfm is theirs alone (C3 is no customer of RFM's).
    const rfm = await run('rfm');
    assert.equal(
      rfm.reduce((s, r) => s + Number(r.customers), 0),
      2,
    );
    assert.equal(
      rfm.reduce((s, r) => s + Number(r.revenue), 0),
      60,
    );
  });

  it('cohort-retention: cohorts, periods and repeats by purchases', async () => {
    // October cohort: C1 (R1) and C2 (R4); C1 buys again in November (R3), C2 only refunds (R5). C3 has no
    // purchase and no cohort. Repeat rate 1 of 2.
    assert.deepEqual(
      (await run('cohort-retention')).map((r) => [
        r.cohort,
        r.cohort_size,
        r.repeat_rate,
        r.period,
        r.customers,
      ]),
      [
        ['2026-10-01', 2, 0.5, '2026-10-01', 2],
        ['2026-10-01', 2, 0.5, '2026-11-01', 1],
      ],
    );
  });

  it('clv: orders in the lake are purchases; value nets refunds', async () => {
    // x: C1 2, C2 1, C3 0 (3 in all); value: C1 60, C2 0, C3 −20 (40 in all).
    const rows = await run('clv');
    assert.deepEqual(
      rows.map((r) => [r.tier, r.customers, r.orders_in_lake, r.value_in_lake]),
      [
        ['ALL', 3, 3, 40],
        ['GOLD', 1, 2, 60],
        ['SILVER', 1, 1, 0],
        ['BRONZE', 1, 0, -20],
      ],
    );
  });

  it('churn features: orders, the last order and orders in the horizon are purchases', async () => {
    // Cut-offs: apply at s1 = Nov 10 00:00 UTC, train at s1 − 30 days = Oct 11 00:00.
    const rows = await engine().query(churnFeaturesSql(false), { horizon: 30, activeDays: 180, asOf: null });
    const sec = (day: string) => Date.parse(`2026-${day}T12:00:00Z`) / 1000;
    assert.deepEqual(
      rows
        .map((r) => [
          r.role,
          r.customer_id,
          Number(r.orders_before),
          Number(r.value_before),
          Number(r.last_order),
          Number(r.orders_next),
        ])
        .sort((a, b) => String(a[0]).localeCompare(String(b[0])) || String(a[1]).localeCompare(String(b[1]))),
      [
        // apply: C1 R1, R3 (R2 a refund): 2, 60, Nov 9. C2 R4: 1, 0, Oct 10. C3 has no purchase: not active.
        ['apply', 'C1', 2, 60, sec('11-09'), 0],
        ['apply', 'C2', 1, 0, sec('10-10'), 0],
        // train (before Oct 11): C1 R1: 1, 60, Oct 5, then R3 in the horizon (R2 is a refund): 1.
        // C2 R4: 1, 100, Oct 10, then only the refund R5: no order in the horizon.
        ['train', 'C1', 1, 60, sec('10-05'), 1],
        ['train', 'C2', 1, 100, sec('10-10'), 0],
      ],
    );
  });

  it('revenue-by-day: a day of refunds only has no order and no average; revenue nets it', async () => {
    const days = await run('revenue-by-day');
    assert.deepEqual(
      days.map((r) => [r.day, r.orders, r.revenue, r.avg_order_value]),
      [
        ['2026-10-05', 1, 60, 60],
        ['2026-10-10', 1, 100, 100],
        ['2026-10-20', 0, -30, null],
        ['2026-11-01', 0, -20, null],
        ['2026-11-08', 0, -100, null],
        ['2026-11-09', 1, 30, 30],
      ],
    );
  });

  it('top-products: orders are orders that bought the product; units and revenue net the returns', async () => {
    // LAPTOP001 R1 +2 (60), R2 −1 (−30): 1 order, 1 unit, 30. CABLE001 R3 +1: 1, 1, 40.
    // PHONE001 R4 +1 (100), R5 −1 (−100): 1, 0, 0. CASE001 R3 −1 (−10), R6 −2 (−20): 0, −3, −30.
    assert.deepEqual(
      (await run('top-products')).map((r) => [r.product_id, r.orders, r.units, r.revenue]),
      [
        ['CABLE001', 1, 1, 40],
        ['LAPTOP001', 1, 1, 30],
        ['PHONE001', 1, 0, 0],
        ['CASE001', 0, -3, -30],
      ],
    );
  });

  it('rfm and cohort-retention say how many refund-only orders they did not count as purchases', async () => {
    // R2 (C1), R5 (C2), R6 (C3): three orders whose every line is a return.
    for (const name of ['rfm', 'rfm-customers', 'cohort-retention'])
      assert.deepEqual(await notes(name), [['refund_only_orders_left_out', 3]], name);
    // October only: R2.
    assert.deepEqual(await notes('cohort-retention', { from: '2026-10-01', to: '2026-10-31' }), [
      ['refund_only_orders_left_out', 1],
    ]);
  });
});
