import assert from 'node:assert/strict';
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { buildFixtureLake } from '../analyses/fixture.test-helper.js';
import { tempDir } from '../testing/index.js';
import { shoplake } from './cli-process.test-helper.js';

function parquetBytes(dir: string): number {
  let sum = 0;
  for (const e of readdirSync(dir, { withFileTypes: true, recursive: true })) {
    if (e.isFile() && e.name.endsWith('.parquet')) sum += statSync(join(e.parentPath, e.name)).size;
  }
  return sum;
}

describe('shoplake CLI', () => {
  let dir: string;
  let cleanup: () => void;
  before(async () => {
    ({ dir, cleanup } = tempDir());
    await buildFixtureLake(dir);
  });
  after(() => cleanup());

  it('prints exactly one JSON array with --format json', () => {
    const r = shoplake(['--data', dir, 'query', 'sales-by-region', '--format', 'json']);
    assert.equal(r.code, 0, r.stderr);
    assert.deepEqual(JSON.parse(r.stdout), [
      { region: 'EU-WEST', revenue: 3099.97, order_lines: 2 },
      { region: 'US-EAST', revenue: 1359.95, order_lines: 3 },
    ]);
  });

  it('prints seed-style lines for the seed scenarios and takes the data dir from SHOPLAKE_DATA', () => {
    const r = shoplake(['query', 'customer-tiers'], { SHOPLAKE_DATA: dir });
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout, 'PLATINUM: 1 customers\nGOLD: 1 customers\nBRONZE: 2 customers\n');
  });

  it('passes analysis parameters and renders CSV', () => {
    const r = shoplake([
      '--data',
      dir,
      'query',
      'top-products',
      '--by',
      'units',
      '--limit',
      '1',
      '--format',
      'csv',
    ]);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(
      r.stdout,
      'product_id,product_name,orders,units,revenue\nPHONE001,Smartphone Pro,1,2,1799.98\n',
    );
  });

  it('runs read-only SQL and refuses writes and file access', () => {
    const ok = shoplake(['--data', dir, 'sql', 'SELECT count(*) AS n FROM orders', '--format', 'json']);
    assert.deepEqual(JSON.parse(ok.stdout), [{ n: 5 }]);
    for (const bad of ['DROP VIEW orders', "SELECT * FROM read_csv('/etc/passwd')", 'SELECT 1; SELECT 2']) {
      const r = shoplake(['--data', dir, 'sql', bad]);
      assert.equal(r.code, 2, bad);
      assert.equal(r.stderr.trim().split('\n').length, 1, `one line for ${bad}: ${r.stderr}`);
    }
  });

  it('answers every user mistake with one line and exit code 2', () => {
    const cases: [string[], RegExp, Record<string, string>?][] = [
      [['frobnicate'], /unknown command/],
      [['--data', dir, 'query', 'no-such-analysis'], /query --list/],
      [['--data', join(dir, 'missing'), 'query', 'sales-by-region'], /does not exist/],
      [['--data', dir, 'query', 'sales-by-region', '--region', ''], /--region/],
      [
        ['--data', dir, 'query', 'sales-by-region', '--format', 'xml'],
        /--format: expected one of table, json, csv, ndjson/,
      ],
      [['--data', dir, 'sql', 'SELECT 1', '--timeout', 'soon'], /--timeout: expected a duration/],
      [
        ['--data', dir, 'query', 'sales-by-region'],
        /SHOPLAKE_MEMORY_LIMIT=lots is not a memory size/,
        { SHOPLAKE_MEMORY_LIMIT: 'lots' },
      ],
      [['--data', dir, 'sql', 'SELECT * FROM products'], /no products table yet: run 'shoplake build-lake'/],
      [
        ['--data', join(dir, 'raw', 'orders', 'orders.csv'), 'query', 'sales-by-region'],
        /is a file, not a data directory/,
      ],
      [
        ['--data', join(dir, 'raw', 'orders', 'orders.csv'), 'sql', 'SELECT 1'],
        /is a file, not a data directory/,
      ],
      [
        ['--data', join(dir, 'raw', 'orders', 'orders.csv'), 'generate', '--orders', '10'],
        /is a file, not a data directory/,
      ],
      [['generate', '--orders', '-5'], /positive whole number/],
      [['--data', dir, 'ingest', join(dir, 'nope.csv'), '--table', 'orders'], /does not exist/],
      [['--data', dir, 'ingest', join(dir, 'raw', 'orders'), '--table', 'invoices'], /unknown table/],
    ];
    for (const [args, message, env] of cases) {
      const r = shoplake(args, env);
      assert.equal(r.code, 2, `${args.join(' ')} → ${r.stderr}`);
      assert.match(r.stderr, message);
      assert.equal(r.stderr.trim().split('\n').length, 1, r.stderr);
      assert.doesNotMatch(r.stderr, /\s+at\s/, 'no stack trace');
    }
  });

  it('generates with flags and loads the lake in the same run, reporting both as JSON', () => {
    const data = join(dir, 'small');
    const gen = shoplake([
      '--data',
      data,
      'generate',
      '--orders',
      '300',
      '--customers',
      '40',
      '--events',
      '900',
      '--days',
      '10',
      '--seed',
      '7',
      '--as-of',
      '2026-11-01',
      '--format',
      'json',
    ]);
    assert.equal(gen.code, 0, gen.stderr);
    const [stats] = JSON.parse(gen.stdout) as {
      orders: number;
      customers: number;
      events: number;
      lake: { table: string; loaded: number }[];
    }[];
    assert.deepEqual([stats?.orders, stats?.customers, stats?.events], [300, 40, 900]);
    const loaded = Object.fromEntries((stats?.lake ?? []).map((r) => [r.table, r.loaded]));
    assert.deepEqual(loaded, {
      orders: 300,
      customers: 40,
      clickstream: 900,
      products: 15,
      order_checks: 300,
    });
    // The 300 generated orders are in the lake, counted by SQL written separately from the loader.
    const counted = shoplake(['--data', data, 'sql', 'SELECT count(*) AS n FROM orders', '--format', 'csv']);
    assert.equal(counted.stdout, 'n\n300\n');
    const again = shoplake(['--data', data, 'build-lake', '--format', 'json']);
    assert.ok(
      (JSON.parse(again.stdout) as { loaded: number }[]).every((r) => r.loaded === 0),
      'nothing loaded twice',
    );
  });

  it('describes the lake: rows, files and time range per table', () => {
    const r = shoplake(['--data', dir, 'tables', '--format', 'json']);
    assert.equal(r.code, 0, r.stderr);
    type TableRow = { table: string; rows: number; megabytes: number; state: string };
    const byName = Object.fromEntries((JSON.parse(r.stdout) as TableRow[]).map((t) => [t.table, t]));
    // The fixture: 5 orders on Nov 1–3, 4 customers, 9 events. Five rows are far below a partition's
    // target size, so the batch went into one yearly partition (one file) rather than one per day.
    // Size: the Parquet files' bytes as the file system reports them, in MB with two decimals.
    const bytes = parquetBytes(join(dir, 'lake', 'orders'));
    assert.deepEqual(byName.orders, {
      table: 'orders',
      state: 'loaded',
      rows: 5,
      files: 1,
      partitions: 1,
      megabytes: Math.round(bytes / 1e4) / 100,
      first: '2026-11-01 23:30:00',
      last: '2026-11-03 09:00:00',
    });
    assert.ok(bytes > 0);
    assert.equal(byName.clickstream?.rows, 9);
    assert.deepEqual([byName.products?.rows, byName.products?.state], [0, 'not loaded']);
  });

  it('lists the catalog with parameters', () => {
    const r = shoplake(['query', '--list', '--format', 'json']);
    const names = (JSON.parse(r.stdout) as { name: string }[]).map((a) => a.name);
    assert.ok(names.includes('sales-by-region') && names.includes('order-status'));
  });
});

describe('shoplake demo', () => {
  it('generates, builds the lake, answers the four scenarios and shows live data, on a fresh data dir', () => {
    const { dir, cleanup } = tempDir();
    try {
      const r = shoplake(['--data', join(dir, 'fresh'), 'demo']);
      assert.equal(r.code, 0, r.stderr);
      for (const title of ['Scenario 1', 'Scenario 2', 'Scenario 3', 'Scenario 4', 'Live']) {
        assert.ok(r.stdout.includes(title), title);
      }
      // Seed-style lines: every region with a dollar amount, every tier, every device.
      assert.equal(
        (r.stdout.match(/^(US-EAST|US-WEST|EU-WEST|ASIA-PACIFIC|LATAM): \$[\d,]+\.\d\d$/gm) ?? []).length,
        5,
      );
      assert.equal((r.stdout.match(/^(PLATINUM|GOLD|SILVER|BRONZE): [\d,]+ customers$/gm) ?? []).length, 4);
      assert.equal((r.stdout.match(/^(mobile|desktop|tablet): [\d,]+ purchases$/gm) ?? []).length, 3);
      assert.match(r.stdout, /lake build: 50,000 orders validated and loaded/);
      const grown = r.stdout.match(/the lake holds ([\d,]+) new orders/);
      assert.ok(grown && Number(grown[1]?.replaceAll(',', '')) > 0, 'live replay added orders');
    } finally {
      cleanup();
    }
  });
});
