import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { DuckDbEngine } from '../engines/testing.js';
import { TABLES } from '../lake/index.js';
import {
  CLICKSTREAM_HEADER,
  csv,
  orderLine as good,
  ORDERS_HEADER,
  tempDir,
  writeText,
} from '../testing/index.js';
import { ingest } from './index.js';

function quarantined(
  file: string | null,
): { source: string; line: number; reason: string; record: string }[] {
  assert.ok(file, 'expected a quarantine file');
  return readFileSync(file, 'utf8')
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l));
}

describe('ingest', () => {
  let dir: string;
  let cleanup: () => void;
  before(() => ({ dir, cleanup } = tempDir()));
  after(() => cleanup());

  it('loads valid CSV rows, quarantines bad ones with line and reason, and keeps identical lines', async () => {
    const rows = [
      good('ORD1', 1, 10), // line 2
      good('ORD2', 2, 5.5), // line 3
      [
        'ORD3',
        'CUST00001',
        'LAPTOP001',
        'Gaming Laptop',
        2,
        '5.50',
        '12.00',
        '2026-11-01 10:00:00',
        'COMPLETED',
        'US-EAST',
      ],
      [
        'ORD4',
        'CUST00001',
        'LAPTOP001',
        'Gaming Laptop',
        'two',
        '5.50',
        '11.00',
        '2026-11-01 10:00:00',
        'DONE',
        'MARS',
      ],
      [...good('ORD5', 1, 3), 'extra'], // line 6: too many columns
      good('ORD1', 1, 10), // line 7: the same as line 2, a second genuine line (no line id says otherwise)
      good('ORD6', 1, 3), // line 8
    ];
    const input = writeText(join(dir, 'in', 'orders.csv'), csv(ORDERS_HEADER, rows));
    const report = await ingest({ dataDir: join(dir, 'd1'), table: TABLES.orders, input });
    assert.deepEqual(
      {
        read: report.read,
        loaded: report.loaded,
        duplicate: report.duplicate,
        quarantined: report.quarantined,
      },
      { read: 7, loaded: 4, duplicate: 0, quarantined: 3 },
    );
    const bad = quarantined(report.quarantineFile);
    assert.deepEqual(
      bad.map((b) => b.line),
      [4, 5, 6],
    );
    assert.match(bad[0]?.reason ?? '', /total_amount: must equal quantity × price/);
    assert.match(bad[1]?.reason ?? '', /quantity: not a whole number: 'two'/);
    assert.match(bad[1]?.reason ?? '', /status: 'DONE' is not one of/);
    assert.match(bad[2]?.reason ?? '', /unreadable CSV line/);
    assert.ok(bad.every((b) => b.source === input));

    const again = await ingest({ dataDir: join(dir, 'd1'), table: TABLES.orders, input });
    assert.equal(again.loaded, 0, 're-ingesting loads nothing twice');
    assert.equal(again.duplicate, 4, 'both identical lines are found again');
    const scoped = await ingest({
      dataDir: join(dir, 'd1'),
      table: TABLES.orders,
      input,
      dedupScope: 'partitions',
    });
    assert.deepEqual(
      [scoped.loaded, scoped.duplicate],
      [0, 4],
      'the date partitions hold every earlier copy',
    );

    const engine = await DuckDbEngine.open(join(dir, 'd1'));
    try {
      const [row] = await engine.query('SELECT count(*) AS n, sum(total_amount) AS s FROM orders');
      assert.deepEqual(row, { n: 4, s: 34 }); // 10 + 11 + 3 + 10
    } finally {
      await engine.close();
    }
  });

  it('reads NDJSON and Parquet, quarantining malformed JSON lines', async () => {
    const lines = [
      JSON.stringify({
        timestamp: '2026-11-01 10:00:00',
        session_id: 'S1',
        customer_id: 'GUEST',
        action: 'VIEW',
        page: 'home',
        device: 'mobile',
        duration_seconds: 5,
      }),
      '{"timestamp": oops',
      JSON.stringify({
        timestamp: '2026-11-01 10:01:00',
        session_id: 'S1',
        customer_id: 'GUEST',
        action: 'PURCHASE',
        page: 'checkout',
        product_id: 'CABLE001',
        device: 'mobile',
        duration_seconds: 5,
      }),
      JSON.stringify({
        event_id: 'e-1',
        timestamp: '2026-11-01 10:02:00',
        session_id: 'S2',
        customer_id: 'CUST00001',
        action: 'VIEW',
        page: 'product',
        product_id: 'CABLE001',
        device: 'tablet',
        duration_seconds: 7,
      }),
      '[1,2]',
    ];
    const input = writeText(join(dir, 'in', 'events.ndjson'), `${lines.join('\n')}\n`);
    const data = join(dir, 'd2');
    const report = await ingest({ dataDir: data, table: TABLES.clickstream, input });
    assert.deepEqual([report.read, report.loaded, report.quarantined], [5, 2, 3]);
    const bad = quarantined(report.quarantineFile);
    assert.deepEqual(
      bad.map((b) => [b.line, b.reason]),
      [
        [2, 'malformed JSON'],
        [3, 'customer_id: a PURCHASE needs a known customer'],
        [5, 'not a JSON object'],
      ],
    );

    // Export the loaded rows as Parquet and ingest them into a second lake through the same path.
    const engine = await DuckDbEngine.open(data);
    const parquet = join(dir, 'in', 'events.parquet');
    try {
      await engine.query(`COPY (SELECT * FROM clickstream) TO '${parquet}' (FORMAT parquet)`);
    } finally {
      await engine.close();
    }
    const fromParquet = await ingest({ dataDir: join(dir, 'd3'), table: TABLES.clickstream, input: parquet });
    assert.deepEqual([fromParquet.read, fromParquet.loaded, fromParquet.quarantined], [2, 2, 0]);
    const again = await ingest({ dataDir: data, table: TABLES.clickstream, input: parquet });
    assert.equal(again.duplicate, 2, 'event ids derived from content match across formats');
  });

  it('reads clean NDJSON in one pass: numbers, missing optional fields and unknown fields', async () => {
    const lines = [
      {
        timestamp: '2026-11-02 09:00:00',
        session_id: 'S9',
        customer_id: 'C7',
        action: 'VIEW',
        page: 'search',
        device: 'tablet',
        duration_seconds: 12,
        extra: { x: 1 },
      },
      {
        event_id: 'e-9',
        timestamp: '2026-11-02T09:01:00Z',
        customer_id: 'C7',
        action: 'ADD_TO_CART',
        page: 'product',
        product_id: 'CASE001',
        device: 'tablet',
        duration_seconds: '3',
      },
    ];
    const input = writeText(
      join(dir, 'in', 'clean.ndjson'),
      `${lines.map((l) => JSON.stringify(l)).join('\n')}\n`,
    );
    const data = join(dir, 'd5');
    const report = await ingest({ dataDir: data, table: TABLES.clickstream, input });
    assert.deepEqual([report.read, report.loaded, report.quarantined], [2, 2, 0]);
    const engine = await DuckDbEngine.open(data);
    try {
      const rows = await engine.query(
        'SELECT session_id, product_id, duration_seconds, CAST("timestamp" AS VARCHAR) AS ts FROM clickstream ORDER BY ts',
      );
      assert.deepEqual(rows, [
        { session_id: 'S9', product_id: null, duration_seconds: 12, ts: '2026-11-02 09:00:00' },
        { session_id: null, product_id: 'CASE001', duration_seconds: 3, ts: '2026-11-02 09:01:00' },
      ]);
    } finally {
      await engine.close();
    }
  });

  it('explains a missing column instead of loading nothing', async () => {
    const input = writeText(
      join(dir, 'in', 'short.csv'),
      csv('timestamp,session_id', [['2026-11-01 10:00:00', 'S1']]),
    );
    await assert.rejects(
      ingest({ dataDir: join(dir, 'd4'), table: TABLES.clickstream, input }),
      /no column customer_id.*--map/,
    );
    assert.ok(CLICKSTREAM_HEADER.includes('session_id'));
  });
});
