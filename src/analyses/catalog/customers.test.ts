import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import { UserError } from '../../errors/index.js';
import { fixtureLake } from '../fixture.test-helper.js';
import { buildBehaviourLake } from './parts/behaviour.test-helper.js';
import { buildOrdersLake } from './parts/orders.test-helper.js';

// Expected values are worked out by hand from the fixtures in parts/*.test-helper.ts. The order fixture has
// multi-line orders and three guest orders; the figures are those of its orders' totals, without guests.
// Each test runs twice: with guests written as the legacy 'GUEST', and with customer_id NULL (a temporary
// view over a copy of the orders shadows the lake's view, as a lake with an optional customer_id would read).
for (const guests of ['GUEST', 'NULL'] as const) {
  describe(`customer analyses on the hand-checked order fixture (guests as ${guests})`, () => {
    const { run, notes, engine } = fixtureLake(buildOrdersLake);
    before(async () => {
      if (guests !== 'NULL') return;
      await engine().query('CREATE TEMP TABLE orders_copy AS SELECT * FROM orders');
      await engine().query(
        "CREATE TEMP VIEW orders AS SELECT * REPLACE (NULLIF(customer_id, 'GUEST') AS customer_id) FROM orders_copy",
      );
      const [row] = await engine().query('SELECT count(*) AS n FROM orders WHERE customer_id IS NULL');
      assert.equal(Number(row?.n), 4, 'the four guest lines read as NULL');
    });

    it('leaves the completed guest orders out and says how many (G1 and G2; G3 is pending)', async () => {
      for (const name of ['rfm', 'rfm-customers', 'cohort-retention', 'clv', 'clv-backtest']) {
        assert.deepEqual(await notes(name), [['guest_orders_left_out', 2]], name);
      }
      // In October only G1 (Oct 3) is in range.
      assert.deepEqual(await notes('cohort-retention', { from: '2026-10-01', to: '2026-10-31' }), [
        ['guest_orders_left_out', 1],
      ]);
    });

    it('rfm-customers: frequency is distinct orders, monetary the Σ of their lines', async () => {
      // C1 3 orders in 4 lines, 300; C2 1 order in 2 lines, 1000; C3 2 orders in 3 lines, 50; C4 1, 200;
      // C5 1 order in 2 lines, 10. Scores as in the rfm test below.
      assert.deepEqual(
        (await run('rfm-customers')).map((r) => [
          r.customer_id,
          r.frequency,
          r.monetary,
          r.r,
          r.f,
          r.m,
          r.segment,
        ]),
        [
          ['C2', 1, 1000, 1, 1, 5, 'Lost'],
          ['C1', 3, 300, 4, 5, 4, 'Loyal'],
          ['C4', 1, 200, 2, 1, 3, 'Hibernating'],
          ['C3', 2, 50, 3, 4, 2, 'Loyal'],
          ['C5', 1, 10, 4, 1, 1, 'Promising'],
        ],
      );
      assert.deepEqual(
        (await run('rfm-customers', { segment: 'Loyal', limit: '1' })).map((r) => r.customer_id),
        ['C1'],
      );
    });

    it('rfm: quintile scores by rank and the segment grid', async () => {
      // As of Nov 10 (day after the last order). Recency days: C1 0, C2 40, C3 1, C4 25, C5 0.
      // With 5 customers score = rank: R (recency descending) C2 1, C4 2, C3 3, C1 4, C5 4;
      // F (ascending) C2, C4, C5 1 (tied), C3 4, C1 5.
      // C1 r4 f5 Loyal, C3 r3 f4 Loyal, C2 r1 f1 Lost, C4 r2 f1 Hibernating, C5 r4 f1 Promising.
      assert.deepEqual(await run('rfm'), [
        {
          segment: 'Lost',
          tier: 'all',
          customers: 1,
          share: 0.2,
          revenue: 1000,
          avg_recency_days: 40,
          avg_frequency: 1,
          avg_monetary: 1000,
        },
        {
          segment: 'Loyal',
          tier: 'all',
          customers: 2,
          share: 0.4,
          revenue: 350,
          avg_recency_days: 0.5,
          avg_frequency: 2.5,
          avg_monetary: 175,
        },
        {
          segment: 'Hibernating',
          tier: 'all',
          customers: 1,
          share: 0.2,
          revenue: 200,
          avg_recency_days: 25,
          avg_frequency: 1,
          avg_monetary: 200,
        },
        {
          segment: 'Promising',
          tier: 'all',
          customers: 1,
          share: 0.2,
          revenue: 10,
          avg_recency_days: 0,
          avg_frequency: 1,
          avg_monetary: 10,
        },
      ]);
      // Loyal splits into C1 (GOLD, 300) and C3 (BRONZE, 50).
      assert.deepEqual(
        (await run('rfm', { by: 'segment-tier' }))
          .filter((r) => r.segment === 'Loyal')
          .map((r) => [r.tier, r.revenue]),
        [
          ['GOLD', 300],
          ['BRONZE', 50],
        ],
      );
    });

    it('cohort-retention: monthly cohorts of first completed order, in UTC and in Los Angeles', async () => {
      // UTC: October cohort C1, C2, C4 (C1 repeats, 1/3); November cohort C3, C5 (C3 repeats, 1/2).
      assert.deepEqual(
        (await run('cohort-retention')).map((r) => [
          r.cohort,
          r.cohort_size,
          r.repeat_rate,
          r.period_index,
          r.customers,
          r.retention,
        ]),
        [
          ['2026-10-01', 3, 0.3333, 0, 3, 1],
          ['2026-10-01', 3, 0.3333, 1, 1, 0.3333],
          ['2026-11-01', 2, 0.5, 0, 2, 1],
        ],
      );
      // Los Angeles: C2's order (Oct 1 00:00 UTC) is Sep 30 17:00 local, a September cohort of its own.
      assert.deepEqual(
        (await run('cohort-retention', { tz: 'America/Los_Angeles' })).map((r) => [
          r.cohort,
          r.period_index,
          r.retention,
        ]),
        [
          ['2026-09-01', 0, 1],
          ['2026-10-01', 0, 1],
          ['2026-10-01', 1, 0.5],
          ['2026-11-01', 0, 1],
        ],
      );
    });

    it('clv: NBD rate without overdispersion falls back to the mean rate; shrunk order values', async () => {
      // Exposure from Oct 1 00:00 (first order) to Nov 10: 40 days (C6: from signup Nov 5, 5 days).
      // x = 3, 1, 2, 1, 1, 0; m = 8 / 205 = 0.0390244 per day; Σ(x − mT)² − ΣmT = −4.754 < 0 → rate m for all,
      // 90 days → 3.512195 orders each. Mean order value 1560 / 8 = 195; shrunk values (value + 195)/(x + 1):
      // C1 123.75, C2 597.5, C3 81.667, C4 197.5, C5 102.5, C6 195 → predictions 434.63, 2098.54, 286.83,
      // 693.66, 360.00, 684.88; total 4558.54.
      const rows = await run('clv');
      assert.deepEqual(
        rows.map((r) => [r.tier, r.customers, r.orders_in_lake, r.value_in_lake, r.predicted_value]),
        [
          ['ALL', 6, 8, 1560, 4558.54],
          ['PLATINUM', 1, 1, 1000, 2098.54],
          ['GOLD', 1, 3, 300, 434.63],
          ['SILVER', 1, 1, 200, 693.66],
          ['BRONZE', 3, 3, 60, 1331.71],
        ],
      );
    });

    it('clv-backtest: fit before the cutoff, compare with the holdout and the naive run rate', async () => {
      // Cutoff Oct 31 (10 days before Nov 10); C6 signed up later and is left out. T = 30 days for all.
      // Before: x = 2, 1, 0, 1, 0, value 150, 1000, 0, 200, 0; after: 150, 0, 50, 0, 10 (actual 210).
      // m = 4/150; Σ(x − 0.8)² − 4 = −1.2 → 10 · m = 0.266667 orders each; mean order value 1350/4 = 337.5.
      // Model: 43.33, 178.33, 90, 71.67, 90 → 473.33 (+125.40 %), MAE 95.33, RMSE 106.13.
      // Naive value/T·10: 50, 333.33, 0, 66.67, 0 → 450 (+114.29 %), MAE 112, RMSE 160.10.
      assert.deepEqual(await run('clv-backtest'), [
        {
          method: 'nbd-model',
          customers: 5,
          holdout_days: 10,
          predicted_total: 473.33,
          actual_total: 210,
          total_error_pct: 125.4,
          mae: 95.33,
          rmse: 106.13,
        },
        {
          method: 'naive-run-rate',
          customers: 5,
          holdout_days: 10,
          predicted_total: 450,
          actual_total: 210,
          total_error_pct: 114.29,
          mae: 112,
          rmse: 160.1,
        },
      ]);
    });

    it('clv-backtest: no order in the holdout has no error %, and a cut-off before every order is refused', async () => {
      // Holdout Dec 21–30, long after the last order (Nov 9): actual 0, so an error in % of it is
      // undefined (it printed 0 %, a perfect score, for a positive prediction).
      const quiet = await run('clv-backtest', { asOf: '2026-12-31' });
      assert.deepEqual(
        quiet.map((r) => [r.method, r.actual_total, r.total_error_pct]),
        [
          ['nbd-model', 0, null],
          ['naive-run-rate', 0, null],
        ],
      );
      assert.ok(quiet.every((r) => Number(r.predicted_total) > 0));
      // clv with an end before the first order: no one to fit (averages over nobody were NaN, an internal error).
      await assert.rejects(
        () => run('clv', { asOf: '2020-01-01' }),
        (e: unknown) =>
          e instanceof UserError && /no customer has a history before 2020-01-01/.test(e.message),
      );
      // 3000 days before Nov 10 is before the first order: no customer to score (was a row of zeros).
      await assert.rejects(
        () => run('clv-backtest', { holdoutDays: '3000' }),
        (e: unknown) =>
          e instanceof UserError && /no customer has a history before the cut-off/.test(e.message),
      );
    });
  });
}

describe('user-paths on the hand-checked session fixture', () => {
  const lake = fixtureLake(buildBehaviourLake);
  const run = (params: Record<string, unknown> = {}) => lake.run('user-paths', params);

  it('lists the paths into a purchase and the exit steps', async () => {
    // Purchasing sessions: S1 and S5 product > ADD > CHECKOUT > PURCHASE, S2 product > ADD > PURCHASE,
    // C4~2 product > CHECKOUT > PURCHASE.
    assert.deepEqual(await run(), [
      { path: 'product > ADD_TO_CART > CHECKOUT > PURCHASE', sessions: 2, share: 0.5 },
      { path: 'product > ADD_TO_CART > PURCHASE', sessions: 1, share: 0.25 },
      { path: 'product > CHECKOUT > PURCHASE', sessions: 1, share: 0.25 },
    ]);
    assert.deepEqual(
      (await run({ depth: '2' })).map((r) => [r.path, r.sessions]),
      [
        ['… > CHECKOUT > PURCHASE', 3],
        ['… > ADD_TO_CART > PURCHASE', 1],
      ],
    );
    // Non-purchasing: S3 ends on home, S4 on CHECKOUT, C4~1 on ADD_TO_CART.
    assert.deepEqual(
      (await run({ show: 'exits' })).map((r) => [r.path, r.sessions]),
      [
        ['ADD_TO_CART', 1],
        ['CHECKOUT', 1],
        ['home', 1],
      ],
    );
  });
});
