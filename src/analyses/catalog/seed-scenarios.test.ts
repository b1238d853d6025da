import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { buildFixtureLake, fixtureLake } from '../fixture.test-helper.js';
import { findAnalysis, loadCatalog } from '../index.js';

// Expected values are worked out by hand from the five fixture orders (see fixture.test-helper.ts).
describe('core analyses on the hand-checked fixture', () => {
  const { run } = fixtureLake(buildFixtureLake);

  it('lists the seed analyses in the catalog', async () => {
    const names = (await loadCatalog()).map((a) => a.name);
    for (const n of [
      'sales-by-region',
      'customer-tiers',
      'purchases-by-device',
      'top-products',
      'revenue-by-day',
      'order-status',
    ]) {
      assert.ok(names.includes(n), n);
    }
  });

  it('sales-by-region sums every order like the seed, largest first, and renders seed-style lines', async () => {
    const rows = await run('sales-by-region');
    assert.deepEqual(rows, [
      { region: 'EU-WEST', revenue: 3099.97, order_lines: 2 },
      { region: 'US-EAST', revenue: 1359.95, order_lines: 3 },
    ]);
    const analysis = await findAnalysis('sales-by-region');
    assert.deepEqual(analysis.render?.(rows), ['EU-WEST: $3,099.97', 'US-EAST: $1,359.95']);
    assert.deepEqual(
      (await run('sales-by-region', { status: 'COMPLETED' })).map((r) => r.revenue),
      [1799.98, 1314.98],
    );
    assert.deepEqual(
      (await run('sales-by-region', { from: '2026-11-02', to: '2026-11-02' })).map((r) => [
        r.region,
        r.revenue,
      ]),
      [
        ['EU-WEST', 1799.98],
        ['US-EAST', 59.96],
      ],
    );
  });

  it('customer-tiers counts customers per tier, highest tier first', async () => {
    assert.deepEqual(await run('customer-tiers'), [
      { tier: 'PLATINUM', customers: 1, share: 0.25, lifetime_value: 6000 },
      { tier: 'GOLD', customers: 1, share: 0.25, lifetime_value: 2500 },
      { tier: 'BRONZE', customers: 2, share: 0.5, lifetime_value: 30 },
    ]);
    assert.deepEqual(await run('customer-tiers', { region: 'LATAM' }), [
      { tier: 'BRONZE', customers: 1, share: 1, lifetime_value: 20 },
    ]);
  });

  it('purchases-by-device counts PURCHASE events per device', async () => {
    assert.deepEqual(await run('purchases-by-device'), [
      { device: 'mobile', purchases: 3, sessions: 2 },
      { device: 'desktop', purchases: 1, sessions: 1 },
    ]);
  });

  it('top-products ranks completed orders by revenue or units', async () => {
    assert.deepEqual(
      (await run('top-products')).map((r) => [r.product_id, r.units, r.revenue]),
      [
        ['PHONE001', 2, 1799.98],
        ['LAPTOP001', 1, 1299.99],
        ['CABLE001', 1, 14.99],
      ],
    );
    assert.deepEqual(
      (await run('top-products', { by: 'units', limit: '2' })).map((r) => r.product_id),
      ['PHONE001', 'CABLE001'],
    );
  });

  it('revenue-by-day buckets completed orders by UTC day, or by local day with --tz', async () => {
    assert.deepEqual(
      (await run('revenue-by-day')).map((r) => [r.day, r.orders, r.revenue]),
      [
        ['2026-11-01', 1, 1299.99],
        ['2026-11-02', 2, 1814.97],
      ],
    );
    // New York is UTC-5 on these dates: O2 (01:00 UTC Nov 2) falls on Nov 1 local time.
    assert.deepEqual(
      (await run('revenue-by-day', { tz: 'America/New_York' })).map((r) => [r.day, r.orders, r.revenue]),
      [
        ['2026-11-01', 2, 3099.97],
        ['2026-11-02', 1, 14.99],
      ],
    );
  });

  it('order-status splits orders and revenue by status', async () => {
    assert.deepEqual(await run('order-status'), [
      { status: 'COMPLETED', orders: 3, share: 0.6, revenue: 3114.96 },
      { status: 'CANCELLED', orders: 1, share: 0.2, revenue: 1299.99 },
      { status: 'PENDING', orders: 1, share: 0.2, revenue: 44.97 },
    ]);
  });

  it('rejects bad parameters with the flag name', async () => {
    await assert.rejects(run('sales-by-region', { region: 'MARS' }), /--region/);
    await assert.rejects(run('sales-by-region', { from: '2026-13-45' }), /--from/);
    await assert.rejects(run('revenue-by-day', { tz: 'Mars/Olympus' }), /unknown time zone/);
    await assert.rejects(run('sales-by-region', { bogus: '1' }), /unknown parameter --bogus/);
  });
});
