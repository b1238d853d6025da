import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { UserError } from '../../errors/index.js';
import { CLICKSTREAM_HEADER, CUSTOMERS_HEADER, csv, ORDERS_HEADER } from '../../testing/index.js';
import { fixtureLake, ingestFixture } from '../fixture.test-helper.js';

/*
 * C1 bought P1 once (Nov 2), C2 bought P1 and P2 (Nov 3), C3 returned a P1 (quantity −1) and bought P2
 * on Nov 4; orders start on Nov 2. C1, a customer with a single purchase, gets P2 (bought with P1 by
 * C2); nothing before Nov 2 is known.
 */
describe('recommend and also-bought: one purchase, a return, and before any order', () => {
  const lake = fixtureLake(async (dir) => {
    await ingestFixture(dir, [
      [
        'customers',
        csv(CUSTOMERS_HEADER, [
          ['C1', 'Ann', 'Lee', 'ann@example.com', 'Boston', 'US-EAST', '2024-01-05', '10.00', 'GOLD'],
          ['C2', 'Bo', 'Kim', 'bo@example.com', 'Boston', 'US-EAST', '2024-01-05', '60.00', 'GOLD'],
          ['C3', 'Cy', 'Ng', 'cy@example.com', 'Boston', 'US-EAST', '2024-01-05', '40.00', 'GOLD'],
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
          ['R4', 'C3', 'P1', 'Widget', -1, '10.00', '-10.00', '2026-11-04 09:00:00', 'COMPLETED', 'US-EAST'],
          ['O5', 'C3', 'P2', 'Gadget', 1, '50.00', '50.00', '2026-11-04 10:00:00', 'COMPLETED', 'US-EAST'],
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

  it('also-bought does not take a return for a purchase (hand-computed)', async () => {
    // Baskets (customer, day): C1 Nov 2 {P1}, C2 Nov 3 {P1, P2}, C3 Nov 4 {P2} (its P1 line is a
    // return): N = 3, n(P1) = 2, n(P2) = 2, n(P1, P2) = 1. Support 1/3, confidence 1/2, lift
    // (1/2) / (2/3) = 0.75. Counting the return made C3's basket {P1, P2}: 2/3, 2/3 and 1.
    const [p2, ...rest] = await lake.run('also-bought', { product: 'P1', minBaskets: '1' });
    assert.deepEqual(rest, []);
    assert.deepEqual(
      [p2?.product_id, p2?.baskets, p2?.support, p2?.confidence, p2?.times_expected],
      ['P2', 1, 0.3333, 0.5, 0.75],
    );
    assert.deepEqual(await lake.notes('also-bought', { product: 'P1', minBaskets: '1' }), [
      ['return_lines_left_out', 1],
    ]);
  });
});
