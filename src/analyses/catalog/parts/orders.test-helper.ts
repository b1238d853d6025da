import { CUSTOMERS_HEADER, csv, ORDERS_HEADER } from '../../../testing/index.js';
import { ingestFixture } from '../../fixture.test-helper.js';

const NAMES: Record<string, string> = {
  LAPTOP001: 'Gaming Laptop',
  PHONE001: 'Smartphone Pro',
  CABLE001: 'USB-C Cable',
  CASE001: 'Phone Case',
};

/** One order line of the customer fixture: quantity × price = total_amount. */
function line(
  order: string,
  customer: string,
  product: string,
  quantity: number,
  price: number,
  at: string,
  status = 'COMPLETED',
  region = 'US-EAST',
): (string | number)[] {
  const total = (quantity * price).toFixed(2);
  return [
    order,
    customer,
    product,
    NAMES[product] ?? product,
    quantity,
    price.toFixed(2),
    total,
    at,
    status,
    region,
  ];
}

/**
 * Nine customer orders of six customers plus three guest orders, for RFM, cohorts and CLV by hand.
 * Orders have several lines (distinct products, quantities > 1) so that counting lines instead of orders
 * gives different answers; the order totals are:
 *   C1 GOLD      O1 Oct 5 100 (2 lines), O2 Oct 20 50, O3 Nov 9 150 (3 × 50)    (3 orders, 300)
 *   C2 PLATINUM  O4 Oct 1 00:00 1000 (2 lines)                                 (1, 1000; Sep 30 in Los Angeles)
 *   C3 BRONZE    O5 Nov 1 20, O6 Nov 8 30 (2 lines)                            (2, 50)
 *   C4 SILVER    O7 Oct 15 200, O8 Nov 2 1000 CANCELLED (2 lines)              (1 completed, 200)
 *   C5 BRONZE    O9 Nov 9 10 (2 lines)                                         (1, 10)
 *   C6 BRONZE    no orders, signed up Nov 5
 *   guests       G1 Oct 3 510 (2 lines), G2 Nov 5 70 COMPLETED; G3 Nov 6 15 PENDING
 * Orders are at 12:00 UTC unless stated; everyone but C6 signed up in 2024. Guests are written with the
 * legacy literal 'GUEST' (customer_id is not yet optional in the table spec).
 */
export async function buildOrdersLake(dir: string): Promise<void> {
  const noon = (day: string) => `2026-${day} 12:00:00`;
  const orders = csv(ORDERS_HEADER, [
    line('O1', 'C1', 'LAPTOP001', 2, 30, noon('10-05')),
    line('O1', 'C1', 'CABLE001', 1, 40, noon('10-05')),
    line('O2', 'C1', 'LAPTOP001', 1, 50, noon('10-20')),
    line('O3', 'C1', 'PHONE001', 3, 50, noon('11-09')),
    line('O4', 'C2', 'LAPTOP001', 1, 600, '2026-10-01 00:00:00'),
    line('O4', 'C2', 'PHONE001', 2, 200, '2026-10-01 00:00:00'),
    line('O5', 'C3', 'CABLE001', 1, 20, noon('11-01')),
    line('O6', 'C3', 'CABLE001', 2, 10, noon('11-08')),
    line('O6', 'C3', 'CASE001', 1, 10, noon('11-08')),
    line('O7', 'C4', 'LAPTOP001', 1, 200, noon('10-15')),
    line('O8', 'C4', 'LAPTOP001', 1, 999, noon('11-02'), 'CANCELLED'),
    line('O8', 'C4', 'CASE001', 1, 1, noon('11-02'), 'CANCELLED'),
    line('O9', 'C5', 'CABLE001', 1, 4, noon('11-09')),
    line('O9', 'C5', 'CASE001', 2, 3, noon('11-09')),
    line('G1', 'GUEST', 'LAPTOP001', 1, 500, noon('10-03')),
    line('G1', 'GUEST', 'CABLE001', 5, 2, noon('10-03')),
    line('G2', 'GUEST', 'PHONE001', 1, 70, noon('11-05')),
    line('G3', 'GUEST', 'CASE001', 1, 15, noon('11-06'), 'PENDING'),
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

/**
 * Six orders in three regions for the sales analyses, by hand (P1 Widget 10.00, P2 Gadget 25.00,
 * P3 Cable 2.50, P4 Lamp 40.00; the names below are the fixture's product ids):
 *   A1 C1    Nov 1 09:00 US-EAST COMPLETED  P1 3 × 10 = 30, P2 1 × 25 = 25, P3 4 × 2.5 = 10   (65)
 *   A2 C2    Nov 1 23:30 EU-WEST COMPLETED  P2 2 × 25 = 50, P4 1 × 40 = 40                    (90)
 *   A3 GUEST Nov 2 10:00 US-EAST COMPLETED  P3 10 × 2.5 = 25                                   (25)
 *   A4 C1    Nov 2 12:00 US-WEST            P1 1 × 10 = 10 COMPLETED, P4 1 × 40 = 40 CANCELLED (50)
 *   A5 C3    Nov 3 08:00 EU-WEST PENDING    P1 2 × 10 = 20, P3 2 × 2.5 = 5                     (25)
 *   A6 GUEST Nov 3 15:00 EU-WEST CANCELLED  P2 1 × 25 = 25                                     (25)
 * The customers table holds C1 only, so C2's and C3's orders belong to customers it does not know.
 */
export async function buildSalesLake(dir: string): Promise<void> {
  const at = (day: string, hm: string) => `2026-11-0${day} ${hm}:00`;
  const l = (
    o: string,
    c: string,
    p: string,
    q: number,
    price: number,
    when: string,
    s: string,
    r: string,
  ) => {
    const total = (q * price).toFixed(2);
    return [o, c, p, `Product ${p}`, q, price.toFixed(2), total, when, s, r];
  };
  const orders = csv(ORDERS_HEADER, [
    l('A1', 'C1', 'P1', 3, 10, at('1', '09:00'), 'COMPLETED', 'US-EAST'),
    l('A1', 'C1', 'P2', 1, 25, at('1', '09:00'), 'COMPLETED', 'US-EAST'),
    l('A1', 'C1', 'P3', 4, 2.5, at('1', '09:00'), 'COMPLETED', 'US-EAST'),
    l('A2', 'C2', 'P2', 2, 25, at('1', '23:30'), 'COMPLETED', 'EU-WEST'),
    l('A2', 'C2', 'P4', 1, 40, at('1', '23:30'), 'COMPLETED', 'EU-WEST'),
    l('A3', 'GUEST', 'P3', 10, 2.5, at('2', '10:00'), 'COMPLETED', 'US-EAST'),
    l('A4', 'C1', 'P1', 1, 10, at('2', '12:00'), 'COMPLETED', 'US-WEST'),
    l('A4', 'C1', 'P4', 1, 40, at('2', '12:00'), 'CANCELLED', 'US-WEST'),
    l('A5', 'C3', 'P1', 2, 10, at('3', '08:00'), 'PENDING', 'EU-WEST'),
    l('A5', 'C3', 'P3', 2, 2.5, at('3', '08:00'), 'PENDING', 'EU-WEST'),
    l('A6', 'GUEST', 'P2', 1, 25, at('3', '15:00'), 'CANCELLED', 'EU-WEST'),
  ]);
  const customers = csv(CUSTOMERS_HEADER, [
    ['C1', 'Ann', 'Lee', 'ann@example.com', 'Boston', 'US-EAST', '2024-01-05', '2500.00', 'GOLD'],
  ]);
  await ingestFixture(dir, [
    ['orders', orders],
    ['customers', customers],
  ]);
}
