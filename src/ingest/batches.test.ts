import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { DuckDbSession } from '../duckdb/index.js';
import { DuckDbEngine } from '../engines/testing.js';
import { compactTable, dataLayout, rollbackBatch, TABLES, tableBatches, tableFiles } from '../lake/index.js';
import { csv, ORDERS_HEADER, tempDir, writeText } from '../testing/index.js';
import { ingest, RejectLimitError } from './index.js';

const order = (id: string, qty: number, cents: number, day = '2026-11-05') => [
  id,
  'C1',
  'P1',
  'Thing',
  qty,
  (cents / 100).toFixed(2),
  ((qty * cents) / 100).toFixed(2),
  `${day} 12:00:00`,
  'COMPLETED',
  'US-EAST',
];

async function orderIds(dataDir: string): Promise<string[]> {
  const engine = await DuckDbEngine.open(dataDir);
  try {
    return (await engine.query('SELECT order_id FROM orders ORDER BY order_id')).map((r) =>
      String(r.order_id),
    );
  } finally {
    await engine.close();
  }
}

describe('batches: list, rollback, replace, reject limit', () => {
  let dir: string;
  let cleanup: () => void;
  let db: DuckDbSession;
  before(async () => {
    ({ dir, cleanup } = tempDir());
    db = await DuckDbSession.open();
  });
  after(() => {
    db.close();
    cleanup();
  });

  it('lists each ingest as a batch and rolls one back after its rows were merged with others', async () => {
    const data = join(dir, 'merged');
    const reports = [];
    for (let i = 0; i < 4; i++) {
      const rows = [order(`A${i}`, 1, 100), order(`B${i}`, 2, 100)];
      const input = writeText(join(dir, 'in', `b${i}.csv`), csv(ORDERS_HEADER, rows));
      reports.push(await ingest({ dataDir: data, table: TABLES.orders, input }));
    }
    const layout = dataLayout(data);
    const listed = tableBatches(layout, 'orders');
    assert.deepEqual(
      listed.map((b) => [b.id, b.read, b.loaded, b.state]),
      reports.map((r) => [r.batch, 2, 2, 'live']),
    );
    assert.equal(listed[0]?.source, join(dir, 'in', 'b0.csv'));
    const merged = await compactTable(db, layout, TABLES.orders, { minFiles: 2 });
    assert.equal(merged.filesAfter, 1, 'all four batches now share one file');

    const rolled = await rollbackBatch(db, layout, reports[2]?.batch ?? '');
    assert.deepEqual([rolled.rows, rolled.filesRewritten], [2, 1]);
    assert.deepEqual(await orderIds(data), ['A0', 'A1', 'A3', 'B0', 'B1', 'B3']);
    assert.equal(tableBatches(layout, 'orders')[2]?.state, 'rolled back');
    await assert.rejects(rollbackBatch(db, layout, reports[2]?.batch ?? ''), /already rolled back/);
    await assert.rejects(rollbackBatch(db, layout, 'b-nonsense'), /no batch b-nonsense/);
    // The rolled-back rows can be loaded again.
    const again = await ingest({ dataDir: data, table: TABLES.orders, input: join(dir, 'in', 'b2.csv') });
    assert.equal(again.loaded, 2);
  });

  it('--replace swaps what an earlier ingest of the same source loaded, in one commit', async () => {
    const data = join(dir, 'replace');
    const path = join(dir, 'in', 'export.csv');
    // First export with a wrong date on every row, plus a batch from another source that must stay.
    writeText(
      path,
      csv(ORDERS_HEADER, [order('R1', 1, 100, '2026-05-11'), order('R2', 1, 200, '2026-05-11')]),
    );
    const wrong = await ingest({ dataDir: data, table: TABLES.orders, input: path });
    const other = writeText(join(dir, 'in', 'other.csv'), csv(ORDERS_HEADER, [order('X1', 1, 900)]));
    await ingest({ dataDir: data, table: TABLES.orders, input: other });
    writeText(path, csv(ORDERS_HEADER, [order('R1', 1, 100), order('R2', 1, 200), order('R3', 1, 300)]));
    const fixed = await ingest({ dataDir: data, table: TABLES.orders, input: path, replace: true });
    assert.deepEqual([fixed.loaded, fixed.duplicate, fixed.replaced], [3, 0, [wrong.batch]]);
    const engine = await DuckDbEngine.open(data);
    try {
      const rows = await engine.query(
        "SELECT order_id, strftime(order_date, '%m-%d') AS day FROM orders ORDER BY order_id",
      );
      assert.deepEqual(rows, [
        { order_id: 'R1', day: '11-05' },
        { order_id: 'R2', day: '11-05' },
        { order_id: 'R3', day: '11-05' },
        { order_id: 'X1', day: '11-05' },
      ]);
      const columns = await engine.query('SELECT * FROM orders LIMIT 1');
      assert.ok(!Object.keys(columns[0] ?? {}).includes('_batch'), 'the batch column stays out of the views');
    } finally {
      await engine.close();
    }
    const states = tableBatches(dataLayout(data), 'orders').map((b) => [b.id, b.state, b.replacedBy]);
    assert.deepEqual(states[0], [wrong.batch, 'replaced', fixed.batch]);
  });

  it('refuses a batch above --max-rejects, or with every row quarantined, and loads nothing', async () => {
    const data = join(dir, 'rejects');
    const rows = Array.from({ length: 10 }, (_, i) => order(`Q${i}`, 1, 100));
    (rows[3] as (string | number)[])[8] = 'SHIPPED'; // one bad status in ten rows: 10 %
    const input = writeText(join(dir, 'in', 'rejects.csv'), csv(ORDERS_HEADER, rows));
    const refused = await ingest({
      dataDir: data,
      table: TABLES.orders,
      input,
      maxRejects: { fraction: 0.05 },
    }).then(
      () => null,
      (err: unknown) => err,
    );
    assert.ok(refused instanceof RejectLimitError);
    assert.match(refused.message, /1 of 10 rows quarantined \(10\.0%\), above --max-rejects 5%/);
    assert.ok(refused.quarantineFile && existsSync(refused.quarantineFile), 'the reasons are still written');
    assert.match(readFileSync(refused.quarantineFile, 'utf8'), /SHIPPED/);
    assert.deepEqual(tableFiles(dataLayout(data), TABLES.orders), [], 'nothing loaded');
    assert.deepEqual(tableBatches(dataLayout(data), 'orders'), []);

    const allowed = await ingest({ dataDir: data, table: TABLES.orders, input, maxRejects: { count: 1 } });
    assert.deepEqual([allowed.loaded, allowed.quarantined], [9, 1]);

    const allBad = writeText(join(dir, 'in', 'all-bad.csv'), csv(ORDERS_HEADER, [rows[3] as string[]]));
    await assert.rejects(
      ingest({ dataDir: data, table: TABLES.orders, input: allBad, maxRejects: { fraction: 1 } }),
      /every row was quarantined/,
    );
  });
});
