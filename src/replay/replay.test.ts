import assert from 'node:assert/strict';
import { test } from 'node:test';
import { collectorConfigSchema, startCollector } from '../collector/index.js';
import { DuckDbEngine } from '../engines/testing.js';
import { tempDir } from '../testing/index.js';
import { loopbackTarget, replay, synthetic } from './index.js';

test('replay refuses targets that are not loopback', () => {
  assert.throws(() => loopbackTarget('http://example.com:8080'), /loopback/);
  assert.throws(() => loopbackTarget('https://127.0.0.1'), /loopback/);
  assert.equal(loopbackTarget('http://localhost:8080').port, '8080');
});

test('replay against a real collector: no failed request, and the lake gets every acknowledged record', async () => {
  const { dir, cleanup } = tempDir();
  const server = await startCollector({
    dataDir: dir,
    port: 0,
    config: collectorConfigSchema.parse({ writeKeys: ['replay-key-1'], compactIntervalMs: 60_000 }),
  });
  try {
    const source = { ...synthetic(100, 400), origin: 'test' };
    // 1,000 records/s for 1 s in batches of 10, doubled in the middle third: 1,333 records due.
    const r = await replay(source, {
      target: server.url,
      key: 'replay-key-1',
      rate: 1000,
      durationSeconds: 1,
      batch: 10,
      concurrency: 4,
      blackFriday: 2,
      tag: null,
    });
    assert.equal(r.targetRecords, 1333);
    // Whether the rate was held depends on the machine (a benchmark figure, see bench/collector.ts);
    // what must hold anywhere: nothing failed, and every acknowledged record is in the lake.
    assert.deepEqual(r.errors, {}, JSON.stringify(r));
    assert.equal(r.ackedRecords, r.requests * 10);
    assert.ok(r.requests > 0);
    await server.collector.compactNow();
    const engine = await DuckDbEngine.open(dir);
    try {
      const [row] = await engine.query(
        'SELECT (SELECT count(*) FROM orders) + (SELECT count(*) FROM clickstream) AS n',
      );
      assert.equal(row?.n, r.ackedRecords);
    } finally {
      await engine.close();
    }
  } finally {
    await server.close();
    cleanup();
  }
});
