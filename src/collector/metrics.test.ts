import assert from 'node:assert/strict';
import { test } from 'node:test';
import { order, testCollector } from './testkit.test-helper.js';

/** The value of one exported series ("name{labels}"), or undefined when it is not exported. */
async function series(
  app: { request(path: string): Promise<Response> },
  name: string,
): Promise<number | undefined> {
  const text = await (await app.request('/metrics')).text();
  const line = text.split('\n').find((l) => l.startsWith(`${name} `));
  return line === undefined ? undefined : Number(line.slice(name.length + 1));
}

test('refused records are counted once each under their reason class', async () => {
  const t = await testCollector();
  try {
    const lines = [
      JSON.stringify(order(1)),
      '{"order_id": "O2", broken',
      JSON.stringify(order(3, { quantity: 'two' })),
      // 2 × 9.99 is 19.98, not 5: a row check, not a field.
      JSON.stringify(order(4, { total_amount: 5 })),
      JSON.stringify(order(5, { quantity: 'x', price: 'y' })),
    ];
    const res = await t.post('/v1/orders', lines.join('\n'), { 'content-type': 'application/x-ndjson' });
    assert.equal(res.status, 207);
    const rejected = (reason: string) =>
      series(t.app, `shoplake_collector_rejected_records_total{table="orders",reason="${reason}"}`);
    assert.equal(await rejected('unparsable'), 1);
    // Order 5 has two bad fields and counts once.
    assert.equal(await rejected('invalid_field'), 2);
    assert.equal(await rejected('row_check'), 1);
    assert.equal(
      await series(
        t.app,
        'shoplake_collector_rejected_records_total{table="clickstream",reason="row_check"}',
      ),
      0,
    );
  } finally {
    await t.close();
  }
});

test('segments waiting in the WAL and the age of the oldest are exported until compaction', async () => {
  const t = await testCollector();
  try {
    assert.equal(await series(t.app, 'shoplake_wal_pending_segments'), 0);
    assert.equal(await series(t.app, 'shoplake_wal_oldest_pending_age_seconds'), 0);
    assert.equal((await t.post('/v1/orders', [order(1)])).status, 200);
    assert.equal((await t.post('/v1/events', [{ ...order(2) }])).status, 422);
    assert.equal(await series(t.app, 'shoplake_wal_pending_segments'), 1);
    assert.ok(((await series(t.app, 'shoplake_wal_oldest_pending_age_seconds')) ?? -1) >= 0);
    await t.collector.compactNow();
    assert.equal(await series(t.app, 'shoplake_wal_pending_segments'), 0);
    assert.equal(await series(t.app, 'shoplake_wal_oldest_pending_age_seconds'), 0);
  } finally {
    await t.close();
  }
});
