import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { test } from 'node:test';
import { collectorConfigSchema, startCollector } from '../collector/index.js';
import { DuckDbEngine } from '../engines/testing.js';
import { tempDir } from '../testing/index.js';
import { loopbackTarget, replay, replayShortfall, synthetic } from './index.js';

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
    // Whole batches of 10, and the 3 records of the last, partial one when the run kept up.
    assert.ok([r.requests * 10, (r.requests - 1) * 10 + 3].includes(r.ackedRecords), JSON.stringify(r));
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

/** A stand-in collector on a free loopback port that counts the records it acknowledges (200) for `key`, 401 otherwise. */
async function countingServer(key: string): Promise<{ server: Server; url: string; records: () => number }> {
  let records = 0;
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      if (req.headers.authorization !== `Bearer ${key}`) {
        res.writeHead(401).end();
        return;
      }
      const body: unknown = JSON.parse(Buffer.concat(chunks).toString('utf8'));
      records += Array.isArray(body) ? body.length : 1;
      res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return { server, url: `http://127.0.0.1:${port}`, records: () => records };
}

const small = { ...synthetic(50, 50), origin: 'test' };
const options = { rate: 150, durationSeconds: 1, batch: 100, concurrency: 2, blackFriday: 1, tag: null };

test('replay sends the records due that never fill a whole batch (150 due at batches of 100: all 150)', async () => {
  const { server, url, records } = await countingServer('k-1');
  try {
    const r = await replay(small, { ...options, target: url, key: 'k-1' });
    assert.equal(r.targetRecords, 150);
    assert.equal(records(), 150);
    assert.equal(r.ackedRecords, 150);
    assert.equal(replayShortfall(r, url), null);
  } finally {
    server.close();
  }
});

test('replay against a stopped collector says it could not reach it, not that the rate was not held', async () => {
  const { server, url } = await countingServer('k-1');
  await new Promise<void>((resolve) => server.close(() => resolve()));
  const r = await replay(small, { ...options, target: url, key: 'k-1' });
  assert.ok((r.errors.network ?? 0) > 0, JSON.stringify(r));
  assert.match(r.networkCause ?? '', /ECONNREFUSED/);
  assert.match(replayShortfall(r, url) ?? '', /could not reach .* is shoplake serve running there\?/);
});

test('replay with a refused key says to pass a write key', async () => {
  const { server, url, records } = await countingServer('k-1');
  try {
    const r = await replay(small, { ...options, target: url, key: 'wrong' });
    assert.equal(records(), 0);
    assert.match(replayShortfall(r, url) ?? '', /refused the key .* --key/);
  } finally {
    server.close();
  }
});
