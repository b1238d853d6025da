import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { DuckDbSession } from '../duckdb/index.js';
import { DuckDbEngine } from '../engines/testing.js';
import { dataLayout, retiredFiles, rollbackBatch, tableBatches } from '../lake/index.js';
import { tempDir } from '../testing/index.js';
import { exited, startServer, waitFor } from './fault-kit.test-helper.js';
import { KEY, order, testCollector } from './testkit.test-helper.js';

const BIN = fileURLToPath(new URL('../../../bin/shoplake.js', import.meta.url));

type Collector = Awaited<ReturnType<typeof testCollector>>;

const ids = (from: number, to: number) => Array.from({ length: to - from + 1 }, (_, i) => order(from + i));

async function send(t: Collector, records: Record<string, unknown>[]) {
  const res = await t.post('/v1/orders', records);
  assert.equal(res.status, 200);
  return (await res.json()) as { accepted: number; duplicate: number };
}

// The collector batches of the orders table, oldest first.
const collectorBatches = (t: Collector) =>
  tableBatches(dataLayout(t.dir), 'orders').filter((b) => b.kind === 'collector' && b.loaded > 0);

async function rollBack(t: Collector, batch: string): Promise<void> {
  const db = await DuckDbSession.open();
  try {
    await rollbackBatch(db, dataLayout(t.dir), batch);
  } finally {
    db.close();
  }
}

async function lakeIds(t: Collector): Promise<string[]> {
  const engine = await DuckDbEngine.open(t.dir);
  try {
    const rows = await engine.query('SELECT order_id FROM orders ORDER BY order_id');
    return rows.map((r) => String(r.order_id));
  } finally {
    await engine.close();
  }
}

const expected = (...ranges: [number, number][]) =>
  ranges.flatMap(([a, b]) => ids(a, b).map((o) => String(o.order_id))).sort();

test('after a rollback, the running collector stores a retry of the rolled-back records (regression: answered duplicate)', async () => {
  const t = await testCollector();
  try {
    assert.equal((await send(t, ids(1, 5))).accepted, 5);
    await t.collector.compactNow();
    assert.equal((await send(t, ids(6, 8))).accepted, 3);
    await t.collector.compactNow();
    const [first] = collectorBatches(t);
    assert.ok(first, 'the first compaction is a batch');
    await rollBack(t, first.id);
    assert.deepEqual(await lakeIds(t), expected([6, 8]));
    // Every record again: the rolled-back ones are new, the others still duplicates.
    assert.deepEqual(await send(t, ids(1, 8)), { accepted: 5, duplicate: 3, rejected: 0, errors: [] });
    await t.collector.compactNow();
    assert.deepEqual(await lakeIds(t), expected([1, 8]));
  } finally {
    await t.close();
  }
});

test('a rollback whose retired files are gone already: the keys are loaded from the lake again', async () => {
  const t = await testCollector();
  try {
    await send(t, ids(1, 4));
    await t.collector.compactNow();
    await send(t, ids(5, 6));
    await t.collector.compactNow();
    const [first] = collectorBatches(t);
    assert.ok(first);
    await rollBack(t, first.id);
    // What ten minutes after the rollback would leave: the retired files deleted.
    for (const f of retiredFiles(join(t.dir, 'lake', 'orders'))) rmSync(f);
    const again = await send(t, ids(1, 6));
    assert.deepEqual([again.accepted, again.duplicate], [4, 2]);
    await t.collector.compactNow();
    assert.deepEqual(await lakeIds(t), expected([1, 6]));
  } finally {
    await t.close();
  }
});

test('through a real shoplake serve and shoplake rollback: send, compact, roll back, resend: stored', {
  timeout: 90_000,
}, async () => {
  const { dir, cleanup } = tempDir('shoplake-rollback-serve-');
  const { child, url } = await startServer(dir);
  const post = async (records: Record<string, unknown>[]) => {
    const res = await fetch(`${url}/v1/orders`, {
      method: 'POST',
      headers: { authorization: `Bearer ${KEY}`, 'content-type': 'application/json' },
      body: JSON.stringify(records),
    });
    assert.equal(res.status, 200);
    return (await res.json()) as { accepted: number; duplicate: number };
  };
  try {
    assert.equal((await post(ids(1, 6))).accepted, 6);
    const batches = () => tableBatches(dataLayout(dir), 'orders').filter((b) => b.kind === 'collector');
    // The server compacts every 300 ms: wait for its batch (bounded, not a timing assertion).
    await waitFor(() => batches().some((b) => b.loaded === 6), 60_000, 'the compaction of 6 orders');
    const batch = batches().find((b) => b.loaded === 6)?.id ?? '';
    const rollback = spawnSync(process.execPath, [BIN, '--data', dir, 'rollback', batch]);
    assert.equal(rollback.status, 0, rollback.stderr.toString());
    assert.deepEqual(await post(ids(1, 6)), { accepted: 6, duplicate: 0, rejected: 0, errors: [] });
    child.kill('SIGTERM');
    assert.equal(await exited(child), 0);
    const engine = await DuckDbEngine.open(dir);
    try {
      const rows = await engine.query('SELECT order_id FROM orders ORDER BY order_id');
      assert.deepEqual(
        rows.map((r) => String(r.order_id)),
        expected([1, 6]),
      );
    } finally {
      await engine.close();
    }
  } finally {
    if (child.exitCode === null) child.kill('SIGKILL');
    cleanup();
  }
});
