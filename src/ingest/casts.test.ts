import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, it } from 'node:test';
import { collectRows } from '../engines/index.js';
import { DuckDbEngine } from '../engines/testing.js';
import { TABLES } from '../lake/index.js';
import { csv, ORDERS_HEADER, tempDir, writeText } from '../testing/index.js';
import { ingest } from './index.js';

let dir: string;
let cleanup: () => void;
before(() => ({ dir, cleanup } = tempDir()));
after(() => cleanup());

// Regression: DuckDB's VARCHAR casts rounded '2.5' to 3 (then blamed the total) and kept the wall time of
// '10:00:00+02:00', dropping its offset. Expected values are the UTC instants worked out by hand.
it('refuses a fractional whole number and converts timestamps with an offset to UTC', async () => {
  const line = (id: string, qty: string, when: string, total = String(2 * Number(qty))) => [
    id,
    'C1',
    'P1',
    'Pen',
    qty,
    '2',
    total,
    when,
    'COMPLETED',
    'North',
  ];
  const input = writeText(
    join(dir, 'in', 'orders.csv'),
    csv(ORDERS_HEADER, [
      line('A1', '2.5', '2026-11-01 10:00:00', '5'),
      line('A2', '2', '2026-11-01T10:00:00+02:00'), // 08:00 UTC
      line('A3', '2', '2026-11-01T10:00:00Z'), // 10:00 UTC
      line('A4', '2', '2026-11-01T10:00:00-0500'), // 15:00 UTC
      line('A5', '2.0', '2026-11-01 23:30:00-03'), // 02:30 UTC the next day; 2.0 is a whole number
      line('A6', '1', '2026-11-01 10:00:00'), // no offset: UTC as written
    ]),
  );
  const report = await ingest({
    dataDir: join(dir, 'data'),
    table: TABLES.orders,
    input,
    maxRejects: { count: 6 },
  });
  assert.deepEqual([report.read, report.loaded, report.quarantined], [6, 5, 1]);
  const [rejected] = readFileSync(report.quarantineFile ?? '', 'utf8')
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l) as { line: number; reason: string });
  assert.equal(rejected?.line, 2);
  assert.match(rejected?.reason ?? '', /^quantity: not a whole number: '2\.5'/);

  const engine = await DuckDbEngine.open(join(dir, 'data'), { sandboxed: true });
  try {
    const rows = await collectRows(
      await engine.querySelect('SELECT order_id, quantity, order_date FROM orders ORDER BY order_id'),
    );
    assert.deepEqual(rows, [
      { order_id: 'A2', quantity: 2, order_date: '2026-11-01 08:00:00' },
      { order_id: 'A3', quantity: 2, order_date: '2026-11-01 10:00:00' },
      { order_id: 'A4', quantity: 2, order_date: '2026-11-01 15:00:00' },
      { order_id: 'A5', quantity: 2, order_date: '2026-11-02 02:30:00' },
      { order_id: 'A6', quantity: 1, order_date: '2026-11-01 10:00:00' },
    ]);
  } finally {
    await engine.close();
  }
});
