import assert from 'node:assert/strict';
import { closeSync, openSync, readdirSync, readFileSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { DuckDbSession } from '../duckdb/index.js';
import { DuckDbEngine } from '../engines/testing.js';
import { dataLayout, ensureManifest, TABLES, tableDirectory, tableSnapshot } from '../lake/index.js';
import { csv, orderLine as good, ORDERS_HEADER, tempDir, writeText } from '../testing/index.js';
import { estimatedCsvRows, writeDirect } from './direct.js';
import { ingest } from './index.js';
import { resolveSources } from './sources.js';
import { stageInput } from './staging.js';

// Every Parquet file under the table's directory, against the files its manifest lists.
function filesOnDisk(dataDir: string): { onDisk: string[]; listed: string[] } {
  const tableDir = tableDirectory(dataLayout(dataDir), 'orders');
  const onDisk = readdirSync(tableDir, { recursive: true, encoding: 'utf8' })
    .filter((f) => f.endsWith('.parquet'))
    .map((f) => join(tableDir, f))
    .sort();
  return { onDisk, listed: [...tableSnapshot(tableDir).files].sort() };
}

async function ordersIn(dataDir: string): Promise<Record<string, unknown>[]> {
  const engine = await DuckDbEngine.open(dataDir);
  try {
    return await engine.query(
      "SELECT order_id, quantity, total_amount, line_id LIKE '%.2' AS numbered FROM orders ORDER BY order_id, line_id",
    );
  } finally {
    await engine.close();
  }
}

// Ingests with the phases it went through recorded (the direct write names its own).
async function ingestOrders(dataDir: string, input: string) {
  const phases: string[] = [];
  const report = await ingest({
    dataDir,
    table: TABLES.orders,
    input,
    onProgress: (phase) => {
      if (phases.at(-1) !== phase) phases.push(phase);
    },
  });
  return { report, phases };
}

describe('the direct write (validating and writing in one statement)', () => {
  let dir: string;
  let cleanup: () => void;
  before(() => ({ dir, cleanup } = tempDir()));
  after(() => cleanup());

  it('writes a clean input at the grain its volume asks for, without a checked table', async () => {
    // Three lines over three months: far below 250,000 rows a day or a month, so one year partition.
    const rows = [
      good('ORD1', 1, 10, '2026-01-05 10:00:00'),
      good('ORD2', 2, 5.5, '2026-02-05 10:00:00'),
      good('ORD3', 3, 2, '2026-03-05 10:00:00'),
    ];
    const input = writeText(join(dir, 'in1', 'orders.csv'), csv(ORDERS_HEADER, rows));
    const data = join(dir, 'd1');
    const { report, phases } = await ingestOrders(data, input);
    assert.deepEqual([report.read, report.loaded, report.quarantined, report.duplicate], [3, 3, 0, 0]);
    assert.ok(phases.includes('validating and writing'), phases.join(' / '));
    assert.ok(!phases.includes('validating'), 'no separate validating pass');
    const { onDisk, listed } = filesOnDisk(data);
    assert.deepEqual(onDisk, listed);
    assert.deepEqual(
      listed.map((f) => f.split('/').at(-2)),
      ['part=2026'],
    );
    assert.deepEqual(await ordersIn(data), [
      { order_id: 'ORD1', quantity: 1, total_amount: 10, numbered: false },
      { order_id: 'ORD2', quantity: 2, total_amount: 11, numbered: false },
      { order_id: 'ORD3', quantity: 3, total_amount: 6, numbered: false },
    ]);
  });

  it('hands identical lines to the checked path, which keeps both and numbers the second', async () => {
    const rows = [good('ORD1', 1, 10), good('ORD2', 2, 5), good('ORD1', 1, 10)];
    const input = writeText(join(dir, 'in2', 'orders.csv'), csv(ORDERS_HEADER, rows));
    const data = join(dir, 'd2');
    const { report, phases } = await ingestOrders(data, input);
    assert.deepEqual([report.read, report.loaded, report.quarantined, report.duplicate], [3, 3, 0, 0]);
    assert.ok(phases.includes('some key occurs more than once: validating again'), phases.join(' / '));
    const { onDisk, listed } = filesOnDisk(data);
    assert.deepEqual(onDisk, listed, 'the declined direct write left no file behind');
    assert.deepEqual(await ordersIn(data), [
      { order_id: 'ORD1', quantity: 1, total_amount: 10, numbered: false },
      { order_id: 'ORD1', quantity: 1, total_amount: 10, numbered: true },
      { order_id: 'ORD2', quantity: 2, total_amount: 10, numbered: false },
    ]);
  });

  it('finds a line repeated far apart, in other months between, and numbers every repeat', async () => {
    // The check sorts the key hashes: the repeats must meet whatever lies between them in the input.
    const rows = [
      good('ORD1', 1, 10, '2026-01-05 10:00:00'),
      good('ORD2', 2, 5, '2026-02-05 10:00:00'),
      good('ORD3', 1, 3, '2026-03-05 10:00:00'),
      good('ORD1', 1, 10, '2026-01-05 10:00:00'),
      good('ORD4', 1, 7, '2025-12-05 10:00:00'),
      good('ORD1', 1, 10, '2026-01-05 10:00:00'),
    ];
    const input = writeText(join(dir, 'in6', 'orders.csv'), csv(ORDERS_HEADER, rows));
    const data = join(dir, 'd6');
    const { report, phases } = await ingestOrders(data, input);
    assert.deepEqual([report.read, report.loaded, report.quarantined, report.duplicate], [6, 6, 0, 0]);
    assert.ok(phases.includes('some key occurs more than once: validating again'), phases.join(' / '));
    const engine = await DuckDbEngine.open(data);
    try {
      const ids = await engine.query(
        "SELECT regexp_extract(line_id, '\\.[0-9]+$') AS suffix FROM orders WHERE order_id = 'ORD1' ORDER BY 1",
      );
      assert.deepEqual(
        ids.map((r) => r.suffix),
        ['', '.2', '.3'],
      );
    } finally {
      await engine.close();
    }
  });

  it('stops at a broken row, leaves no file of its own, and the careful read quarantines it by line', async () => {
    const rows = [
      good('ORD1', 1, 10),
      good('ORD2', 2, 5),
      good('ORD3', 1, 3),
      good('ORD4', 1, 3, 'yesterday'),
    ];
    const input = writeText(join(dir, 'in3', 'orders.csv'), csv(ORDERS_HEADER, rows));
    const data = join(dir, 'd3');
    const { report } = await ingestOrders(data, input);
    assert.deepEqual([report.read, report.loaded, report.quarantined], [4, 3, 1]);
    assert.ok(report.quarantineFile);
    const bad = readFileSync(report.quarantineFile, 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { line: number; reason: string });
    assert.deepEqual(
      bad.map((b) => b.line),
      [5],
    );
    assert.match(bad[0]?.reason ?? '', /order_date: not a timestamp/);
    const { onDisk, listed } = filesOnDisk(data);
    assert.deepEqual(onDisk, listed);
    assert.equal((await ordersIn(data)).length, 3);
  });

  it('finds a clean input’s rows already in the lake and lists them as duplicates with their lines', async () => {
    const data = join(dir, 'd4');
    const first = writeText(
      join(dir, 'in4', 'a.csv'),
      csv(ORDERS_HEADER, [good('ORD1', 1, 10), good('ORD2', 2, 5)]),
    );
    await ingestOrders(data, first);
    // Line 2 is new; lines 3 and 4 are the first file's rows, in the other order.
    const second = writeText(
      join(dir, 'in4b', 'b.csv'),
      csv(ORDERS_HEADER, [good('ORD3', 1, 7), good('ORD2', 2, 5), good('ORD1', 1, 10)]),
    );
    const { report } = await ingestOrders(data, second);
    assert.deepEqual([report.read, report.loaded, report.duplicate], [3, 1, 2]);
    assert.ok(report.duplicatesFile);
    const dups = readFileSync(report.duplicatesFile, 'utf8')
      .trim()
      .split('\n')
      .map((l) => (JSON.parse(l) as { line: number }).line)
      .sort();
    assert.deepEqual(dups, [3, 4]);
    const { onDisk, listed } = filesOnDisk(data);
    assert.deepEqual(onDisk, listed);
    assert.deepEqual(
      (await ordersIn(data)).map((r) => r.order_id),
      ['ORD1', 'ORD2', 'ORD3'],
    );
  });
});

describe('the direct write’s partition grain for a large input', () => {
  let dir: string;
  let cleanup: () => void;
  before(() => ({ dir, cleanup } = tempDir()));
  after(() => cleanup());

  it('estimates a CSV file’s rows from its size and its first lines', () => {
    // 1,000 lines of 10 bytes (9 characters and a newline): 10,000 bytes, 1,000 rows.
    const path = writeText(join(dir, 'ten.csv'), 'abcdefghi\n'.repeat(1000));
    assert.equal(estimatedCsvRows([path]), 1000);
    // A second file of the same size doubles the estimate; no file estimates nothing.
    const other = writeText(join(dir, 'ten2.csv'), 'abcdefghi\n'.repeat(1000));
    assert.equal(estimatedCsvRows([path, other]), 2000);
    assert.equal(estimatedCsvRows([]), 0);
  });

  it('rewrites a batch guessed to be daily at the grain its rows ask for, leaving no day directory', async () => {
    const rows = [
      good('ORD1', 1, 10, '2026-01-05 10:00:00'),
      good('ORD2', 2, 5.5, '2026-02-05 10:00:00'),
      good('ORD3', 3, 2, '2026-03-05 10:00:00'),
    ];
    const input = writeText(join(dir, 'in', 'orders.csv'), csv(ORDERS_HEADER, rows));
    // A file that looks like 2M short lines (a 4 MB sparse file of 2-byte lines): the write guesses days.
    const looksLarge = writeText(join(dir, 'large.csv'), 'a\n'.repeat(32 * 1024));
    const fd = openSync(looksLarge, 'r+');
    writeSync(fd, 'a\n', 4 * 1024 * 1024 - 2);
    closeSync(fd);
    assert.ok(estimatedCsvRows([looksLarge]) >= 1_000_000);

    const layout = dataLayout(join(dir, 'data'));
    const spec = TABLES.orders;
    const tableDir = tableDirectory(layout, spec.name);
    await ensureManifest(tableDir);
    const db = await DuckDbSession.open();
    try {
      await db.run('CREATE TEMP TABLE rejects (source VARCHAR, line BIGINT, reason VARCHAR, record VARCHAR)');
      const staged = await stageInput(db, spec, resolveSources(input), false, undefined, () => {});
      const phases: string[] = [];
      const written: string[] = [];
      const done = await writeDirect(db, {
        layout,
        spec,
        mapped: staged.selects,
        whys: staged.whys,
        batchId: 'b-test',
        written,
        enter: (p) => phases.push(p),
        csvFiles: [looksLarge],
      });
      // 3 rows over 3 days and 3 months: below 250,000 a day or a month, so one year partition.
      assert.deepEqual(done, { rows: 3, grain: 'year' });
      assert.ok(!phases.includes('sizing partitions'), phases.join(' / '));
      assert.deepEqual(
        written.map((f) => f.slice(tableDir.length + 1).split('/')[0]),
        ['part=2026'],
      );
      const left = readdirSync(tableDir, { recursive: true, encoding: 'utf8' }).filter(
        (f) => !f.startsWith('_'),
      );
      assert.deepEqual(left.sort(), ['part=2026', written[0]?.slice(tableDir.length + 1)].sort());
      const [count] = await db.all(
        `SELECT count(*) AS n, sum(total_amount) AS s FROM read_parquet('${written[0]}')`,
      );
      assert.deepEqual({ n: Number(count?.n), s: Number(count?.s) }, { n: 3, s: 27 });
    } finally {
      db.close();
    }
  });
});
