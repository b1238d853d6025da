import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { DuckDbSession } from '../duckdb/index.js';
import { appendRows } from '../lake/append.test-helper.js';
import { dataLayout, TABLES } from '../lake/index.js';
import { tempDir } from '../testing/index.js';
import { collectRows, openEngine, type Row, type RowStream } from './index.js';

// Overlapping calls on one engine (the dashboard's warm engine and `serve` run several requests at
// once). Each test holds a stream open by reading its first batch only, makes the other calls, then
// reads the rest: the order of events is fixed by awaits, never by timing.

// Appends orders with the given ids and totals (one line each) through the lake's writer, which
// commits a new manifest for the orders table.
async function addOrders(dir: string, orders: [string, number][]): Promise<void> {
  const db = await DuckDbSession.open();
  try {
    const values = orders
      .map(
        ([id, total]) =>
          `('${id}', 'C1', 'P1', 'Pen', 1, ${total}, ${total}, TIMESTAMP '2026-11-01 10:00:00', 'COMPLETED', 'US-EAST', NULL, '1')`,
      )
      .join(', ');
    await appendRows(
      db,
      dataLayout(dir),
      TABLES.orders,
      `(SELECT * FROM (VALUES ${values}) t(order_id, customer_id, product_id, product_name, quantity, price, total_amount, order_date, status, region, discount, line_id))`,
    );
  } finally {
    db.close();
  }
}

// Appends customers (personal data: a masking engine reads them from its masked copy).
async function addCustomers(dir: string, ids: string[]): Promise<void> {
  const db = await DuckDbSession.open();
  try {
    const values = ids
      .map((id) => `('${id}', 'A', 'B', '${id}@b.c', 'X', 'US-EAST', DATE '2025-01-01', 10.0, 'GOLD')`)
      .join(', ');
    await appendRows(
      db,
      dataLayout(dir),
      TABLES.customers,
      `(SELECT * FROM (VALUES ${values}) t(customer_id, first_name, last_name, email, city, region, signup_date, lifetime_value, tier))`,
    );
  } finally {
    db.close();
  }
}

// 3 orders x 200 000 generated rows: many batches, so the stream is still open after the first.
const LONG = 'SELECT o.order_id, r.range AS i FROM orders o, range(200000) r';
const LONG_ROWS = 3 * 200_000;

// Reads the first batch, runs `meanwhile`, then reads the rest; returns the number of rows in all.
async function countAround(stream: RowStream, meanwhile: () => Promise<void>): Promise<number> {
  const it = stream[Symbol.asyncIterator]();
  const first = await it.next();
  assert.equal(first.done, false);
  let rows = first.value.length;
  assert.ok(rows < LONG_ROWS, 'the stream must still be open after its first batch');
  await meanwhile();
  for (let next = await it.next(); !next.done; next = await it.next()) rows += next.value.length;
  return rows;
}

const n = (rows: Row[]) => rows[0]?.n;

describe('overlapping calls on one engine', () => {
  let dir: string;
  let cleanup: () => void;
  before(() => {
    ({ dir, cleanup } = tempDir());
  });
  after(() => cleanup());

  it('a stream open across a new batch and another query ends with all its rows; the query sees the batch', async () => {
    await addOrders(dir, [
      ['O1', 1],
      ['O2', 2],
      ['O3', 3],
    ]);
    const engine = await openEngine({ dataDir: dir });
    try {
      let seen: unknown;
      const rows = await countAround(await engine.stream(LONG), async () => {
        await addOrders(dir, [['O4', 4]]);
        seen = n(await engine.query('SELECT count(*) AS n FROM orders'));
        // A second stream run to its end while the first is open.
        const other = await collectRows(await engine.stream('SELECT sum(total_amount) AS n FROM orders'));
        assert.equal(n(other), 1 + 2 + 3 + 4);
      });
      assert.equal(rows, LONG_ROWS);
      assert.equal(seen, 4);
    } finally {
      await engine.close();
    }
  });

  it('sandboxed: a user SELECT open across a new batch and another user SELECT ends with all its rows', async () => {
    const engine = await openEngine({ dataDir: dir, sandboxed: true });
    try {
      const before = n(await collectRows(await engine.querySelect('SELECT count(*) AS n FROM orders')));
      assert.equal(before, 4);
      let seen: unknown;
      const rows = await countAround(await engine.querySelect(LONG), async () => {
        await addOrders(dir, [['O5', 5]]);
        seen = n(await collectRows(await engine.querySelect('SELECT count(*) AS n FROM orders')));
      });
      // The first statement read the 4 orders it started with, the second the 5 there are now.
      assert.equal(rows, 4 * 200_000);
      assert.equal(seen, 5);
    } finally {
      await engine.close();
    }
  });

  it('sandboxed: state a user SELECT sets reaches neither an open statement nor a later one', async () => {
    const engine = await openEngine({ dataDir: dir, sandboxed: true });
    try {
      let seen: unknown;
      const logs = join(dir, 'logs');
      const rows = await countAround(await engine.querySelect(LONG), async () => {
        // Reconfigures the session's logging to a directory it may not write (see engine.test.ts).
        await collectRows(
          await engine.querySelect(
            `SELECT * FROM enable_logging(storage = 'file', storage_path = '${logs}')`,
          ),
        ).catch(() => []);
        seen = n(await collectRows(await engine.querySelect('SELECT count(*) AS n FROM orders')));
      });
      assert.equal(rows, 5 * 200_000);
      assert.equal(seen, 5);
      assert.ok(!existsSync(logs), 'no log directory written');
    } finally {
      await engine.close();
    }
  });

  it('sandboxed: two user SELECTs started together each read all their rows, in a session of their own', async () => {
    const engine = await openEngine({ dataDir: dir, sandboxed: true });
    try {
      const [a, b] = await Promise.all([
        engine.querySelect(LONG).then(collectRows),
        engine.querySelect(LONG).then(collectRows),
      ]);
      assert.equal(a.length, 5 * 200_000);
      assert.equal(b.length, 5 * 200_000);
    } finally {
      await engine.close();
    }
  });

  it('sandboxed: a trusted stream open across a user SELECT ends with all its rows', async () => {
    const engine = await openEngine({ dataDir: dir, sandboxed: true });
    try {
      let seen: unknown;
      const rows = await countAround(await engine.stream(LONG), async () => {
        seen = n(await collectRows(await engine.querySelect('SELECT count(*) AS n FROM orders')));
      });
      assert.equal(rows, 5 * 200_000);
      assert.equal(seen, 5);
    } finally {
      await engine.close();
    }
  });

  it('sandboxed and masking: a user SELECT over customers open across a new batch ends with all its rows', async () => {
    await addCustomers(dir, ['C1', 'C2']);
    const engine = await openEngine({ dataDir: dir, sandboxed: true, role: 'viewer' });
    try {
      let seen: unknown;
      const wide = 'SELECT c.email, r.range AS i FROM customers c, range(300000) r';
      const rows = await countAround(await engine.querySelect(wide), async () => {
        // A new version of customers: the next statement gets a new masked copy.
        await addCustomers(dir, ['C3']);
        seen = n(await collectRows(await engine.querySelect('SELECT count(*) AS n FROM customers')));
      });
      assert.equal(rows, 2 * 300_000);
      assert.equal(seen, 3);
    } finally {
      await engine.close();
    }
  });

  it('two queries started together right after a new batch both succeed and both see it', async () => {
    const engine = await openEngine({ dataDir: dir });
    try {
      assert.equal(n(await engine.query('SELECT count(*) AS n FROM orders')), 5);
      await addOrders(dir, [['O6', 6]]);
      const [count, sum, tables] = await Promise.all([
        engine.query('SELECT count(*) AS n FROM orders'),
        engine.query('SELECT sum(total_amount) AS n FROM orders'),
        engine.tables(),
      ]);
      assert.equal(n(count), 6);
      assert.equal(n(sum), 1 + 2 + 3 + 4 + 5 + 6);
      assert.equal(tables.find((t) => t.table === 'orders')?.state, 'loaded');
    } finally {
      await engine.close();
    }
  });

  it('a table that was never loaded still fails only the query naming it while others overlap', async () => {
    const engine = await openEngine({ dataDir: dir });
    try {
      const [orders, clicks] = await Promise.allSettled([
        engine.query('SELECT count(*) AS n FROM orders'),
        engine.query('SELECT count(*) AS n FROM clickstream'),
      ]);
      assert.equal(orders.status === 'fulfilled' && n(orders.value), 6);
      assert.equal(clicks.status, 'rejected');
      assert.match(String(clicks.status === 'rejected' && clicks.reason), /clickstream/);
    } finally {
      await engine.close();
    }
  });
});
