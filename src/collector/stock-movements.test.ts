import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { test } from 'node:test';
import { findAnalysis, runAnalysis } from '../analyses/index.js';
import { DuckDbEngine } from '../engines/testing.js';
import { ingest } from '../ingest/index.js';
import { TABLES } from '../lake/index.js';
import { createKey } from '../security/index.js';
import { csv, tempDir, writeText } from '../testing/index.js';
import { createApp } from './app.js';
import { Collector } from './collector.js';
import { collectorConfigSchema } from './config.js';

const movement = (i: number, o: Record<string, unknown> = {}) => ({
  movement_id: `M${i}`,
  warehouse_id: 'WH-US-EAST',
  product_id: 'PHONE001',
  moved_at: '2025-11-28 10:00:00',
  movement_type: 'SALE',
  quantity: -1,
  reference: `ORD${i}`,
  ...o,
});

test('POST /v1/stock-movements: an ingest key stores movements; other roles are refused; bad rows are quarantined with their reason', async () => {
  const { dir, cleanup } = tempDir('shoplake-stock-');
  const collector = await Collector.open(dir, collectorConfigSchema.parse({ compactIntervalMs: 60_000 }));
  const server = createServer(createApp(collector));
  let closed = false;
  try {
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1/stock-movements`;
    const ingestKey = createKey(dir, { name: 'warehouse-feed', role: 'ingest' }).key;
    const viewerKey = createKey(dir, { name: 'reader', role: 'viewer' }).key;
    const post = (key: string | null, body: unknown) =>
      fetch(url, {
        method: 'POST',
        body: JSON.stringify(body),
        headers: { 'content-type': 'application/json', ...(key ? { authorization: `Bearer ${key}` } : {}) },
      });

    assert.equal((await post(null, [movement(1)])).status, 401);
    assert.equal((await post(viewerKey, [movement(1)])).status, 403);

    const res = await post(ingestKey, [
      movement(1),
      movement(2, { movement_type: 'RECEIPT', quantity: 40, reference: 'PO7' }),
      // A sale that adds stock, and a type the lake does not know.
      movement(3, { quantity: 2 }),
      movement(4, { movement_type: 'TRANSFER' }),
    ]);
    assert.equal(res.status, 207);
    const body = (await res.json()) as { accepted: number; rejected: number; errors: { index: number }[] };
    assert.equal(body.accepted, 2);
    assert.equal(body.rejected, 2);
    assert.deepEqual(body.errors.map((e) => e.index).sort(), [2, 3]);

    await collector.compactNow();
    const engine = await DuckDbEngine.open(dir);
    try {
      assert.deepEqual(
        await engine.query(
          'SELECT movement_id, movement_type, quantity FROM stock_movements ORDER BY movement_id',
        ),
        [
          { movement_id: 'M1', movement_type: 'SALE', quantity: -1 },
          { movement_id: 'M2', movement_type: 'RECEIPT', quantity: 40 },
        ],
      );
    } finally {
      await engine.close();
    }
    await collector.close();
    closed = true;
    const kept = readFileSync(join(dir, 'quarantine', 'collector', 'stock_movements.ndjson'), 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { index: number; reasons: string[] });
    assert.deepEqual(
      kept.map((k) => k.index),
      [2, 3],
    );
    assert.match(kept[0]?.reasons.join(' ') ?? '', /SALE negative/);
    assert.match(kept[1]?.reasons.join(' ') ?? '', /movement_type/);
  } finally {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
    if (!closed) await collector.close();
    cleanup();
  }
});

test('inventory follows orders and movements arriving through the collector, counting each order line once', async () => {
  const { dir, cleanup } = tempDir('shoplake-stock-');
  const collector = await Collector.open(
    dir,
    collectorConfigSchema.parse({ writeKeys: ['feed-key-123'], compactIntervalMs: 60_000 }),
  );
  const server = createServer(createApp(collector));
  try {
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    const post = async (path: string, body: unknown) => {
      const res = await fetch(base + path, {
        method: 'POST',
        body: JSON.stringify(body),
        headers: { 'content-type': 'application/json', authorization: 'Bearer feed-key-123' },
      });
      assert.equal(res.status, 200, await res.text());
    };
    for (const [table, text] of [
      ['warehouses', csv('warehouse_id,warehouse_name,region', [['WH-US-EAST', 'East', 'US-EAST']])],
      [
        'stock_levels',
        csv('warehouse_id,product_id,counted_at,on_hand,reorder_point,order_quantity,lead_time_days', [
          ['WH-US-EAST', 'PHONE001', '2025-11-27 00:00:00', 20, 5, 10, 3],
        ]),
      ],
    ] as const) {
      const r = await ingest({
        dataDir: dir,
        table: TABLES[table],
        input: writeText(join(dir, `${table}.csv`), text),
      });
      assert.equal(r.loaded, 1);
    }
    const order = (id: string, quantity: number, at: string) => ({
      order_id: id,
      customer_id: 'C1',
      product_id: 'PHONE001',
      product_name: 'Smartphone Pro',
      quantity,
      price: 10,
      total_amount: quantity * 10,
      order_date: at,
      status: 'COMPLETED',
      region: 'US-EAST',
    });
    // Two orders; the warehouse has recorded the first one's sale (and received 5 units), not the second's.
    await post('/v1/orders', [
      order('ORD-1', 3, '2025-11-28 09:00:00'),
      order('ORD-2', 2, '2025-11-28 11:00:00'),
    ]);
    await post('/v1/stock-movements', [
      movement(1, { reference: 'ORD-1', quantity: -3, moved_at: '2025-11-28 09:30:00' }),
      movement(2, {
        movement_type: 'RECEIPT',
        quantity: 5,
        reference: 'PO1',
        moved_at: '2025-11-28 10:00:00',
      }),
    ]);
    await collector.compactNow();
    const engine = await DuckDbEngine.open(dir);
    try {
      const rows = await runAnalysis(engine, await findAnalysis('inventory'), {});
      // 20 − 3 (ORD-1, by its SALE movement) + 5 − 2 (ORD-2, from orders) = 20.
      assert.deepEqual(
        rows.map((r) => [r.warehouse_id, r.product_id, r.moved, r.unrecorded_sales, r.on_hand]),
        [['WH-US-EAST', 'PHONE001', 2, 2, 20]],
      );
    } finally {
      await engine.close();
    }
  } finally {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
    await collector.close();
    cleanup();
  }
});
