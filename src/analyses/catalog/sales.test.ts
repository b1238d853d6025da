import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import { fixtureLake } from '../fixture.test-helper.js';
import { buildSalesLake } from './parts/orders.test-helper.js';

// Expected values are worked out by hand from the six multi-line orders of buildSalesLake (A1 65 in three
// lines, A2 90 in two, A3 a guest's 25, A4 10 completed + 40 cancelled, A5 25 pending, A6 a guest's 25
// cancelled). Counting lines instead of orders, or lines instead of units, gives different answers.
// Each test runs twice: on the lake as it is, and with money read as an exact DECIMAL (a temporary view over
// a copy of the orders shadows the lake's view), as a lake with decimal money would read.
for (const money of ['as stored', 'DECIMAL(18,4)'] as const) {
  describe(`sales analyses on multi-line orders (money ${money})`, () => {
    const { run, notes, engine } = fixtureLake(buildSalesLake);
    before(async () => {
      if (money === 'as stored') return;
      await engine().query('CREATE TEMP TABLE orders_copy AS SELECT * FROM orders');
      await engine().query(
        `CREATE TEMP VIEW orders AS SELECT * REPLACE (CAST(price AS ${money}) AS price,
        CAST(total_amount AS ${money}) AS total_amount) FROM orders_copy`,
      );
      const [row] = await engine().query('SELECT typeof(total_amount) AS t FROM orders LIMIT 1');
      assert.equal(row?.t, money);
    });

    it('sales-by-region sums total_amount of every line, guests included', async () => {
      // EU-WEST: A2 90 + A5 25 + A6 25 = 140 in 2 + 2 + 1 lines; US-EAST: A1 65 + A3 (guest) 25 = 90 in 3 + 1;
      // US-WEST: A4 10 + 40 = 50 in 2.
      assert.deepEqual(await run('sales-by-region'), [
        { region: 'EU-WEST', revenue: 140, order_lines: 5 },
        { region: 'US-EAST', revenue: 90, order_lines: 4 },
        { region: 'US-WEST', revenue: 50, order_lines: 2 },
      ]);
      assert.deepEqual(await notes('sales-by-region'), []);
    });

    it('top-products: distinct orders, Σ quantity as units, Σ total_amount as revenue, of completed lines', async () => {
      // P1: A1 3 × 10 + A4 1 × 10 → 2 orders, 4 units, 40.  P2: A1 1 × 25 + A2 2 × 25 → 2, 3, 75.
      // P3: A1 4 × 2.5 + A3 10 × 2.5 → 2, 14, 35.  P4: A2 1 × 40 (A4's is cancelled) → 1, 1, 40.
      const byRevenue = await run('top-products');
      assert.deepEqual(
        byRevenue.map((r) => [r.product_id, r.orders, r.units, r.revenue]),
        [
          ['P2', 2, 3, 75],
          ['P1', 2, 4, 40], // ties with P4 on revenue: product_id breaks it
          ['P4', 1, 1, 40],
          ['P3', 2, 14, 35],
        ],
      );
      // By units P3 (14) leads although every product but P4 has two lines.
      assert.deepEqual(
        (await run('top-products', { by: 'units' })).map((r) => [r.product_id, r.units]),
        [
          ['P3', 14],
          ['P1', 4],
          ['P2', 3],
          ['P4', 1],
        ],
      );
      // US-EAST only: A1 (P1 3, P2 1, P3 4) and A3 (P3 10).
      assert.deepEqual(
        (await run('top-products', { by: 'units', region: 'US-EAST', limit: '2' })).map((r) => [
          r.product_id,
          r.units,
        ]),
        [
          ['P3', 14],
          ['P1', 3],
        ],
      );
    });

    it('revenue-by-day counts distinct completed orders per day and averages per order', async () => {
      // UTC: Nov 1 A1 65 + A2 90 = 155 over 2 orders (77.50 each, not 155 / 5 lines);
      // Nov 2 A3 25 + A4's completed line 10 = 35 over 2 orders (17.50).
      assert.deepEqual(await run('revenue-by-day'), [
        { day: '2026-11-01', orders: 2, revenue: 155, avg_order_value: 77.5 },
        { day: '2026-11-02', orders: 2, revenue: 35, avg_order_value: 17.5 },
      ]);
      // Tokyo is UTC+9: A1 Nov 1 18:00; A2 Nov 2 08:30, A3 19:00, A4 21:00 → 125 / 3 = 41.67.
      assert.deepEqual(await run('revenue-by-day', { tz: 'Asia/Tokyo' }), [
        { day: '2026-11-01', orders: 1, revenue: 65, avg_order_value: 65 },
        { day: '2026-11-02', orders: 3, revenue: 125, avg_order_value: 41.67 },
      ]);
    });

    it('order-status counts distinct orders per status; an order spanning two statuses counts in both', async () => {
      // COMPLETED: A1, A2, A3, A4 (4 of 6 orders; 65 + 90 + 25 + 10 = 190); CANCELLED: A4, A6 (40 + 25 = 65);
      // PENDING: A5 (25). Counting lines would give 7, 2 and 2.
      assert.deepEqual(await run('order-status'), [
        { status: 'COMPLETED', orders: 4, share: 0.6667, revenue: 190 },
        { status: 'CANCELLED', orders: 2, share: 0.3333, revenue: 65 },
        { status: 'PENDING', orders: 1, share: 0.1667, revenue: 25 },
      ]);
      // EU-WEST: A2 COMPLETED, A5 PENDING, A6 CANCELLED: one of three each.
      assert.deepEqual(await run('order-status', { region: 'EU-WEST' }), [
        { status: 'CANCELLED', orders: 1, share: 0.3333, revenue: 25 },
        { status: 'COMPLETED', orders: 1, share: 0.3333, revenue: 90 },
        { status: 'PENDING', orders: 1, share: 0.3333, revenue: 25 },
      ]);
      // The same counts written another way: distinct (status, order) pairs, counted per status.
      const independent = await engine().query(
        'SELECT status, count(*) AS orders FROM (SELECT DISTINCT status, order_id FROM orders) d GROUP BY status ORDER BY status',
      );
      assert.deepEqual(
        (await run('order-status')).map((r) => [r.status, r.orders]).sort(),
        independent.map((r) => [r.status, Number(r.orders)]),
      );
    });

    it('cohort-retention: a repeat customer has two distinct orders, and guests are left out and counted', async () => {
      // Completed orders of known customers: C1 A1 (Nov 1), A4 (Nov 2) → repeats; C2 A2 (two lines) → does not.
      // November cohort of 2, repeat rate 1/2 (counting lines, C2 would repeat too and the guest would join).
      assert.deepEqual(
        (await run('cohort-retention')).map((r) => [r.cohort, r.cohort_size, r.repeat_rate, r.customers]),
        [['2026-11-01', 2, 0.5, 2]],
      );
      // Weeks start on Monday: Nov 1 2026 is a Sunday (week of Oct 26), Nov 2 a Monday. C1 (A1 Sunday, A4
      // Monday) and C2 (A2 Sunday) form the Oct 26 cohort; only C1 orders in the next week.
      assert.deepEqual(
        (await run('cohort-retention', { period: 'week' })).map((r) => [
          r.cohort,
          r.period,
          r.period_index,
          r.customers,
          r.retention,
        ]),
        [
          ['2026-10-26', '2026-10-26', 0, 2, 1],
          ['2026-10-26', '2026-11-02', 1, 1, 0.5],
        ],
      );
      // A3 is the one completed guest order (A6 is cancelled).
      assert.deepEqual(await notes('cohort-retention'), [['guest_orders_left_out', 1]]);
    });

    it('rfm-customers: frequency counts orders, monetary sums lines, guests are left out', async () => {
      // Reference Nov 4 00:00 (day after A6). C1: A1 65 + A4 10 = 75 in 2 orders, last Nov 2 12:00 → 1.5 days → 1.
      // C2: A2 90 in 1 order (2 lines), last Nov 1 23:30 → 2.02 days → 2. With n = 2, score = ⌊5(rank − 1)/2⌋ + 1:
      // R C2 1, C1 3; F C2 1, C1 3; M C1 1, C2 3. C1 r3 f3 Need Attention; C2 r1 f1 Lost (tier UNKNOWN:
      // C2 is not in the customers table).
      assert.deepEqual(await run('rfm-customers'), [
        {
          customer_id: 'C2',
          tier: 'UNKNOWN',
          segment: 'Lost',
          recency_days: 2,
          frequency: 1,
          monetary: 90,
          r: 1,
          f: 1,
          m: 3,
        },
        {
          customer_id: 'C1',
          tier: 'GOLD',
          segment: 'Need Attention',
          recency_days: 1,
          frequency: 2,
          monetary: 75,
          r: 3,
          f: 3,
          m: 1,
        },
      ]);
      assert.deepEqual(await notes('rfm-customers'), [['guest_orders_left_out', 1]]);
    });

    it('clv says how many completed orders it left out: guests and customers missing from customers', async () => {
      // End Nov 3 00:00 (day after A4). Completed before it: A3 (guest) and A2 (C2, not in customers).
      assert.deepEqual(await notes('clv'), [
        ['guest_orders_left_out', 1],
        ['unknown_customer_orders_left_out', 1],
      ]);
      // Only C1 is modelled: 2 orders worth 75.
      assert.deepEqual(
        (await run('clv')).map((r) => [r.tier, r.customers, r.orders_in_lake, r.value_in_lake]),
        [
          ['ALL', 1, 2, 75],
          ['GOLD', 1, 2, 75],
        ],
      );
    });
  });
}
