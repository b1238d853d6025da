import { join } from 'node:path';
import { ingest } from '../ingest/index.js';
import { TABLES, type TableName } from '../lake/index.js';
import { CLICKSTREAM_HEADER, CUSTOMERS_HEADER, csv, ORDERS_HEADER, writeText } from '../testing/index.js';

/** The person the erasure tests remove, with an email that appears nowhere else. */
export const ERASED = { id: 'C2', email: 'bo.kim@example.org', name: 'Kimberley' } as const;

/**
 * A small lake with personal data in every place it can land: 3 customers, 4 order lines on two days,
 * 4 events; one quarantined customer row and one repeated order (the duplicates report), both of C2.
 */
export async function buildSecurityLake(dir: string): Promise<void> {
  const customers = csv(CUSTOMERS_HEADER, [
    ['C1', 'Ann', 'Lee', 'ann@example.com', 'Boston', 'US-EAST', '2024-01-05', '2500.00', 'GOLD'],
    ['C2', 'Bo', ERASED.name, ERASED.email, 'Paris', 'EU-WEST', '2023-06-01', '6000.00', 'PLATINUM'],
    ['C3', 'Cy', 'Ng', 'cy@example.com', 'Boston', 'US-EAST', '2025-02-11', '10.00', 'BRONZE'],
    // Quarantined (unknown tier), still carrying C2's email.
    ['C2', 'Bo', ERASED.name, ERASED.email, 'Paris', 'EU-WEST', '2023-06-01', '6000.00', 'NOPE'],
  ]);
  const orders = csv(ORDERS_HEADER, [
    ['O1', 'C1', 'P1', 'Pen', 1, '2.50', '2.50', '2026-11-01 10:00:00', 'COMPLETED', 'US-EAST'],
    ['O2', 'C2', 'P1', 'Pen', 2, '2.50', '5.00', '2026-11-01 11:00:00', 'COMPLETED', 'EU-WEST'],
    ['O3', 'C2', 'P2', 'Ink', 1, '9.00', '9.00', '2026-11-02 12:00:00', 'PENDING', 'EU-WEST'],
    ['O4', 'C3', 'P2', 'Ink', 1, '9.00', '9.00', '2026-11-02 13:00:00', 'COMPLETED', 'US-EAST'],
  ]);
  const t = (m: number) => `2026-11-01 10:${String(m).padStart(2, '0')}:00`;
  const clicks = csv(CLICKSTREAM_HEADER, [
    [t(0), 'S1', 'C1', 'VIEW', 'product', 'P1', 'desktop', 30],
    [t(1), 'S2', 'C2', 'VIEW', 'product', 'P1', 'mobile', 12],
    [t(2), 'S2', 'C2', 'PURCHASE', 'checkout', 'P1', 'mobile', 4],
    [t(3), 'S3', 'C3', 'VIEW', 'home', '', 'mobile', 8],
  ]);
  const inputs: [TableName, string][] = [
    ['customers', customers],
    ['orders', orders],
    ['clickstream', clicks],
  ];
  for (const [table, text] of inputs) {
    const file = writeText(join(dir, 'raw', table, `${table}.csv`), text);
    await ingest({ dataDir: dir, table: TABLES[table], input: file, maxRejects: { count: 5 } });
  }
  // The same order line again from another file: reported in <data>/duplicates/.
  const again = writeText(
    join(dir, 'raw', 'orders-again.csv'),
    csv(ORDERS_HEADER, [
      ['O2', 'C2', 'P1', 'Pen', 2, '2.50', '5.00', '2026-11-01 11:00:00', 'COMPLETED', 'EU-WEST'],
    ]),
  );
  await ingest({ dataDir: dir, table: TABLES.orders, input: again });
}
