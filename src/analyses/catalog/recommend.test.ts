import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { UserError } from '../../errors/index.js';
import { CLICKSTREAM_HEADER, CUSTOMERS_HEADER, csv, ORDERS_HEADER } from '../../testing/index.js';
import { fixtureLake, ingestFixture } from '../fixture.test-helper.js';

/*
 * C1 bought P1 once (Nov 2), C2 bought P1 and P2 (Nov 3); orders start on Nov 2. C1, a customer with a
 * single purchase, gets P2 (bought with P1 by C2); nothing before Nov 2 is known.
 */
describe('recommend for a customer with one purchase, and before any order', () => {
  const lake = fixtureLake(async (dir) => {
    await ingestFixture(dir, [
      [
        'customers',
        csv(CUSTOMERS_HEADER, [
          ['C1', 'Ann', 'Lee', 'ann@example.com', 'Boston', 'US-EAST', '2024-01-05', '10.00', 'GOLD'],
          ['C2', 'Bo', 'Kim', 'bo@example.com', 'Boston', 'US-EAST', '2024-01-05', '60.00', 'GOLD'],
        ]),
      ],
      [
        'products',
        'product_id,product_name,category,list_price,unit_cost,stock_on_hand,lead_time_days\n' +
          'P1,Widget,Tools,10.00,6.00,100,7\nP2,Gadget,Tools,50.00,30.00,100,7\n',
      ],
      [
        'orders',
        csv(ORDERS_HEADER, [
          ['O1', 'C1', 'P1', 'Widget', 1, '10.00', '10.00', '2026-11-02 10:00:00', 'COMPLETED', 'US-EAST'],
          ['O2', 'C2', 'P1', 'Widget', 1, '10.00', '10.00', '2026-11-03 10:00:00', 'COMPLETED', 'US-EAST'],
          ['O3', 'C2', 'P2', 'Gadget', 1, '50.00', '50.00', '2026-11-03 10:05:00', 'COMPLETED', 'US-EAST'],
        ]),
      ],
      [
        'clickstream',
        csv(CLICKSTREAM_HEADER, [['2026-11-03 09:59:00', 'S1', 'C2', 'VIEW', 'product', 'P1', 'desktop', 5]]),
      ],
    ]);
  });

  it('recommends what was bought with their one purchase, and not the purchase itself', async () => {
    const rows = await lake.run('recommend', { customer: 'C1' });
    assert.deepEqual(
      rows.map((r) => [r.rank, r.product_id]),
      [[1, 'P2']],
    );
  });

  it('refuses an --as-of before every order with what to do (was an empty answer)', async () => {
    for (const customer of ['C1', 'GUEST'])
      await assert.rejects(
        () => lake.run('recommend', { customer, asOf: '2026-11-01' }),
        (e: unknown) => e instanceof UserError && /no order before 2026-11-01/.test(e.message),
      );
  });
});
