import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { DuckDbEngine } from '../engines/testing.js';
import { ingest } from '../ingest/index.js';
import { csv, ORDERS_HEADER, tempDir, writeText } from '../testing/index.js';
import {
  dataLayout,
  filesByPartition,
  PARTITION_TARGET_ROWS,
  partitionGrain,
  TABLES,
  tableFiles,
} from './index.js';

describe('partitions sized by volume', () => {
  let dir: string;
  let cleanup: () => void;
  before(() => ({ dir, cleanup } = tempDir()));
  after(() => cleanup());

  it('picks the finest grain whose partitions hold enough rows', () => {
    const t = PARTITION_TARGET_ROWS;
    assert.equal(partitionGrain(30 * t, 30, 1), 'day', 'a month of busy days');
    assert.equal(partitionGrain(2 * t, 30, 1), 'month', 'a month of quiet days');
    assert.equal(partitionGrain(10_000, 1_461, 48), 'year', '10,000 lines over four years');
    assert.equal(partitionGrain(0, 0, 0), 'year');
  });

  it('writes 10,000 lines spread over four years as a few yearly files (regression: one file per day)', async () => {
    const start = Date.UTC(2021, 0, 1);
    let cents = 0;
    const rows = Array.from({ length: 10_000 }, (_, i) => {
      // Every 3.5 hours from 2021-01-01: 35,000 hours, up to 2024-12-29.
      const at = new Date(start + i * 3.5 * 3600 * 1000).toISOString().slice(0, 19).replace('T', ' ');
      const price = 100 + (i % 50);
      cents += price;
      return [
        `O${i}`,
        'C1',
        'P1',
        'Thing',
        1,
        (price / 100).toFixed(2),
        (price / 100).toFixed(2),
        at,
        'COMPLETED',
        'US-EAST',
      ];
    });
    const input = writeText(join(dir, 'in', 'spread.csv'), csv(ORDERS_HEADER, rows));
    const report = await ingest({ dataDir: dir, table: TABLES.orders, input });
    assert.equal(report.loaded, 10_000);
    const files = tableFiles(dataLayout(dir), TABLES.orders);
    assert.deepEqual(
      [...filesByPartition(files).keys()].map((d) => d.split('/').pop()),
      ['part=2021', 'part=2022', 'part=2023', 'part=2024'],
    );
    assert.equal(files.length, 4);
    const engine = await DuckDbEngine.open(dir);
    try {
      const [row] = await engine.query(
        "SELECT count(*) AS n, CAST(sum(total_amount) * 100 AS BIGINT) AS cents FROM orders WHERE order_date >= '2021-01-01'",
      );
      assert.deepEqual(row, { n: 10_000, cents });
    } finally {
      await engine.close();
    }
  });
});
