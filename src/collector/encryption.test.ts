import assert from 'node:assert/strict';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { httpfsExtensionInstalled } from '../duckdb/index.js';
import { DuckDbEngine } from '../engines/testing.js';
import { dataLayout, prepareLakeEncryption } from '../lake/index.js';
import { tempDir } from '../testing/index.js';
import { Collector } from './collector.js';
import { collectorConfigSchema } from './config.js';
import { parseBody } from './parse.js';
import { ROW_CHECKS } from './records.js';
import { KEY, order, testCollector } from './testkit.test-helper.js';
import { Wal, walDirectory } from './wal.js';

// Writing an encrypted lake needs DuckDB's httpfs extension (npm run setup:encryption); without it these
// tests skip, except under CI, where they must run.
const SKIP =
  !httpfsExtensionInstalled() && process.env.CI !== 'true'
    ? 'httpfs extension not installed (npm run setup:encryption)'
    : false;

const LAKE_KEY = Buffer.alloc(32, 0x21).toString('base64');
// Stands for a customer's email (customer ids allow no '@', product names do): it must appear in no
// byte the collector stores.
const MARKER = 'marker.person@example.net';

function filesUnder(dir: string): string[] {
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile())
    .map((e) => join(e.parentPath, e.name));
}

describe('the collector on an encrypted lake', { skip: SKIP }, () => {
  const saved = process.env.SHOPLAKE_ENCRYPTION_KEY;
  before(() => {
    process.env.SHOPLAKE_ENCRYPTION_KEY = LAKE_KEY;
  });
  after(() => {
    if (saved === undefined) delete process.env.SHOPLAKE_ENCRYPTION_KEY;
    else process.env.SHOPLAKE_ENCRYPTION_KEY = saved;
  });

  it('keeps WAL and quarantine sealed, compacts into encrypted Parquet, and stores no plain marker', async () => {
    const t = await testCollector();
    try {
      const good = [1, 2, 3].map((i) => order(i, { product_name: MARKER }));
      assert.equal((await (await t.post('/v1/orders', good)).json()).accepted, 3);
      // Refused at the door (negative quantity): kept in the collector's quarantine with the record.
      const bad = await (
        await t.post('/v1/orders', [order(9, { product_name: MARKER, quantity: -1 })])
      ).json();
      assert.equal(bad.rejected, 1, JSON.stringify(bad));
      const segments = filesUnder(walDirectory(t.dir, 'orders'));
      assert.equal(segments.length, 1);
      const wal = readFileSync(segments[0] ?? '', 'utf8');
      assert.match(wal, /^slk1:[A-Za-z0-9+/=]+\n$/, 'one group commit, one sealed line');
      await t.collector.compactNow();
      // Nothing left, counted in the bytes on disk (sealed lines are longer than the records they hold).
      assert.deepEqual(await t.collector.close(), { segments: 0, bytes: 0 });
      const quarantine = filesUnder(join(t.dir, 'quarantine', 'collector'));
      assert.equal(quarantine.length, 1);
      assert.match(readFileSync(quarantine[0] ?? '', 'utf8'), /^(slk1:[A-Za-z0-9+/=]+\n)+$/);
      const engine = await DuckDbEngine.open(t.dir);
      try {
        assert.deepEqual(await engine.query('SELECT order_id, product_name FROM orders ORDER BY order_id'), [
          { order_id: 'O1', product_name: MARKER },
          { order_id: 'O2', product_name: MARKER },
          { order_id: 'O3', product_name: MARKER },
        ]);
      } finally {
        await engine.close();
      }
      for (const file of filesUnder(t.dir)) assert.ok(!readFileSync(file).includes(MARKER), file);
    } finally {
      await t.close().catch(() => {});
    }
  });

  it('forgets the key of a record quarantined at compaction, matched by the opened copy it was read from', async () => {
    // Ingest names the opened copy of the sealed segment as the source in its quarantine file; the
    // collector must match that name to free the id for a corrected retry (its log line counts them).
    const real = ROW_CHECKS['orders.total'];
    ROW_CHECKS['orders.total'] = () => true;
    const { dir, cleanup } = tempDir('shoplake-quarantined-');
    const lines: string[] = [];
    const config = collectorConfigSchema.parse({ writeKeys: [KEY], compactIntervalMs: 3_600_000 });
    const collector = await Collector.open(dir, config, (line) => lines.push(line));
    if (real) ROW_CHECKS['orders.total'] = real;
    try {
      const wrong = parseBody(JSON.stringify(order(1, { total_amount: 500 })), 'application/json');
      assert.equal((await collector.collect('orders', wrong)).accepted, 1);
      await collector.compactNow();
      assert.ok(
        lines.some((l) =>
          /compaction quarantined 1 acknowledged orders records .*; 1 of their ids may be sent again/.test(l),
        ),
        lines.join('\n'),
      );
      const fixed = parseBody(JSON.stringify(order(1)), 'application/json');
      assert.equal((await collector.collect('orders', fixed)).accepted, 1);
    } finally {
      await collector.close();
      cleanup();
    }
  });

  it('refuses a tampered WAL segment: compaction fails with a clear line and the segment stays', async () => {
    const { dir, cleanup } = tempDir('shoplake-tampered-');
    try {
      prepareLakeEncryption(dataLayout(dir));
      const wal = new Wal(walDirectory(dir, 'orders'));
      await wal.append(`${JSON.stringify(order(1))}\n${JSON.stringify(order(2))}\n`);
      const [segment] = await wal.seal();
      const path = segment?.path ?? '';
      const text = readFileSync(path, 'utf8');
      const at = 30;
      writeFileSync(path, text.slice(0, at) + (text[at] === 'A' ? 'B' : 'A') + text.slice(at + 1));
      const lines: string[] = [];
      const config = collectorConfigSchema.parse({ writeKeys: [KEY], compactIntervalMs: 3_600_000 });
      const collector = await Collector.open(dir, config, (line) => lines.push(line));
      const backlog = await collector.close();
      assert.ok(
        lines.some((l) =>
          /compaction failed, will retry: line 1 of .*000000000001\.ndjson fails authentication/.test(l),
        ),
        lines.join('\n'),
      );
      assert.equal(backlog.segments, 1, 'the segment is kept, not dropped');
      assert.deepEqual(
        readdirSync(join(dir, 'lake')).filter((f) => f === 'orders'),
        [],
      );
    } finally {
      cleanup();
    }
  });
});
