import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import {
  appendFileSync,
  cpSync,
  existsSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  truncateSync,
  utimesSync,
  writeFileSync,
} from 'node:fs';
import { join, relative } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { testCollector } from '../collector/testkit.test-helper.js';
import { DuckDbSession } from '../duckdb/index.js';
import { DuckDbEngine } from '../engines/testing.js';
import { ingest } from '../ingest/index.js';
import {
  compactTable,
  dataLayout,
  liveFiles,
  newBatchId,
  processStagingEntry,
  rollbackBatch,
  TABLES,
  writeFiles,
} from '../lake/index.js';
import { csv, ORDERS_HEADER, tempDir, writeText } from '../testing/index.js';
import { doctorLake, healthy } from './index.js';

const BIN = fileURLToPath(new URL('../../../bin/shoplake.js', import.meta.url));

// n order lines with ids PREFIX0…, all in October 2026 (one yearly partition).
const orders = (prefix: string, n: number) =>
  csv(
    ORDERS_HEADER,
    Array.from({ length: n }, (_, i) => [
      `${prefix}${i}`,
      'C1',
      'P1',
      'Thing',
      1,
      '2.00',
      '2.00',
      `2026-10-${String((i % 28) + 1).padStart(2, '0')} 10:00:00`,
      'COMPLETED',
      'US-EAST',
    ]),
  );

/**
 * The fixture, by hand: batches A (10 lines), B (5), C (7) merged into one file by compaction (their own
 * files retired but still on disk), then D (4), then B rolled back (the merged file rewritten without it).
 * Committed and live: A, C and D = 21 lines.
 */
const LIVE = { A: 10, C: 7, D: 4 };

async function counts(data: string): Promise<Record<string, number>> {
  const engine = await DuckDbEngine.open(data);
  try {
    const rows = await engine.query(
      'SELECT left(order_id, 1) AS k, count(*) AS n, count(DISTINCT order_id) AS ids FROM orders GROUP BY 1 ORDER BY 1',
    );
    const out: Record<string, number> = {};
    for (const r of rows) {
      assert.equal(r.n, r.ids, `no line of ${String(r.k)} twice`);
      out[String(r.k)] = Number(r.n);
    }
    return out;
  } finally {
    await engine.close();
  }
}

async function ordersState(data: string): Promise<string> {
  const engine = await DuckDbEngine.open(data);
  try {
    return (await engine.tables()).find((t) => t.table === 'orders')?.state ?? 'none';
  } finally {
    await engine.close();
  }
}

const codes = (findings: { code: string; severity: string }[]) =>
  findings.map((f) => `${f.severity}:${f.code}`).sort();

describe('shoplake doctor', () => {
  let root: string;
  let cleanup: () => void;
  let fixture: string;
  let dFile: string;
  let copies = 0;

  before(async () => {
    ({ dir: root, cleanup } = tempDir('shoplake-doctor-'));
    fixture = join(root, 'fixture');
    const load = (name: string, n: number) =>
      ingest({
        dataDir: fixture,
        table: TABLES.orders,
        input: writeText(join(root, 'in', `${name}.csv`), orders(name, n)),
      });
    await load('A', 10);
    const b = await load('B', 5);
    await load('C', 7);
    const layout = dataLayout(fixture);
    const db = await DuckDbSession.open();
    try {
      await compactTable(db, layout, TABLES.orders, { minFiles: 2 });
      const d = await load('D', 4);
      await rollbackBatch(db, layout, b.batch);
      const live = liveFiles(join(layout.lake, 'orders'));
      dFile = relative(fixture, live.find((f) => batchOf(f) === d.batch) ?? '');
    } finally {
      db.close();
    }
    assert.deepEqual(await counts(fixture), LIVE, 'the fixture holds what it should');
  });
  after(() => cleanup());

  // A fresh copy of the fixture for each test, so each damages its own lake.
  function copy(): string {
    const data = join(root, `lake-${++copies}`);
    cpSync(fixture, data, { recursive: true, preserveTimestamps: true });
    return data;
  }
  const orderDir = (data: string) => join(data, 'lake', 'orders');

  it('finds a healthy lake healthy', async () => {
    const report = await doctorLake(copy(), false);
    assert.deepEqual(codes(report.findings), []);
    assert.ok(healthy(report));
  });

  it('a corrupt manifest: damage, then rebuilt from the files and the batch log with every live row', async () => {
    const data = copy();
    writeFileSync(join(orderDir(data), '_manifest.json'), '{"version": 2, "files": [');
    assert.equal(await ordersState(data), 'damaged');
    const found = await doctorLake(data, false);
    assert.deepEqual(codes(found.findings), ['damage:manifest_unreadable']);
    assert.ok(!healthy(found));
    const repaired = await doctorLake(data, true);
    assert.ok(healthy(repaired), JSON.stringify(repaired.after));
    assert.equal(await ordersState(data), 'loaded');
    // Retired copies (the merge's inputs, the rolled-back batch, the file the rollback rewrote) stay out.
    assert.deepEqual(await counts(data), LIVE);
    assert.ok(repaired.repairs.some((r) => /left .* out of the manifest: holds rows of batch/.test(r.did)));
  });

  it('a missing manifest next to a batch log: rebuilt the same way', async () => {
    const data = copy();
    writeFileSync(join(orderDir(data), '_manifest.json'), '');
    const found = await doctorLake(data, false);
    assert.deepEqual(codes(found.findings), ['damage:manifest_unreadable']);
    await doctorLake(data, true);
    assert.deepEqual(await counts(data), LIVE);
  });

  it('a manifest listing a missing file: the entry is dropped and the other rows stay', async () => {
    const data = copy();
    const gone = join(data, dFile);
    rmSync(gone);
    assert.equal(await ordersState(data), 'damaged');
    const found = await doctorLake(data, false);
    assert.deepEqual(codes(found.findings), ['damage:file_missing']);
    assert.equal(found.findings[0]?.path, gone);
    const repaired = await doctorLake(data, true);
    assert.ok(healthy(repaired));
    assert.deepEqual(await counts(data), { A: 10, C: 7 });
  });

  it('a truncated Parquet file: moved to <data>/damaged/, never deleted, the rest readable', async () => {
    const data = copy();
    const file = join(data, dFile);
    const size = statSync(file).size;
    truncateSync(file, Math.floor(size / 2));
    const found = await doctorLake(data, false);
    assert.deepEqual(codes(found.findings), ['damage:file_unreadable']);
    const repaired = await doctorLake(data, true);
    assert.ok(healthy(repaired));
    assert.deepEqual(await counts(data), { A: 10, C: 7 });
    const aside = join(data, 'damaged', dFile);
    assert.equal(statSync(aside).size, Math.floor(size / 2), 'the damaged file is kept as it was');
  });

  it('files a crashed writer left: reported, and moved aside once old; a young one is left alone', async () => {
    const data = copy();
    const layout = dataLayout(data);
    const db = await DuckDbSession.open();
    let written: string[];
    try {
      written = (
        await writeFiles(
          db,
          layout,
          TABLES.orders,
          `(SELECT *, NULL AS discount, 'L1' AS line_id FROM read_csv('${join(root, 'in', 'A.csv')}', header = true) LIMIT 3)`,
          newBatchId(),
        )
      ).files;
    } finally {
      db.close();
    }
    assert.equal(written.length, 1);
    const old = written[0] ?? '';
    const twoHoursAgo = new Date(Date.now() - 2 * 3600_000);
    utimesSync(old, twoHoursAgo, twoHoursAgo);
    const young = join(orderDir(data), 'part=2026', 'young-orphan.parquet');
    cpSync(old, young);
    const found = await doctorLake(data, false);
    assert.deepEqual(codes(found.findings), ['info:file_unlisted', 'warning:file_unlisted']);
    assert.ok(healthy(found), 'uncommitted files are no damage: readers ignore them');
    await doctorLake(data, true);
    assert.ok(!existsSync(old) && existsSync(join(data, 'damaged', relative(data, old))));
    assert.ok(existsSync(young), 'a file a running writer may still commit is left');
    assert.deepEqual(await counts(data), LIVE, 'the uncommitted rows never became visible');
  });

  it("a crashed writer's staging entries: reported once an hour old, moved aside by repair; a young one is left", async () => {
    const data = copy();
    const staging = join(data, 'lake', '.staging');
    // A writer's uncommitted batch (a directory with a partition and a file), two hours old, and a
    // spill file of a build still running (just written).
    const old = join(staging, 'b20261001T000000000-abcdef');
    writeText(join(old, 'part=2026', 'x.parquet'), 'not committed');
    const twoHoursAgo = new Date(Date.now() - 2 * 3600_000);
    for (const p of [join(old, 'part=2026', 'x.parquet'), join(old, 'part=2026'), old])
      utimesSync(p, twoHoursAgo, twoHoursAgo);
    const young = join(staging, 'tmp-12345678');
    writeText(join(young, 'duckdb_temp_storage-0.tmp'), 'spill');
    const found = await doctorLake(data, false);
    assert.deepEqual(codes(found.findings), ['warning:staging_leftover']);
    assert.equal(found.findings[0]?.path, old);
    assert.match(found.findings[0]?.message ?? '', /\(13 bytes\).* 2 h ago/);
    assert.ok(healthy(found), 'nothing readers see is damaged');
    const repaired = await doctorLake(data, true);
    assert.deepEqual(codes(repaired.after), []);
    const aside = join(
      data,
      'damaged',
      'lake',
      '.staging',
      'b20261001T000000000-abcdef',
      'part=2026',
      'x.parquet',
    );
    assert.equal(readFileSync(aside, 'utf8'), 'not committed', 'moved whole, not deleted');
    assert.ok(!existsSync(old));
    assert.ok(existsSync(join(young, 'duckdb_temp_storage-0.tmp')), 'a running writer keeps its entry');
    assert.deepEqual(await counts(data), LIVE);
  });

  it("a running process's own staging entry is left however old; a dead process's is a leftover", async () => {
    const data = copy();
    const layout = dataLayout(data);
    // The collector's compaction process keeps its spill directory while it runs, for days; a process that
    // has ended (a child run to completion, so its pid names no process now) left its entry behind.
    const ended = spawnSync(process.execPath, ['-e', '0']);
    assert.ok(ended.pid !== undefined && ended.status === 0);
    const running = processStagingEntry(layout, 'compaction', process.pid);
    const dead = processStagingEntry(layout, 'compaction', ended.pid);
    const twoHoursAgo = new Date(Date.now() - 2 * 3600_000);
    for (const dir of [running, dead]) {
      writeText(join(dir, 'duckdb_temp_storage-0.tmp'), 'spill');
      for (const p of [join(dir, 'duckdb_temp_storage-0.tmp'), dir]) utimesSync(p, twoHoursAgo, twoHoursAgo);
    }
    const found = await doctorLake(data, false);
    assert.deepEqual(codes(found.findings), ['warning:staging_leftover']);
    assert.equal(found.findings[0]?.path, dead);
    await doctorLake(data, true);
    assert.ok(
      existsSync(join(running, 'duckdb_temp_storage-0.tmp')),
      'a running process keeps its spill directory',
    );
    assert.ok(!existsSync(dead));
  });

  it('a torn batch-log tail and an uncommitted batch: cut off (kept aside), its files stay out', async () => {
    const data = copy();
    const log = join(orderDir(data), '_batches.ndjson');
    const committed = statSync(log).size;
    const lines = readFileSync(log, 'utf8').trim().split('\n');
    // A whole line of a batch that never committed (a copy of D's entry under another id), then a torn one.
    const d = JSON.parse(lines.find((l) => l.includes(batchOf(dFile))) ?? '{}') as Record<string, unknown>;
    appendFileSync(
      log,
      `${JSON.stringify({ ...d, id: 'b20990101T000000000-ffffff' })}\n{"type":"batch","id":"b2`,
    );
    const found = await doctorLake(data, false);
    assert.deepEqual(codes(found.findings), ['warning:log_uncommitted_tail']);
    const repaired = await doctorLake(data, true);
    assert.equal(statSync(log).size, committed);
    assert.deepEqual(codes(repaired.after), []);
    const kept = readdirSync(join(data, 'damaged', 'lake', 'orders'));
    assert.deepEqual(kept, ['_batches.ndjson.tail']);
    assert.deepEqual(await counts(data), LIVE);
  });

  it('a corrupt manifest and a torn log tail together: the torn line is no batch', async () => {
    const data = copy();
    writeFileSync(join(orderDir(data), '_manifest.json'), 'not json');
    appendFileSync(join(orderDir(data), '_batches.ndjson'), '{"type":"rollback","id":"b');
    const found = await doctorLake(data, false);
    assert.deepEqual(codes(found.findings), ['damage:manifest_unreadable', 'warning:log_uncommitted_tail']);
    await doctorLake(data, true);
    assert.deepEqual(await counts(data), LIVE);
  });

  it('unreadable quarantine and duplicates reports, and WAL segments waiting', async () => {
    const data = copy();
    writeText(join(data, 'quarantine', 'orders', 'bX.ndjson'), '{"line":1}\n{"line":2,"rec');
    writeText(join(data, 'duplicates', 'orders', 'bY.ndjson'), '{"line":1}\n');
    writeText(join(data, 'wal', 'orders', '000000000001.ndjson'), `${JSON.stringify({ order_id: 'W1' })}\n`);
    const found = await doctorLake(data, false);
    assert.deepEqual(codes(found.findings), ['damage:report_unreadable', 'warning:wal_waiting']);
    const repaired = await doctorLake(data, true);
    assert.deepEqual(codes(repaired.after), ['warning:wal_waiting']);
    assert.ok(existsSync(join(data, 'damaged', 'quarantine', 'orders', 'bX.ndjson')));
    assert.ok(existsSync(join(data, 'duplicates', 'orders', 'bY.ndjson')), 'a readable report stays');
  });

  it('the command: one line per finding, exit 1 on damage, JSON, exit 0 after --repair', () => {
    const data = copy();
    writeFileSync(join(orderDir(data), '_manifest.json'), '{');
    const cli = (...args: string[]) => spawnSync(process.execPath, [BIN, '--data', data, 'doctor', ...args]);
    const check = cli();
    assert.equal(check.status, 1, check.stderr.toString());
    assert.match(
      check.stdout.toString(),
      /^damage: orders: _manifest\.json cannot be read .*doctor --repair/m,
    );
    const json = cli('--format', 'json');
    assert.equal(json.status, 1);
    const rows = JSON.parse(json.stdout.toString()) as { kind: string; code: string }[];
    assert.deepEqual(
      rows.map((r) => [r.kind, r.code]),
      [['finding', 'manifest_unreadable']],
    );
    const repair = cli('--repair');
    assert.equal(repair.status, 0, repair.stdout.toString());
    assert.match(repair.stdout.toString(), /^repaired: orders: wrote .*listing 2 live file\(s\)$/m);
    const again = cli();
    assert.equal(again.status, 0);
    assert.match(again.stdout.toString(), /the lake is healthy/);
  });
});

// The batch id a lake file's name starts with (`<batch>-<suffix>-<i>.parquet`).
function batchOf(file: string): string {
  return (file.split('/').at(-1) ?? '').split('-').slice(0, 2).join('-');
}

describe('shoplake doctor --repair while a collector runs', () => {
  it('repairs a corrupt manifest under the table lock; the collector stores every record it acknowledged', async () => {
    const t = await testCollector();
    const post = async (from: number, to: number) => {
      const records = Array.from({ length: to - from + 1 }, (_, i) => ({
        order_id: `K${from + i}`,
        customer_id: 'C1',
        product_id: 'P1',
        product_name: 'Widget',
        quantity: 1,
        price: 2,
        total_amount: 2,
        order_date: '2025-11-28 10:00:00',
        status: 'COMPLETED',
        region: 'US-EAST',
      }));
      const res = await t.post('/v1/orders', records);
      assert.equal(res.status, 200);
      assert.equal(((await res.json()) as { accepted: number }).accepted, records.length);
    };
    try {
      await post(1, 10);
      await t.collector.compactNow();
      const manifest = join(t.dir, 'lake', 'orders', '_manifest.json');
      writeFileSync(manifest, '{"version": 2,');
      // Acknowledged while the table is damaged (kept in the WAL), and while the repair holds the lock.
      await post(11, 15);
      const repair = doctorLake(t.dir, true);
      await post(16, 20);
      assert.ok(healthy(await repair));
      await t.collector.compactNow();
      await t.collector.compactNow();
      const engine = await DuckDbEngine.open(t.dir);
      try {
        const [row] = await engine.query('SELECT count(*) AS n, count(DISTINCT order_id) AS ids FROM orders');
        assert.deepEqual(row, { n: 20, ids: 20 });
      } finally {
        await engine.close();
      }
    } finally {
      await t.close();
    }
  });
});
