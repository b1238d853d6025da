import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdirSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { join } from 'node:path';
import { test } from 'node:test';
import { DuckDbEngine } from '../engines/testing.js';
import { ingest } from '../ingest/index.js';
import { dataLayout, TABLES, tableFiles } from '../lake/index.js';
import { tempDir, writeText } from '../testing/index.js';
import { collectorConfigSchema, loadCollectorConfig } from './config.js';
import { ROW_CHECKS } from './records.js';
import { startCollector } from './server.js';
import { KEY, order, testCollector } from './testkit.test-helper.js';

const metric = async (url: string, name: string): Promise<number> => {
  const text = await (await fetch(`${url}/metrics`)).text();
  const line = text.split('\n').find((l) => l.startsWith(name));
  return line ? Number(line.split(' ').at(-1)) : 0;
};

test('a record quarantined at compaction does not block its corrected retry', async () => {
  // Simulates a door check that lets through what the lake refuses (what agreement.test.ts prevents):
  // the door's total rule is switched off for this collector only.
  const real = ROW_CHECKS['orders.total'];
  ROW_CHECKS['orders.total'] = () => true;
  const t = await testCollector();
  if (real) ROW_CHECKS['orders.total'] = real;
  try {
    const wrong = order(1, { total_amount: 500 });
    assert.equal((await (await t.post('/v1/orders', wrong)).json()).accepted, 1);
    assert.equal((await (await t.post('/v1/orders', wrong)).json()).duplicate, 1, 'in the WAL: a duplicate');
    await t.collector.compactNow();
    // The lake refused it, so its id is free again: the corrected record is stored.
    const fixed = await (await t.post('/v1/orders', order(1))).json();
    assert.equal(fixed.accepted, 1, JSON.stringify(fixed));
    await t.collector.compactNow();
    const engine = await DuckDbEngine.open(t.dir);
    try {
      assert.deepEqual(await engine.query('SELECT order_id, CAST(total_amount AS DOUBLE) AS t FROM orders'), [
        { order_id: 'O1', t: 19.98 },
      ]);
    } finally {
      await engine.close();
    }
    const url = await metricsUrl(t);
    assert.equal(await metric(url, 'shoplake_compaction_quarantined_records_total{table="orders"}'), 1);
  } finally {
    await t.close();
  }
});

// testCollector's app answers /metrics like the real server.
async function metricsUrl(t: Awaited<ReturnType<typeof testCollector>>): Promise<string> {
  const res = await t.app.request('/metrics');
  return new URL(res.url).origin;
}

test('kill -9 of the compaction process: the collector keeps serving, restarts it and counts it', async () => {
  const t = await testCollector();
  try {
    const url = await metricsUrl(t);
    let id = 0;
    for (let round = 0; round < 3; round++) {
      const pid = t.collector.compactionPid;
      assert.ok(pid !== undefined, 'a compaction process runs');
      process.kill(pid, 'SIGKILL');
      // Writes keep being answered while it is dead, and the compaction that finds it dead fails once.
      for (let i = 0; i < 5; i++) assert.equal((await t.post('/v1/orders', order(++id))).status, 200);
      await t.collector.compactNow();
      await t.collector.compactNow();
    }
    assert.equal(await metric(url, 'shoplake_compaction_process_restarts_total'), 3);
    // Lake bytes come from the compaction process (no stat of every file on the request thread).
    const files = tableFiles(dataLayout(t.dir), TABLES.orders);
    const bytes = files.reduce((sum, f) => sum + statSync(f).size, 0);
    assert.ok(bytes > 0);
    assert.equal(await metric(url, 'shoplake_lake_bytes{table="orders"}'), bytes);
    const engine = await DuckDbEngine.open(t.dir);
    try {
      assert.deepEqual(await engine.query('SELECT count(*) AS n FROM orders'), [{ n: 15 }]);
    } finally {
      await engine.close();
    }
  } finally {
    await t.close();
  }
});

test('a dropped upload is one log line and its own metric label, not a 500', async () => {
  const t = await testCollector();
  const lines: string[] = [];
  const error = console.error;
  console.error = (...args: unknown[]) => lines.push(args.join(' '));
  try {
    const url = new URL(await metricsUrl(t));
    for (let i = 0; i < 3; i++) {
      await new Promise<void>((resolve) => {
        const req = request({
          host: url.hostname,
          port: url.port,
          path: '/v1/orders',
          method: 'POST',
          headers: { authorization: `Bearer ${KEY}`, 'content-length': 100_000 },
        });
        req.on('error', () => resolve());
        req.write('['.padEnd(1000, ' '), () => setTimeout(() => req.destroy(), 20));
        req.on('close', () => resolve());
      });
    }
    // The server notices the resets asynchronously.
    for (let i = 0; i < 100 && lines.length < 3; i++) await new Promise((r) => setTimeout(r, 20));
    assert.equal(lines.length, 3, lines.join('\n'));
    assert.ok(lines.every((l) => !l.includes('\n') && l.includes('client closed the connection')));
    const origin = url.origin;
    assert.equal(
      await metric(origin, 'shoplake_http_requests_total{route="/v1/orders",status="aborted"}'),
      3,
    );
    assert.equal(await metric(origin, 'shoplake_http_requests_total{route="/v1/orders",status="500"}'), 0);
  } finally {
    console.error = error;
    await t.close();
  }
});

test('write keys shorter than 8 characters are refused at start-up, from the environment too', () => {
  assert.throws(
    () => loadCollectorConfig(undefined, { SHOPLAKE_WRITE_KEYS: 'good-key-1,short' }),
    /SHOPLAKE_WRITE_KEYS: key 2 has 5 characters: write keys need at least 8/,
  );
  assert.deepEqual(loadCollectorConfig(undefined, { SHOPLAKE_WRITE_KEYS: 'good-key-1' }).writeKeys, [
    'good-key-1',
  ]);
});

test('a stop that cannot compact says exactly what stays in the WAL, and the next start compacts it', async () => {
  const { dir, cleanup } = tempDir('shoplake-backlog-');
  try {
    const config = collectorConfigSchema.parse({ writeKeys: [KEY], compactIntervalMs: 3_600_000 });
    // Without fraud scoring: a clean stop stores the orders' scores too, a second WAL table to count.
    const first = await startCollector({ dataDir: dir, port: 0, config, fraud: false });
    // The lake's directory is a plain file: every compaction fails (as on a broken lake disk).
    writeFileSync(join(dir, 'lake'), 'not a directory');
    const post = (ids: number[]) =>
      fetch(`${first.url}/v1/orders`, {
        method: 'POST',
        headers: { authorization: `Bearer ${KEY}`, 'content-type': 'application/json' },
        body: JSON.stringify(ids.map((i) => order(i))),
      });
    assert.equal((await post([1, 2, 3])).status, 200);
    const bytes = statSync(join(dir, 'wal', 'orders', '000000000001.ndjson')).size;
    const backlog = await first.close();
    assert.deepEqual(backlog, { segments: 1, bytes });

    rmSync(join(dir, 'lake'));
    const second = await startCollector({ dataDir: dir, port: 0, config });
    assert.deepEqual(await second.close(), { segments: 0, bytes: 0 });
    const engine = await DuckDbEngine.open(dir);
    try {
      assert.deepEqual(await engine.query('SELECT order_id FROM orders ORDER BY 1'), [
        { order_id: 'O1' },
        { order_id: 'O2' },
        { order_id: 'O3' },
      ]);
    } finally {
      await engine.close();
    }
  } finally {
    cleanup();
  }
});

test('a failed merge of small files is logged in one line and counted, and the segment is stored', async (t) => {
  const { dir, cleanup } = tempDir('shoplake-merge-');
  let partition = '';
  let locked = false;
  try {
    // Sixteen small files in one partition, from file ingest (which never merges).
    for (let i = 1; i <= 16; i++) {
      const input = writeText(join(dir, 'in', `o${i}.ndjson`), `${JSON.stringify(order(i))}\n`);
      await ingest({ dataDir: dir, table: TABLES.orders, input });
    }
    // Sixteen one-row batches each go into one partition (sized by volume: a year of so few rows).
    const partitions = readdirSync(join(dir, 'lake', 'orders')).filter((d) => d.startsWith('part='));
    assert.equal(partitions.length, 1, `one partition expected, found ${partitions.join(', ')}`);
    partition = join(dir, 'lake', 'orders', partitions[0] ?? '');
    try {
      // Immutable, so the merge cannot rename its file into the partition (root ignores permissions).
      execFileSync('chattr', ['+i', partition], { stdio: 'pipe' });
      locked = true;
    } catch (err) {
      if (process.env.CI === 'true') throw err;
      t.skip(`chattr +i not available here: ${(err as Error).message.split('\n')[0]}`);
      return;
    }
    const lines: string[] = [];
    const config = collectorConfigSchema.parse({ writeKeys: [KEY], compactIntervalMs: 3_600_000 });
    const server = await startCollector({ dataDir: dir, port: 0, config, log: (l) => lines.push(l) });
    try {
      const res = await fetch(`${server.url}/v1/orders`, {
        method: 'POST',
        headers: { authorization: `Bearer ${KEY}`, 'content-type': 'application/json' },
        // Another year, so another partition: the record itself lands; only the merge of the 16 fails.
        body: JSON.stringify(order(100, { order_date: '2024-11-29 10:00:00' })),
      });
      assert.equal(res.status, 200);
      await server.collector.compactNow();
      assert.equal(await metric(server.url, 'shoplake_compaction_merge_failures_total{table="orders"}'), 1);
    } finally {
      await server.close();
    }
    const failures = lines.filter((l) => l.startsWith('merging small orders files failed'));
    assert.equal(failures.length, 1, lines.join('\n'));
    assert.ok(!failures[0]?.includes('\n'));
    const engine = await DuckDbEngine.open(dir);
    try {
      assert.deepEqual(await engine.query('SELECT count(*) AS n FROM orders'), [{ n: 17 }]);
    } finally {
      await engine.close();
    }
  } finally {
    if (locked) execFileSync('chattr', ['-i', partition]);
    cleanup();
  }
});

test('a concurrent copy of a record whose write fails is not answered "duplicate"', async () => {
  const t = await testCollector();
  try {
    // The WAL directory replaced by a file: the next append fails (ENOTDIR), without needing root.
    const wal = join(t.dir, 'wal', 'orders');
    rmSync(wal, { recursive: true });
    writeFileSync(wal, 'not a directory');
    const body = { items: [{ index: 0, value: order(1) }], unparsable: [] };
    // Both start before either write finishes: the second finds the key reserved by the first.
    const first = t.collector.collect('orders', body);
    const second = t.collector.collect('orders', body);
    await assert.rejects(first, /cannot write its log \(ENOTDIR\)/);
    await assert.rejects(second, /earlier copy of some records in this request could not be stored/);
    assert.equal(t.collector.ready, false, 'not ready after a failed WAL write');
    rmSync(wal);
    mkdirSync(wal);
    // The probe (once a second) finds the WAL writable again; then the record is stored, once.
    const until = Date.now() + 10_000;
    while (!t.collector.ready && Date.now() < until) await new Promise((r) => setTimeout(r, 50));
    assert.equal(t.collector.ready, true, 'ready again');
    assert.equal((await t.collector.collect('orders', body)).accepted, 1);
    assert.equal((await t.collector.collect('orders', body)).duplicate, 1);
  } finally {
    await t.close();
  }
});

test('a quarantine copy that cannot be written is logged and counted, not swallowed', async () => {
  const { dir, cleanup } = tempDir('shoplake-qfail-');
  try {
    // The collector's quarantine directory is a plain file: appending to it fails.
    mkdirSync(join(dir, 'quarantine'), { recursive: true });
    writeFileSync(join(dir, 'quarantine', 'collector'), 'not a directory');
    const lines: string[] = [];
    const config = collectorConfigSchema.parse({ writeKeys: [KEY], compactIntervalMs: 3_600_000 });
    const server = await startCollector({ dataDir: dir, port: 0, config, log: (l) => lines.push(l) });
    try {
      const post = () =>
        fetch(`${server.url}/v1/orders`, {
          method: 'POST',
          headers: { authorization: `Bearer ${KEY}`, 'content-type': 'application/json' },
          body: JSON.stringify([order(1, { quantity: 0 }), order(2, { quantity: 0 })]),
        });
      assert.equal((await post()).status, 422);
      assert.equal((await post()).status, 422);
      const counted = () => metric(server.url, 'shoplake_quarantine_write_failures_total');
      for (let i = 0; i < 100 && (await counted()) < 4; i++) await new Promise((r) => setTimeout(r, 20));
      assert.equal(await counted(), 4);
    } finally {
      await server.close();
    }
    assert.equal(
      lines.filter((l) => l.startsWith('cannot keep rejected records')).length,
      1,
      lines.join('\n'),
    );
  } finally {
    cleanup();
  }
});
