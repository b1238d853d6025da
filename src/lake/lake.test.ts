import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { copyFileSync, existsSync, readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { DuckDbSession } from '../duckdb/index.js';
import { DuckDbEngine } from '../engines/testing.js';
import { ingest } from '../ingest/index.js';
import { csv, ORDERS_HEADER, tempDir, writeText } from '../testing/index.js';
import { compactTable, dataLayout, TABLES, tableFiles } from './index.js';

const BIN = fileURLToPath(new URL('../../../bin/shoplake.js', import.meta.url));

const order = (id: string, day: string, cents: number) => [
  id,
  'C1',
  'CABLE001',
  'USB-C Cable',
  1,
  (cents / 100).toFixed(2),
  (cents / 100).toFixed(2),
  `${day} 10:00:00`,
  'COMPLETED',
  'US-EAST',
];

describe('lake manifest and compaction', () => {
  let dir: string;
  let cleanup: () => void;
  before(() => ({ dir, cleanup } = tempDir()));
  after(() => cleanup());

  const total = async (engine: DuckDbEngine) =>
    (await engine.query('SELECT count(*) AS n, CAST(sum(total_amount) AS DOUBLE) AS s FROM orders'))[0];

  it('keeps every batch of concurrent writer processes (no lost manifest update)', async () => {
    // Ten `shoplake ingest` processes at once, each adding one order on its own day and one on a shared
    // day: every one of them rewrites the same manifest.
    const files = Array.from({ length: 10 }, (_, i) => {
      const rows = [
        order(`A${i}`, `2026-11-${String(i + 1).padStart(2, '0')}`, 100),
        order(`B${i}`, '2026-11-20', 200),
      ];
      return writeText(join(dir, 'in', `w${i}.csv`), csv(ORDERS_HEADER, rows));
    });
    const run = (file: string) =>
      new Promise<number | null>((resolve) => {
        const args = [BIN, '--data', dir, 'ingest', file, '--table', 'orders'];
        spawn(process.execPath, args, { stdio: 'ignore' }).on('exit', resolve);
      });
    assert.deepEqual(await Promise.all(files.map(run)), Array(10).fill(0));
    const engine = await DuckDbEngine.open(dir);
    try {
      assert.deepEqual(await total(engine), { n: 20, s: 10 * 1 + 10 * 2 });
    } finally {
      await engine.close();
    }
  });

  it('merges a partition’s files into one while an open engine keeps answering', async () => {
    const layout = dataLayout(dir);
    // Two rows a batch are far too few for a partition per day: each batch wrote one file for 2026.
    const shared = (f: string) => f.includes('part=2026/');
    assert.equal(tableFiles(layout, TABLES.orders).filter(shared).length, 10);
    const engine = await DuckDbEngine.open(dir);
    const db = await DuckDbSession.open();
    try {
      const before = await total(engine);
      const report = await compactTable(db, layout, TABLES.orders, { minFiles: 5 });
      assert.equal(report.partitionsMerged, 1);
      assert.equal(report.filesBefore - report.filesAfter, 9);
      assert.equal(tableFiles(layout, TABLES.orders).filter(shared).length, 1);
      // Retired files stay on disk, so the engine (now on the new list) and late readers both work.
      assert.equal(readdirSync(join(layout.lake, 'orders', 'part=2026')).length, 11);
      assert.deepEqual(await total(engine), before);
    } finally {
      db.close();
      await engine.close();
    }
  });

  it('hides files a crashed writer left unlisted, and removes them when old', async () => {
    const layout = dataLayout(dir);
    const live = tableFiles(layout, TABLES.orders)[0] as string;
    const orphan = join(layout.lake, 'orders', 'part=2026', 'crashed-0.parquet');
    copyFileSync(live, orphan);
    const engine = await DuckDbEngine.open(dir);
    const db = await DuckDbSession.open();
    try {
      assert.deepEqual(await total(engine), { n: 20, s: 30 }, 'the orphan is not counted');
      const report = await compactTable(db, layout, TABLES.orders, { minFiles: 100, orphanAgeMs: -1 });
      assert.equal(report.orphansRemoved, 1);
      assert.equal(existsSync(orphan), false);
    } finally {
      db.close();
      await engine.close();
    }
  });

  it('adopts the files of a lake written before manifests existed', async () => {
    const { dir: old, cleanup: done } = tempDir();
    try {
      const first = writeText(join(old, 'in', 'a.csv'), csv(ORDERS_HEADER, [order('X1', '2026-11-03', 500)]));
      const second = writeText(
        join(old, 'in', 'b.csv'),
        csv(ORDERS_HEADER, [order('X2', '2026-11-04', 700)]),
      );
      await ingest({ dataDir: old, table: TABLES.orders, input: first });
      rmSync(join(old, 'lake', 'orders', '_manifest.json'));
      assert.equal(
        tableFiles(dataLayout(old), TABLES.orders).length,
        1,
        'without a manifest every file is live',
      );
      await ingest({ dataDir: old, table: TABLES.orders, input: second });
      const engine = await DuckDbEngine.open(old);
      try {
        assert.deepEqual(await total(engine), { n: 2, s: 12 });
      } finally {
        await engine.close();
      }
    } finally {
      done();
    }
  });
});
