import { join } from 'node:path';
import { after, before } from 'node:test';
import { DuckDbEngine } from '../engines/testing.js';
import { ingest } from '../ingest/index.js';
import { TABLES, type TableName } from '../lake/index.js';
import {
  CLICKSTREAM_HEADER,
  CUSTOMERS_HEADER,
  csv,
  ORDERS_HEADER,
  tempDir,
  writeText,
} from '../testing/index.js';
import { findAnalysis, runAnalysis, runAnalysisWithNotes } from './index.js';

/**
 * A lake small enough that every analysis answer can be worked out by hand in the tests:
 * 5 orders, 4 customers, 4 sessions.
 */
export async function buildFixtureLake(dir: string): Promise<void> {
  const orders = csv(ORDERS_HEADER, [
    [
      'O1',
      'C1',
      'LAPTOP001',
      'Gaming Laptop',
      1,
      '1299.99',
      '1299.99',
      '2026-11-01 23:30:00',
      'COMPLETED',
      'US-EAST',
    ],
    [
      'O2',
      'C2',
      'PHONE001',
      'Smartphone Pro',
      2,
      '899.99',
      '1799.98',
      '2026-11-02 01:00:00',
      'COMPLETED',
      'EU-WEST',
    ],
    ['O3', 'C3', 'CABLE001', 'USB-C Cable', 3, '14.99', '44.97', '2026-11-02 12:00:00', 'PENDING', 'US-EAST'],
    [
      'O4',
      'C1',
      'CABLE001',
      'USB-C Cable',
      1,
      '14.99',
      '14.99',
      '2026-11-02 13:00:00',
      'COMPLETED',
      'US-EAST',
    ],
    [
      'O5',
      'C2',
      'LAPTOP001',
      'Gaming Laptop',
      1,
      '1299.99',
      '1299.99',
      '2026-11-03 09:00:00',
      'CANCELLED',
      'EU-WEST',
    ],
  ]);
  const customers = csv(CUSTOMERS_HEADER, [
    ['C1', 'Ann', 'Lee', 'ann@example.com', 'Boston', 'US-EAST', '2024-01-05', '2500.00', 'GOLD'],
    ['C2', 'Bo', 'Kim', 'bo@example.com', 'Paris', 'EU-WEST', '2023-06-01', '6000.00', 'PLATINUM'],
    ['C3', 'Cy', 'Ng', 'cy@example.com', 'Miami', 'US-EAST', '2025-02-11', '10.00', 'BRONZE'],
    ['C4', 'Di', 'Ruiz', 'di@example.com', 'Lima', 'LATAM', '2025-03-12', '20.00', 'BRONZE'],
  ]);
  const t = (m: number) => `2026-11-01 10:${String(m).padStart(2, '0')}:00`;
  const clicks = csv(CLICKSTREAM_HEADER, [
    [t(0), 'S1', 'C1', 'VIEW', 'product', 'LAPTOP001', 'desktop', 30],
    [t(1), 'S1', 'C1', 'ADD_TO_CART', 'product', 'LAPTOP001', 'desktop', 5],
    [t(2), 'S1', 'C1', 'CHECKOUT', 'checkout', 'LAPTOP001', 'desktop', 40],
    [t(3), 'S1', 'C1', 'PURCHASE', 'checkout', 'LAPTOP001', 'desktop', 3],
    [t(4), 'S2', 'C2', 'VIEW', 'product', 'PHONE001', 'mobile', 12],
    [t(5), 'S2', 'C2', 'PURCHASE', 'checkout', 'PHONE001', 'mobile', 4],
    [t(6), 'S3', 'GUEST', 'VIEW', 'home', '', 'mobile', 8],
    [t(7), 'S4', 'C3', 'PURCHASE', 'checkout', 'CABLE001', 'mobile', 2],
    [t(8), 'S4', 'C3', 'PURCHASE', 'checkout', 'CASE001', 'mobile', 2],
  ]);
  await ingestFixture(dir, [
    ['orders', orders],
    ['customers', customers],
    ['clickstream', clicks],
  ]);
}

/** Writes fixture CSV texts under <dir>/raw and ingests them; a fixture row that fails validation is a bug. */
export async function ingestFixture(
  dir: string,
  inputs: readonly (readonly [TableName, string])[],
): Promise<void> {
  for (const [table, text] of inputs) {
    const file = writeText(join(dir, 'raw', table, `${table}.csv`), text);
    const report = await ingest({ dataDir: dir, table: TABLES[table], input: file });
    if (report.quarantined > 0)
      throw new Error(`fixture ${table} has invalid rows: ${report.quarantineFile}`);
  }
}

/**
 * Inside a describe(): builds a fixture lake before the tests and opens an engine on it, closing and
 * removing both afterwards. `run` runs an analysis by name on it.
 */
export function fixtureLake(build: (dir: string) => Promise<void>) {
  let engine: DuckDbEngine | undefined;
  let cleanup = () => {};
  before(async () => {
    const t = tempDir();
    cleanup = t.cleanup;
    await build(t.dir);
    engine = await DuckDbEngine.open(t.dir);
  });
  after(async () => {
    await engine?.close();
    cleanup();
  });
  const open = () => {
    if (!engine) throw new Error('fixture lake used outside its describe()');
    return engine;
  };
  return {
    engine: open,
    run: async (name: string, params: Record<string, unknown> = {}) =>
      (await runAnalysis(open(), await findAnalysis(name), params)) as Record<string, unknown>[],
    /** The notes (what was left out) of an analysis run on the fixture, as [code, count] pairs. */
    notes: async (name: string, params: Record<string, unknown> = {}) =>
      (await runAnalysisWithNotes(open(), await findAnalysis(name), params)).notes.map((n) => [
        n.code,
        n.count,
      ]),
  };
}
