import { CLICKSTREAM_HEADER, CUSTOMERS_HEADER, csv } from '../../../testing/index.js';
import { ingestFixture } from '../../fixture.test-helper.js';

/**
 * Seven sessions small enough to follow by hand (times UTC):
 *   S1  desktop C1  VIEW 10:00 → ADD 10:01 → CHECKOUT 10:03 → PURCHASE 10:04        LAPTOP001
 *   S2  mobile  C2  VIEW 10:00 → ADD 10:02 → PURCHASE 10:05 (no checkout)            PHONE001
 *   S3  mobile  GUEST VIEW 10:10 (a bounce)
 *   S4  tablet  C3  ADD 10:20 → VIEW 10:21 → CHECKOUT 10:30 (cart before view)       CABLE001
 *   C4 without session ids, desktop: VIEW 11:00, ADD 11:10 | 50 min gap | VIEW 12:00, CHECKOUT 12:05,
 *       PURCHASE 12:06 → derived sessions C4~1 and C4~2                               CASE001
 *   S5  mobile  C1  Nov 2 VIEW 00:30 → ADD 00:31 → CHECKOUT 00:33 → PURCHASE 00:40    LAPTOP001
 * Experiment "exp1": S1 A, S3 A, S2 B, S4 B, S5 B.
 */
export async function buildBehaviourLake(dir: string): Promise<void> {
  const d1 = (hm: string) => `2026-11-01 ${hm}:00`;
  const d2 = (hm: string) => `2026-11-02 ${hm}:00`;
  const clicks = csv(CLICKSTREAM_HEADER, [
    [d1('10:00'), 'S1', 'C1', 'VIEW', 'product', 'LAPTOP001', 'desktop', 30],
    [d1('10:01'), 'S1', 'C1', 'ADD_TO_CART', 'product', 'LAPTOP001', 'desktop', 5],
    [d1('10:03'), 'S1', 'C1', 'CHECKOUT', 'checkout', 'LAPTOP001', 'desktop', 40],
    [d1('10:04'), 'S1', 'C1', 'PURCHASE', 'checkout', 'LAPTOP001', 'desktop', 3],
    [d1('10:00'), 'S2', 'C2', 'VIEW', 'product', 'PHONE001', 'mobile', 10],
    [d1('10:02'), 'S2', 'C2', 'ADD_TO_CART', 'product', 'PHONE001', 'mobile', 5],
    [d1('10:05'), 'S2', 'C2', 'PURCHASE', 'checkout', 'PHONE001', 'mobile', 4],
    [d1('10:10'), 'S3', 'GUEST', 'VIEW', 'home', '', 'mobile', 8],
    [d1('10:20'), 'S4', 'C3', 'ADD_TO_CART', 'product', 'CABLE001', 'tablet', 5],
    [d1('10:21'), 'S4', 'C3', 'VIEW', 'product', 'CABLE001', 'tablet', 10],
    [d1('10:30'), 'S4', 'C3', 'CHECKOUT', 'checkout', 'CABLE001', 'tablet', 20],
    [d1('11:00'), '', 'C4', 'VIEW', 'product', 'CASE001', 'desktop', 10],
    [d1('11:10'), '', 'C4', 'ADD_TO_CART', 'product', 'CASE001', 'desktop', 5],
    [d1('12:00'), '', 'C4', 'VIEW', 'product', 'CASE001', 'desktop', 15],
    [d1('12:05'), '', 'C4', 'CHECKOUT', 'checkout', 'CASE001', 'desktop', 30],
    [d1('12:06'), '', 'C4', 'PURCHASE', 'checkout', 'CASE001', 'desktop', 2],
    [d2('00:30'), 'S5', 'C1', 'VIEW', 'product', 'LAPTOP001', 'mobile', 20],
    [d2('00:31'), 'S5', 'C1', 'ADD_TO_CART', 'product', 'LAPTOP001', 'mobile', 5],
    [d2('00:33'), 'S5', 'C1', 'CHECKOUT', 'checkout', 'LAPTOP001', 'mobile', 30],
    [d2('00:40'), 'S5', 'C1', 'PURCHASE', 'checkout', 'LAPTOP001', 'mobile', 5],
  ]);
  const customers = csv(CUSTOMERS_HEADER, [
    ['C1', 'Ann', 'Lee', 'ann@example.com', 'Boston', 'US-EAST', '2024-01-05', '2500.00', 'GOLD'],
    ['C2', 'Bo', 'Kim', 'bo@example.com', 'Paris', 'EU-WEST', '2023-06-01', '6000.00', 'PLATINUM'],
    ['C3', 'Cy', 'Ng', 'cy@example.com', 'Miami', 'US-EAST', '2025-02-11', '10.00', 'BRONZE'],
    ['C4', 'Di', 'Ruiz', 'di@example.com', 'Lima', 'LATAM', '2025-03-12', '20.00', 'BRONZE'],
  ]);
  const experiments = csv('session_id,experiment,variant', [
    ['S1', 'exp1', 'A'],
    ['S3', 'exp1', 'A'],
    ['S2', 'exp1', 'B'],
    ['S4', 'exp1', 'B'],
    ['S5', 'exp1', 'B'],
  ]);
  await ingestFixture(dir, [
    ['clickstream', clicks],
    ['customers', customers],
    ['experiments', experiments],
  ]);
}
