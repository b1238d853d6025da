import { CUSTOMERS_HEADER, csv, ORDERS_HEADER } from '../../../testing/index.js';
import { ingestFixture } from '../../fixture.test-helper.js';

/**
 * Nine orders of six customers, for RFM, cohorts and CLV by hand (amounts are quantity 1 × price):
 *   C1 GOLD      Oct 5 100, Oct 20 50, Nov 9 150            (3 orders, 300)
 *   C2 PLATINUM  Oct 1 00:00 1000                           (1, 1000; Sep 30 in Los Angeles)
 *   C3 BRONZE    Nov 1 20, Nov 8 30                         (2, 50)
 *   C4 SILVER    Oct 15 200, Nov 2 999 CANCELLED            (1 completed, 200)
 *   C5 BRONZE    Nov 9 10                                   (1, 10)
 *   C6 BRONZE    no orders, signed up Nov 5
 * Orders are at 12:00 UTC unless stated; everyone but C6 signed up in 2024.
 */
export async function buildOrdersLake(dir: string): Promise<void> {
  const o = (id: string, c: string, amount: string, at: string, status = 'COMPLETED') => [
    id,
    c,
    'LAPTOP001',
    'Gaming Laptop',
    1,
    amount,
    amount,
    at,
    status,
    'US-EAST',
  ];
  const orders = csv(ORDERS_HEADER, [
    o('O1', 'C1', '100.00', '2026-10-05 12:00:00'),
    o('O2', 'C1', '50.00', '2026-10-20 12:00:00'),
    o('O3', 'C1', '150.00', '2026-11-09 12:00:00'),
    o('O4', 'C2', '1000.00', '2026-10-01 00:00:00'),
    o('O5', 'C3', '20.00', '2026-11-01 12:00:00'),
    o('O6', 'C3', '30.00', '2026-11-08 12:00:00'),
    o('O7', 'C4', '200.00', '2026-10-15 12:00:00'),
    o('O8', 'C4', '999.00', '2026-11-02 12:00:00', 'CANCELLED'),
    o('O9', 'C5', '10.00', '2026-11-09 12:00:00'),
  ]);
  const c = (id: string, tier: string, signup = '2024-03-01') => [
    id,
    'Al',
    'Bo',
    `${id.toLowerCase()}@example.com`,
    'Boston',
    'US-EAST',
    signup,
    '100.00',
    tier,
  ];
  const customers = csv(CUSTOMERS_HEADER, [
    c('C1', 'GOLD'),
    c('C2', 'PLATINUM'),
    c('C3', 'BRONZE'),
    c('C4', 'SILVER'),
    c('C5', 'BRONZE'),
    c('C6', 'BRONZE', '2026-11-05'),
  ]);
  await ingestFixture(dir, [
    ['orders', orders],
    ['customers', customers],
  ]);
}
