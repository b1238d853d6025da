import assert from 'node:assert/strict';
import { cpSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { loadWeights } from '../fraud/index.js';
import { tempDir } from '../testing/index.js';
import { collectorConfigSchema } from './config.js';
import { plantedBurst, postJson as post, scoreCounts, useHistoryLake } from './fraud.test-helper.js';
import { ScoreStore, type Stored } from './fraud-score-store.js';
import { BackgroundScorer } from './fraud-scorer.js';
import { startCollector } from './server.js';
import { KEY } from './testkit.test-helper.js';
import { Wal, walDirectory } from './wal.js';

// No compaction while a test runs (a minute): what is in the lake came from the start-up or a stop.
const config = collectorConfigSchema.parse({ writeKeys: [KEY], compactIntervalMs: 60_000 });

/** Every line of every segment in the table's WAL directory, with the file it is in. */
function walLines(dir: string, table: string): { file: string; line: string }[] {
  const wal = walDirectory(dir, table);
  return readdirSync(wal)
    .filter((f) => f.endsWith('.ndjson'))
    .flatMap((f) =>
      readFileSync(join(wal, f), 'utf8')
        .split('\n')
        .filter((l) => l !== '')
        .map((line) => ({ file: f, line })),
    );
}

describe("the scoring worker's own fraud_scores WAL", { timeout: 240_000 }, () => {
  const { fresh, at } = useHistoryLake('shoplake-fraud-store-');

  it('appends its lines in groups, numbers its segments after those on disk, and leaves them to the collector to recover', async () => {
    const { dir: root, cleanup } = tempDir('shoplake-score-store-');
    try {
      const wal = walDirectory(root, 'fraud_scores');
      // A segment an earlier run left: the collector's Wal recovers it; the store must neither list nor reuse it.
      const earlier = new Wal(wal);
      await earlier.append('{"order_id":"OLD"}\n');
      await earlier.seal();
      const store = new ScoreStore(root, 60_000, 3);
      const stored: Stored[] = [];
      store.onStored = (s) => stored.push(s);
      store.lines.utf8('{"order_id":"A1"}\n');
      store.lines.utf8('{"order_id":"A2"}\n');
      store.added(2);
      // Two of three: nothing appended before the interval (a minute) or a flush.
      await new Promise((r) => setTimeout(r, 50));
      assert.equal(stored.length, 0);
      store.lines.utf8('{"order_id":"A3"}\n');
      store.added(1);
      await store.flush();
      assert.equal(stored.length, 1);
      assert.equal(stored[0]?.records, 3);
      // 3 lines of 18 bytes.
      assert.equal(stored[0]?.bytes, 54);
      assert.equal(stored[0]?.segment?.path, join(wal, '000000000002.ndjson'));
      assert.equal(stored[0]?.segment?.bytes, 54);
      const sealed = await store.seal();
      assert.deepEqual(
        sealed.map((s) => [s.path, s.bytes, s.recovered]),
        [[join(wal, '000000000002.ndjson'), 54, false]],
      );
      assert.deepEqual(
        walLines(root, 'fraud_scores').map((l) => [l.file, l.line]),
        [
          ['000000000001.ndjson', '{"order_id":"OLD"}'],
          ['000000000002.ndjson', '{"order_id":"A1"}'],
          ['000000000002.ndjson', '{"order_id":"A2"}'],
          ['000000000002.ndjson', '{"order_id":"A3"}'],
        ],
      );
      // The next start's Wal recovers both: the store's segment is the collector's then.
      assert.deepEqual(
        new Wal(wal).recovered.map((s) => [s.path, s.bytes]),
        [
          [join(wal, '000000000001.ndjson'), 19],
          [join(wal, '000000000002.ndjson'), 54],
        ],
      );
      // close() appends what waits, then seals.
      store.lines.utf8('{"order_id":"A4"}\n');
      store.added(1);
      const closed = await store.close();
      assert.deepEqual(
        closed.map((s) => [s.path, s.bytes]),
        [[join(wal, '000000000003.ndjson'), 18]],
      );
    } finally {
      cleanup();
    }
  });

  it('a crash after the worker stored scores and before compaction: the next start compacts them, nothing is scored again', async () => {
    const dir = fresh();
    const crashed = `${dir}-crashed`;
    const { orders, checks } = plantedBurst('CUST00021', 'W', at(), 4);
    const running = await startCollector({ dataDir: dir, config, port: 0 });
    try {
      await running.fraud?.modelReady();
      assert.equal((await post(running.url, '/v1/order-checks', checks)).status, 200);
      assert.equal((await post(running.url, '/v1/orders', orders)).status, 200);
      // Scored and durable in the worker's WAL segment, not compacted (no compaction for a minute).
      await running.fraud?.drained();
      const inWal = walLines(dir, 'fraud_scores');
      for (const o of orders)
        assert.equal(
          inWal.filter((l) => l.line.includes(`"order_id":"${o.order_id}"`)).length,
          1,
          `${o.order_id} in the fraud_scores WAL once`,
        );
      // The collector's thread no longer appends scores itself: a second writer would number segments alike.
      await assert.rejects(
        running.collector.appendValidated('fraud_scores', ['x'], '{}\n'),
        /written by another writer/,
      );
      // The disk as a crash now leaves it: the scores are in the WAL only.
      cpSync(dir, crashed, { recursive: true });
    } finally {
      await running.close();
    }
    const before = await scoreCounts(crashed);
    for (const o of orders) assert.equal(before.has(o.order_id), false, `${o.order_id} not in the lake yet`);

    const lines: string[] = [];
    const again = await startCollector({
      dataDir: crashed,
      config,
      port: 0,
      log: (l) => lines.push(l),
    });
    try {
      await again.fraud?.modelReady();
      await again.fraud?.drained();
    } finally {
      await again.close();
    }
    // Had the worker's segment not been recovered and compacted first, the start-up would have scored the
    // four orders again, as orders the lake held without a score.
    assert.deepEqual(
      lines.filter((l) => /held without a score/.test(l)),
      [],
    );
    const counts = await scoreCounts(crashed);
    for (const o of orders) assert.equal(counts.get(o.order_id), 1, `${o.order_id} scored once`);
    assert.deepEqual(
      [...counts.values()].filter((v) => v !== 1),
      [],
    );
  });

  it("a torn last line in the worker's segment (a crash mid-append) is cut, the rest compacted", async () => {
    const dir = fresh();
    const crashed = `${dir}-torn`;
    const { orders, checks } = plantedBurst('CUST00022', 'T', at(), 3);
    const running = await startCollector({ dataDir: dir, config, port: 0 });
    try {
      await running.fraud?.modelReady();
      assert.equal((await post(running.url, '/v1/order-checks', checks)).status, 200);
      assert.equal((await post(running.url, '/v1/orders', orders)).status, 200);
      await running.fraud?.drained();
      cpSync(dir, crashed, { recursive: true });
    } finally {
      await running.close();
    }
    // Half a line more at the end of the worker's segment: an append the crash cut before its fsync.
    const segs = walLines(crashed, 'fraud_scores');
    const last = segs.at(-1);
    assert.ok(last);
    const path = join(walDirectory(crashed, 'fraud_scores'), last.file);
    writeFileSync(path, `${readFileSync(path, 'utf8')}{"order_id":"T-torn","sco`);
    const again = await startCollector({ dataDir: crashed, config, port: 0 });
    await again.close();
    const counts = await scoreCounts(crashed);
    for (const o of orders) assert.equal(counts.get(o.order_id), 1, `${o.order_id} scored once`);
    assert.equal(counts.has('T-torn'), false);
  });

  it('a scoring worker that dies: its last segment goes to compaction up to what it stored, once', async () => {
    const dir = fresh();
    const weights = loadWeights(dir);
    const scorer = new BackgroundScorer({
      dataDir: dir,
      weights,
      threshold: weights.threshold,
      checkWaitMs: 0,
      storeEveryMs: 60_000,
      storeMaxRecords: 50_000,
    });
    const stored: number[] = [];
    scorer.onStored = (records) => stored.push(records);
    const failed = new Promise<string>((resolve) => {
      scorer.onFailed = resolve;
    });
    try {
      const ready = new Promise<void>((resolve) => {
        scorer.onReady = () => resolve();
      });
      scorer.build();
      await ready;
      const { orders } = plantedBurst('CUST00023', 'D', at(), 3);
      scorer.addOrders(orders.map((o) => `${JSON.stringify(o)}\n`).join(''), orders.length);
      await scorer.drained();
      // The lake's orders without a score at start (stored by the worker too) and the three.
      const total = stored.reduce((a, b) => a + b, 0);
      assert.ok(total >= 3, `${total} stored`);
      // A message it cannot read ends the worker thread (as a bug in it would).
      scorer.worker.postMessage({ type: 'no such message' });
      await failed;
      assert.equal(scorer.status, 'failed');
      const segments = await scorer.seal();
      assert.equal(segments.length, 1);
      const seg = segments[0];
      assert.ok(seg);
      const text = readFileSync(seg.path, 'utf8');
      assert.equal(seg.bytes, Buffer.byteLength(text));
      const ids = text
        .split('\n')
        .filter((l) => l !== '')
        .map((l) => (JSON.parse(l) as { order_id: string }).order_id);
      assert.equal(ids.length, total);
      assert.deepEqual(ids.slice(-3), ['D0', 'D1', 'D2']);
      // Handed out once: the next run does not compact it again.
      assert.deepEqual(await scorer.seal(), []);
    } finally {
      await scorer.close();
    }
  });
});
