import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { test } from 'node:test';
import { DuckDbEngine } from '../engines/testing.js';
import { event, KEY, order, testCollector } from './testkit.test-helper.js';

const errorOf = async (res: Response) =>
  ((await res.json()) as { error: { code: string; status: number } }).error;

test('valid orders and events are stored once, then queryable after compaction', async () => {
  const t = await testCollector();
  try {
    const first = await t.post('/v1/orders', [order(1), order(2)]);
    assert.equal(first.status, 200);
    assert.deepEqual(await first.json(), { accepted: 2, duplicate: 0, rejected: 0, errors: [] });
    // Retrying the same batch is safe: both answer as duplicates.
    assert.deepEqual(await (await t.post('/v1/orders', [order(1), order(2)])).json(), {
      accepted: 0,
      duplicate: 2,
      rejected: 0,
      errors: [],
    });
    const ndjson = `${JSON.stringify(event(1))}\n${JSON.stringify(event(2))}\n`;
    const ev = await t.post('/v1/events', ndjson, { 'content-type': 'application/x-ndjson' });
    assert.equal((await ev.json()).accepted, 2);
    assert.equal((await t.post('/v1/events', event(3))).status, 200);
    await t.collector.compactNow();
    const engine = await DuckDbEngine.open(t.dir);
    try {
      assert.deepEqual(await engine.query('SELECT order_id FROM orders ORDER BY 1'), [
        { order_id: 'O1' },
        { order_id: 'O2' },
      ]);
      assert.deepEqual(await engine.query('SELECT count(*) AS n FROM clickstream'), [{ n: 3 }]);
    } finally {
      await engine.close();
    }
    // After compaction the keys still count as duplicates (they are now in the lake).
    assert.equal((await (await t.post('/v1/orders', order(1))).json()).duplicate, 1);
  } finally {
    await t.close();
  }
});

test('partly invalid batches answer 207 with each rejected index, field and reason', async () => {
  const t = await testCollector();
  try {
    const res = await t.post('/v1/orders', [order(1), order(2, { quantity: 0 }), order(3, { region: '' })]);
    assert.equal(res.status, 207);
    const body = await res.json();
    assert.equal(body.accepted, 1);
    assert.equal(body.rejected, 2);
    assert.deepEqual(
      body.errors.map((e: { index: number; field: string }) => [e.index, e.field]),
      [
        [1, 'quantity'],
        [2, 'region'],
      ],
    );
    const all = await t.post('/v1/orders', [order(4, { price: -1 })]);
    assert.equal(all.status, 422);
  } finally {
    await t.close();
  }
});

test('auth: missing, malformed and unknown keys get 401 with WWW-Authenticate', async () => {
  const t = await testCollector();
  try {
    for (const authorization of ['', 'Basic abc', 'Bearer nope-nope-nope', `Bearer ${KEY}x`]) {
      const res = await t.post('/v1/orders', order(1), { authorization });
      assert.equal(res.status, 401, authorization);
      assert.ok(res.headers.get('www-authenticate'));
      assert.equal((await errorOf(res)).code, 'unauthorized');
    }
  } finally {
    await t.close();
  }
});

test('routing errors: 404 unknown path, 405 wrong method', async () => {
  const t = await testCollector();
  try {
    assert.equal((await errorOf(await t.app.request('/v1/nope'))).status, 404);
    const get = await t.app.request('/v1/orders');
    assert.equal(get.status, 405);
    assert.equal((await errorOf(get)).code, 'method_not_allowed');
  } finally {
    await t.close();
  }
});

test('413 for a body over the limit, by Content-Length and by streamed size', async () => {
  const t = await testCollector({ maxBodyBytes: 1000 });
  try {
    const big = JSON.stringify([order(1, { product_name: 'x'.repeat(2000) })]);
    const res = await t.post('/v1/orders', big);
    assert.equal(res.status, 413);
    const streamed = new ReadableStream({
      start(c) {
        c.enqueue(new TextEncoder().encode(big));
        c.close();
      },
    });
    const res2 = await t.app.request('/v1/orders', {
      method: 'POST',
      body: streamed,
      headers: { authorization: `Bearer ${KEY}` },
      duplex: 'half',
    } as RequestInit);
    assert.equal(res2.status, 413);
    assert.equal((await errorOf(res2)).code, 'body_too_large');
  } finally {
    await t.close();
  }
});

test('429 with Retry-After once a key passes its records-per-second rate', async () => {
  const t = await testCollector({ rateLimit: 5 });
  try {
    assert.equal(
      (
        await t.post(
          '/v1/orders',
          [1, 2, 3, 4, 5].map((i) => order(i)),
        )
      ).status,
      200,
    );
    const res = await t.post('/v1/orders', order(6));
    assert.equal(res.status, 429);
    assert.ok(Number(res.headers.get('retry-after')) >= 1);
  } finally {
    await t.close();
  }
});

test('503 backpressure when un-compacted bytes pass the bound, and readyz says not ready', async () => {
  const t = await testCollector({ maxPendingBytes: 100 });
  try {
    assert.equal((await t.post('/v1/orders', [order(1)])).status, 200);
    const res = await t.post('/v1/orders', [order(2)]);
    assert.equal(res.status, 503);
    assert.equal((await errorOf(res)).code, 'backpressure');
    assert.ok(res.headers.get('retry-after'));
    assert.equal((await t.app.request('/readyz')).status, 503);
    await t.collector.compactNow();
    assert.equal((await t.app.request('/readyz')).status, 200);
    assert.equal((await t.post('/v1/orders', [order(2)])).status, 200);
  } finally {
    await t.close();
  }
});

test('healthz, and metrics in valid Prometheus text format with the issue-listed series', async () => {
  const t = await testCollector();
  try {
    assert.deepEqual(await (await t.app.request('/healthz')).json(), { status: 'ok' });
    await t.post('/v1/orders', [order(1), order(2, { quantity: 0 })]);
    await t.collector.compactNow();
    const text = await (await t.app.request('/metrics')).text();
    for (const series of [
      'shoplake_http_requests_total{route="/v1/orders",status="207"} 1',
      'shoplake_records_total{table="orders",outcome="accepted"} 1',
      'shoplake_records_total{table="orders",outcome="rejected"} 1',
      'shoplake_ingest_latency_seconds_bucket',
      'shoplake_wal_pending_bytes 0',
      'shoplake_compaction_duration_seconds_count{table="orders"} 1',
      'shoplake_compaction_lag_seconds_count{table="orders"} 1',
      'shoplake_lake_rows{table="orders"} 1',
      'shoplake_lake_bytes{table="orders"}',
    ]) {
      assert.ok(text.includes(series), `missing ${series}`);
    }
    const promtool = spawnSync('promtool', ['check', 'metrics'], { input: text, encoding: 'utf8' });
    if (promtool.error) {
      assert.notEqual(process.env.CI, 'true', 'promtool is required in CI: apt-get install -y prometheus');
    } else {
      assert.equal(promtool.status, 0, promtool.stdout + promtool.stderr);
    }
  } finally {
    await t.close();
  }
});
