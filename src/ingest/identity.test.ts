import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { DuckDbSession } from '../duckdb/index.js';
import { DuckDbEngine } from '../engines/testing.js';
import { contentLineId, TABLES } from '../lake/index.js';
import { csv, ORDERS_HEADER, tempDir, writeText } from '../testing/index.js';
import { ingest } from './index.js';

const line = (order: string, product: string, qty: number, cents: number, extra: string[] = []) => [
  order,
  'C1',
  product,
  'Thing',
  qty,
  (cents / 100).toFixed(2),
  ((qty * cents) / 100).toFixed(2),
  '2026-11-02 10:00:00',
  'COMPLETED',
  'US-EAST',
  ...extra,
];

interface DuplicateRecord {
  source: string;
  line: number;
  key: Record<string, unknown>;
  duplicate_of: { in: 'lake'; batch: string | null } | { in: 'input'; source: string; line: number };
  record: Record<string, unknown>;
}

function duplicates(file: string | null): DuplicateRecord[] {
  assert.ok(file, 'expected a duplicates file');
  return readFileSync(file, 'utf8')
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l) as DuplicateRecord);
}

async function lakeTotals(dataDir: string) {
  const engine = await DuckDbEngine.open(dataDir);
  try {
    const [row] = await engine.query(
      'SELECT count(*) AS n, CAST(sum(quantity) AS INTEGER) AS units, CAST(sum(total_amount) AS DOUBLE) AS s FROM orders',
    );
    return row;
  } finally {
    await engine.close();
  }
}

describe('order line identity', () => {
  let dir: string;
  let cleanup: () => void;
  before(() => ({ dir, cleanup } = tempDir()));
  after(() => cleanup());

  it('keeps the same product twice in one order (regression: the key order_id, product_id merged them)', async () => {
    const data = join(dir, 'same-product');
    const input = writeText(
      join(dir, 'in', 'same-product.csv'),
      csv(ORDERS_HEADER, [line('O1', 'P1', 2, 500), line('O1', 'P1', 3, 450), line('O1', 'P2', 1, 1000)]),
    );
    const report = await ingest({ dataDir: data, table: TABLES.orders, input });
    assert.deepEqual([report.loaded, report.duplicate], [3, 0]);
    // By hand: 2 × 5.00 + 3 × 4.50 + 10.00 = 33.50, 6 units.
    assert.deepEqual(await lakeTotals(data), { n: 3, units: 6, s: 33.5 });
  });

  it('re-ingesting, or a later export overlapping the first, loads nothing twice and lists each duplicate', async () => {
    const data = join(dir, 'overlap');
    const a = [line('O1', 'P1', 1, 100), line('O1', 'P1', 1, 100), line('O2', 'P3', 2, 250)];
    const first = await ingest({
      dataDir: data,
      table: TABLES.orders,
      input: writeText(join(dir, 'in', 'export-1.csv'), csv(ORDERS_HEADER, a)),
    });
    assert.deepEqual([first.loaded, first.duplicate], [3, 0], 'two identical lines are two lines');
    // The next export repeats O2 and only one of the two identical O1 lines, and adds O3.
    const input = writeText(
      join(dir, 'in', 'export-2.csv'),
      csv(ORDERS_HEADER, [line('O2', 'P3', 2, 250), line('O1', 'P1', 1, 100), line('O3', 'P1', 1, 700)]),
    );
    const second = await ingest({ dataDir: data, table: TABLES.orders, input });
    assert.deepEqual([second.loaded, second.duplicate], [1, 2]);
    assert.deepEqual(await lakeTotals(data), { n: 4, units: 5, s: 1 + 1 + 5 + 7 });
    const dups = duplicates(second.duplicatesFile);
    assert.deepEqual(
      dups.map((d) => [d.source, d.line, d.duplicate_of]),
      [
        [input, 2, { in: 'lake', batch: first.batch }],
        [input, 3, { in: 'lake', batch: first.batch }],
      ],
    );
    assert.equal(dups[0]?.key.order_id, 'O2');
    assert.equal(dups[0]?.record.quantity, 2);
  });

  it('uses a mapped line id, and reports a repeated one against the earlier line of the same input', async () => {
    const data = join(dir, 'line-ids');
    const header = `${ORDERS_HEADER},item`;
    const rows = [
      line('M1', 'P1', 1, 300, ['1']),
      line('M1', 'P1', 1, 300, ['2']),
      line('M1', 'P1', 1, 300, ['3']),
      line('M1', 'P2', 4, 300, ['3']), // line 5: item 3 again
    ];
    const input = writeText(join(dir, 'in', 'marketplace.csv'), csv(header, rows));
    const report = await ingest({
      dataDir: data,
      table: TABLES.orders,
      input,
      mapping: { columns: { line_id: { column: 'item' } } },
    });
    assert.deepEqual([report.loaded, report.duplicate], [3, 1]);
    assert.deepEqual(
      duplicates(report.duplicatesFile).map((d) => [d.line, d.key, d.duplicate_of]),
      [[5, { order_id: 'M1', line_id: '3' }, { in: 'input', source: input, line: 4 }]],
    );
    assert.deepEqual(await lakeTotals(data), { n: 3, units: 3, s: 9 });
  });

  it('derives in SQL the same line id as the collector does in JavaScript', async () => {
    const data = join(dir, 'twin');
    const input = writeText(
      join(dir, 'in', 'twin.csv'),
      csv(ORDERS_HEADER, [line('T1', 'P1', 3, 1050), line('T1', 'P1', 3, 1050)]),
    );
    await ingest({ dataDir: data, table: TABLES.orders, input });
    const engine = await DuckDbEngine.open(data);
    try {
      const ids = (await engine.query('SELECT line_id FROM orders ORDER BY line_id')).map((r) => r.line_id);
      // The record as the collector holds it after validation: numbers as JSON numbers.
      const expected = contentLineId(TABLES.orders, {
        order_id: 'T1',
        customer_id: 'C1',
        product_id: 'P1',
        product_name: 'Thing',
        quantity: 3,
        price: 10.5,
        total_amount: 31.5,
        order_date: '2026-11-02 10:00:00',
        status: 'COMPLETED',
        region: 'US-EAST',
      });
      assert.deepEqual(ids, [expected, `${expected}.2`]);
    } finally {
      await engine.close();
    }
  });

  // The SQL cuts an amount's trailing zeros by looking at its end (issue 15, for speed); each number of
  // zeros, a whole amount, a negative one and one below 1 must still give the collector's id.
  it('derives the collector’s line id for amounts with 0 to 4 trailing zeros', async () => {
    const data = join(dir, 'zeros');
    const header = `${ORDERS_HEADER},discount`;
    // [price, total, discount] as written in the CSV and as the collector holds the numbers; each total
    // is price − discount, worked out by hand.
    const amounts: [string, string, string, number, number, number][] = [
      ['10.0625', '10.0625', '0', 10.0625, 10.0625, 0],
      ['10.125', '9.8750', '0.25', 10.125, 9.875, 0.25],
      ['10.2500', '10.25', '0.0000', 10.25, 10.25, 0],
      ['10.5', '11.00', '-0.50', 10.5, 11, -0.5],
      ['10', '9.9990', '0.001', 10, 9.999, 0.001],
      ['0.0001', '0.1201', '-0.1200', 0.0001, 0.1201, -0.12],
    ];
    const rows = amounts.map(([price, total, discount], i) => [
      `Z${i}`,
      'C1',
      'P1',
      'Thing',
      1,
      price,
      total,
      '2026-11-02 10:00:00',
      'COMPLETED',
      'US-EAST',
      discount,
    ]);
    const input = writeText(join(dir, 'in', 'zeros.csv'), csv(header, rows));
    const report = await ingest({ dataDir: data, table: TABLES.orders, input });
    assert.deepEqual([report.loaded, report.quarantined], [amounts.length, 0]);
    const engine = await DuckDbEngine.open(data);
    try {
      const ids = (await engine.query('SELECT line_id FROM orders ORDER BY order_id')).map((r) => r.line_id);
      const expected = amounts.map(([, , , price, total, discount], i) =>
        contentLineId(TABLES.orders, {
          order_id: `Z${i}`,
          customer_id: 'C1',
          product_id: 'P1',
          product_name: 'Thing',
          quantity: 1,
          price,
          total_amount: total,
          order_date: '2026-11-02 10:00:00',
          status: 'COMPLETED',
          region: 'US-EAST',
          discount,
        }),
      );
      assert.deepEqual(ids, expected);
    } finally {
      await engine.close();
    }
  });

  it('finds rows of a lake written before line ids existed', async () => {
    const data = join(dir, 'legacy');
    const rows = [line('L1', 'P1', 1, 100), line('L1', 'P2', 2, 200)];
    const input = writeText(join(dir, 'in', 'legacy.csv'), csv(ORDERS_HEADER, rows));
    // A Parquet file as the lake held it before: no line_id, no batch column, no manifest.
    const db = await DuckDbSession.open();
    try {
      const file = join(data, 'lake', 'orders', 'part=2026-11-02', 'old-0.parquet');
      writeText(file, '');
      await db.run(
        `COPY (SELECT order_id, customer_id, product_id, product_name, CAST(quantity AS INTEGER) AS quantity,
           CAST(price AS DECIMAL(18,2)) AS price, CAST(total_amount AS DECIMAL(18,2)) AS total_amount,
           CAST(order_date AS TIMESTAMP) AS order_date, status, region
         FROM read_csv('${input}', all_varchar = true)) TO '${file}' (FORMAT parquet)`,
      );
    } finally {
      db.close();
    }
    const report = await ingest({ dataDir: data, table: TABLES.orders, input });
    assert.deepEqual([report.loaded, report.duplicate], [0, 2]);
    assert.deepEqual(await lakeTotals(data), { n: 2, units: 3, s: 5 });
  });
});
