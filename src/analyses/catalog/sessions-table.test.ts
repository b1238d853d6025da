import assert from 'node:assert/strict';
import { readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { DuckDbSession } from '../../duckdb/index.js';
import { DuckDbEngine } from '../../engines/testing.js';
import { generate, generateDefaults } from '../../generate/index.js';
import { ingest } from '../../ingest/index.js';
import {
  dataLayout,
  rollbackBatch,
  sessionRowsSql,
  TABLES,
  type TableName,
  tableBatches,
} from '../../lake/index.js';
import {
  CLICKSTREAM_HEADER,
  CUSTOMERS_HEADER,
  csv,
  ORDERS_HEADER,
  tempDir,
  writeText,
} from '../../testing/index.js';
import { findAnalysis, runAnalysis } from '../index.js';
import { eventLevelSql } from './parts/event-level.test-helper.js';

type Case = readonly [name: string, params: Record<string, unknown>];

/** Every session analysis with parameters that take the table path, the cut-range path and the event path. */
function cases(from: string, to: string): Case[] {
  return [
    ['sessions', {}],
    ['sessions', { by: 'device' }],
    ['sessions', { by: 'total', from }],
    ['sessions', { from, to, tz: 'America/New_York' }],
    ['conversion-by-device', {}],
    ['conversion-by-device', { from, to }],
    ['ab-test', {}],
    ['ab-test', { to }],
    ['funnel', {}],
    ['funnel', { by: 'device' }],
    ['funnel', { from, to }],
    ['funnel', { by: 'device', from }],
    ['funnel', { by: 'region' }],
    ['funnel', { windowMinutes: 3 }],
    ['funnel', { steps: 'VIEW,PURCHASE', from }],
    ['user-paths', {}],
    ['user-paths', { depth: 10 }],
    ['user-paths', { depth: 2, from, to }],
    ['user-paths', { show: 'exits' }],
    ['user-paths', { show: 'exits', from, to }],
  ];
}

/** Runs each case from the sessions table and from the event-level reference, and compares the answers. */
async function assertSameAsEvents(engine: DuckDbEngine, all: readonly Case[]): Promise<number> {
  let rows = 0;
  for (const [name, params] of all) {
    const analysis = await findAnalysis(name);
    const table = await runAnalysis(engine, analysis, params);
    const reference = await runAnalysis(
      engine,
      { ...analysis, sql: (p: Record<string, unknown>) => eventLevelSql(name, p) },
      params,
    );
    assert.deepEqual(table, reference, `${name} ${JSON.stringify(params)}`);
    rows += table.length;
  }
  return rows;
}

async function load(dir: string, table: TableName, name: string, text: string): Promise<string> {
  const file = writeText(join(dir, 'raw', table, name), text);
  const report = await ingest({ dataDir: dir, table: TABLES[table], input: file });
  assert.equal(report.quarantined, 0, `fixture ${name} has invalid rows`);
  return report.batch;
}

const d1 = (hm: string) => `2026-11-01 ${hm}:00`;

/*
 * C4 browses without session ids: VIEW 11:00, ADD 11:10 | 50 min | VIEW 12:00, CHECKOUT 12:05, PURCHASE
 * 12:06 — two derived sessions. S1 arrives in two batches. A late batch brings C4's 11:35 VIEW, which
 * joins both into one session (gaps 25 and 25 minutes), and an S1 event before its first one.
 */
describe('the sessions table, maintained batch by batch, answers as the events do', () => {
  let engine: DuckDbEngine;
  let cleanup: () => void;
  let dir: string;
  let late = '';
  let lateOrder = '';
  const c4 = async () =>
    engine.query(
      "SELECT session_id, events, duration_seconds, purchased, view_at, cart_at, checkout_at, purchase_at FROM sessions WHERE customer_id = 'C4' ORDER BY started",
    );

  const c4revenue = async () =>
    engine.query(
      "SELECT orders, CAST(revenue AS VARCHAR) AS revenue FROM sessions WHERE customer_id = 'C4' ORDER BY started",
    );

  before(async () => {
    const t = tempDir();
    cleanup = t.cleanup;
    dir = t.dir;
    await load(
      dir,
      'customers',
      'customers.csv',
      csv(CUSTOMERS_HEADER, [
        ['C1', 'Ann', 'Lee', 'ann@example.com', 'Boston', 'US-EAST', '2024-01-05', '2500.00', 'GOLD'],
        ['C4', 'Di', 'Ruiz', 'di@example.com', 'Lima', 'LATAM', '2025-03-12', '20.00', 'BRONZE'],
      ]),
    );
    await load(dir, 'experiments', 'x.csv', 'session_id,experiment,variant\nS1,exp1,A\nS2,exp1,B\n');
    // O1 (two lines) is C1's purchase at S1's 10:04 PURCHASE; O9 at 10:30 matches no PURCHASE event.
    await load(
      dir,
      'orders',
      'o1.csv',
      csv(ORDERS_HEADER, [
        [
          'O1',
          'C1',
          'LAPTOP001',
          'Gaming Laptop',
          1,
          '1299.99',
          '1299.99',
          d1('10:04'),
          'COMPLETED',
          'US-EAST',
        ],
        ['O1', 'C1', 'CABLE001', 'USB-C Cable', 2, '14.99', '29.98', d1('10:04'), 'COMPLETED', 'US-EAST'],
        ['O9', 'C1', 'CABLE001', 'USB-C Cable', 1, '14.99', '14.99', d1('10:30'), 'COMPLETED', 'US-EAST'],
      ]),
    );
    await load(
      dir,
      'clickstream',
      'b1.csv',
      csv(CLICKSTREAM_HEADER, [
        [d1('10:00'), 'S1', 'C1', 'VIEW', 'product', 'LAPTOP001', 'desktop', 30],
        [d1('10:01'), 'S1', 'C1', 'ADD_TO_CART', 'product', 'LAPTOP001', 'desktop', 5],
        [d1('11:00'), '', 'C4', 'VIEW', 'product', 'CASE001', 'desktop', 10],
        [d1('11:10'), '', 'C4', 'ADD_TO_CART', 'product', 'CASE001', 'desktop', 5],
        [d1('23:50'), 'S2', 'C1', 'VIEW', 'home', '', 'mobile', 8],
      ]),
    );
    await load(
      dir,
      'clickstream',
      'b2.csv',
      csv(CLICKSTREAM_HEADER, [
        [d1('10:03'), 'S1', 'C1', 'CHECKOUT', 'checkout', 'LAPTOP001', 'desktop', 40],
        [d1('10:04'), 'S1', 'C1', 'PURCHASE', 'checkout', 'LAPTOP001', 'desktop', 3],
        [d1('12:00'), '', 'C4', 'VIEW', 'product', 'CASE001', 'desktop', 15],
        [d1('12:05'), '', 'C4', 'CHECKOUT', 'checkout', 'CASE001', 'desktop', 30],
        [d1('12:06'), '', 'C4', 'PURCHASE', 'checkout', 'CASE001', 'desktop', 2],
        ['2026-11-02 00:20:00', 'S2', 'C1', 'PURCHASE', 'checkout', 'PHONE001', 'mobile', 4],
      ]),
    );
    engine = await DuckDbEngine.open(dir);
  });
  after(async () => {
    await engine.close();
    cleanup();
  });

  it('holds C4’s two derived sessions with their funnel times (hand-computed)', async () => {
    // 11:00–11:10(+5 s): 605 s, VIEW at 0, cart at 600; 12:00–12:06(+2 s): 362 s, VIEW 0, CHECKOUT without
    // a cart, so the funnel stops at VIEW.
    assert.deepEqual(
      (await c4()).map((r) => [
        r.events,
        r.duration_seconds,
        r.purchased,
        r.view_at,
        r.cart_at,
        r.checkout_at,
      ]),
      [
        [2, 605, 0, 0, 600, null],
        [3, 362, 1, 0, null, null],
      ],
    );
    const [s1] = await engine.query(
      "SELECT events, purchase_at, path_steps, path_1, path_4 FROM sessions WHERE session_id = 'S1'",
    );
    // S1 came in two batches: VIEW 10:00, ADD 10:01, CHECKOUT 10:03, PURCHASE 10:04 → purchase 240 s in.
    assert.deepEqual(
      { ...s1 },
      { events: 4, purchase_at: 240, path_steps: 4, path_1: 'PURCHASE', path_4: 'product' },
    );
    // S1's PURCHASE arrived after O1: the link is made when the event comes (1299.99 + 29.98).
    const [linked] = await engine.query(
      "SELECT orders, CAST(revenue AS VARCHAR) AS revenue FROM sessions WHERE session_id = 'S1'",
    );
    assert.deepEqual({ ...linked }, { orders: 1, revenue: '1329.9700' });
    await assertSameAsEvents(engine, cases('2026-11-01', '2026-11-01'));
  });

  it('a late event joins two derived sessions, and the table follows', async () => {
    late = await load(
      dir,
      'clickstream',
      'late.csv',
      csv(CLICKSTREAM_HEADER, [
        [d1('11:35'), '', 'C4', 'VIEW', 'category', '', 'desktop', 20],
        [d1('09:59'), 'S1', 'C1', 'VIEW', 'home', '', 'mobile', 10],
      ]),
    );
    // One session 11:00 → 12:06(+2 s) = 3962 s with 6 events; ADD 11:10 (600), CHECKOUT 12:05 (3900),
    // PURCHASE 12:06 (3960).
    assert.deepEqual(
      (await c4()).map((r) => [
        r.events,
        r.duration_seconds,
        r.purchased,
        r.cart_at,
        r.checkout_at,
        r.purchase_at,
      ]),
      [[6, 3962, 1, 600, 3900, 3960]],
    );
    const [s1] = await engine.query(
      "SELECT device, events, view_at, purchase_at FROM sessions WHERE session_id = 'S1'",
    );
    // The late 09:59 mobile VIEW is now S1's first event: device mobile, purchase 300 s after it.
    assert.deepEqual({ ...s1 }, { device: 'mobile', events: 5, view_at: 0, purchase_at: 300 });
    // An order arriving after its PURCHASE event links to the session then: C4's 12:06 purchase.
    lateOrder = await load(
      dir,
      'orders',
      'o2.csv',
      csv(ORDERS_HEADER, [
        ['O2', 'C4', 'CASE001', 'Phone Case', 2, '10.00', '20.00', d1('12:06'), 'COMPLETED', 'LATAM'],
      ]),
    );
    assert.deepEqual(
      (await c4revenue()).map((r) => [r.orders, r.revenue]),
      [[1, '20.0000']],
    );
    await assertSameAsEvents(engine, cases('2026-11-01', '2026-11-01'));
  });

  it('rolling the late batch back restores the sessions as they were', async () => {
    const db = await DuckDbSession.open();
    try {
      await rollbackBatch(db, dataLayout(dir), late);
      await rollbackBatch(db, dataLayout(dir), lateOrder);
    } finally {
      db.close();
    }
    assert.deepEqual(
      (await c4()).map((r) => [r.events, r.duration_seconds]),
      [
        [2, 605],
        [3, 362],
      ],
    );
    // Without O2, C4's purchasing session links no order again.
    assert.deepEqual(
      (await c4revenue()).map((r) => [r.orders, r.revenue]),
      [
        [0, '0.0000'],
        [0, '0.0000'],
      ],
    );
    await assertSameAsEvents(engine, cases('2026-11-01', '2026-11-02'));
  });

  it('a sessions table out of step (lost, or a writer died between commits) is recomputed by the next load', async () => {
    rmSync(join(dir, 'lake', 'sessions'), { recursive: true, force: true });
    await load(
      dir,
      'clickstream',
      'b4.csv',
      csv(CLICKSTREAM_HEADER, [['2026-11-03 08:00:00', 'S9', 'C1', 'VIEW', 'home', '', 'tablet', 5]]),
    );
    // Every session again, not only S9: S1, S2, C4's two and S9.
    const [n] = await engine.query('SELECT count(*) AS n FROM sessions');
    assert.equal(Number(n?.n), 5);
    await assertSameAsEvents(engine, cases('2026-11-01', '2026-11-02'));
  });

  it('refuses to load or roll back the derived table itself', async () => {
    await assert.rejects(
      ingest({ dataDir: dir, table: TABLES.sessions, input: join(dir, 'raw', 'experiments', 'x.csv') }),
      /derived from clickstream/,
    );
    const [sessionsBatch] = tableBatches(dataLayout(dir), 'sessions');
    const db = await DuckDbSession.open();
    try {
      await assert.rejects(
        rollbackBatch(db, dataLayout(dir), sessionsBatch?.id ?? ''),
        /roll back the clickstream batch/,
      );
    } finally {
      db.close();
    }
  });
});

// Generated data loaded in three interleaved batches (sessions split across them, events arriving after
// later ones), a fifth of the customers without session ids, then one batch rolled back.
describe('on a generated lake loaded in interleaved batches', () => {
  let engine: DuckDbEngine;
  let cleanup: () => void;
  let dir: string;
  const batches: string[] = [];
  const asOf = new Date('2026-11-10T00:00:00Z');
  const [from, to] = ['2026-11-06', '2026-11-08'];

  before(async () => {
    const t = tempDir();
    cleanup = t.cleanup;
    dir = t.dir;
    await generate({
      ...generateDefaults,
      orders: 3000,
      customers: 300,
      events: 16000,
      days: 6,
      seed: 5,
      asOf,
      out: dir,
      experiment: { name: 'exp', lift: 0.2, split: 0.5 },
    });
    for (const table of ['customers', 'experiments', 'orders'] as const) {
      await ingest({ dataDir: dir, table: TABLES[table], input: join(dir, 'raw', table) });
    }
    const [header, ...lines] = readFileSync(join(dir, 'raw', 'clickstream', 'clickstream.csv'), 'utf8')
      .trim()
      .split('\n');
    const parts: string[][] = [[], [], []];
    let seed = 7;
    for (const line of lines) {
      const cells = line.split(',');
      // Customers whose id ends in 3 or 7 send no session ids: their sessions follow the 30-minute rule.
      if (/[37]$/.test(cells[2] ?? '')) cells[1] = '';
      seed = (seed * 1103515245 + 12345) % 2 ** 31;
      parts[seed % 3]?.push(cells.join(','));
    }
    for (const [i, part] of parts.entries()) {
      const file = writeText(join(dir, 'chunks', `c${i}.csv`), `${header}\n${part.join('\n')}\n`);
      const report = await ingest({ dataDir: dir, table: TABLES.clickstream, input: file });
      batches.push(report.batch);
    }
    engine = await DuckDbEngine.open(dir);
  });
  after(async () => {
    await engine.close();
    cleanup();
  });

  it('the incrementally kept table equals one computed from scratch', async () => {
    const [kept] = await engine.query(
      'SELECT count(*) AS n, count(DISTINCT session_id) AS ids, sum(events) AS events FROM sessions',
    );
    const [all] = await engine.query('SELECT count(*) AS n FROM clickstream');
    assert.equal(Number(kept?.n), Number(kept?.ids), 'one row per session');
    assert.equal(Number(kept?.events), Number(all?.n), 'every event counted once');
    // Recomputed from every event at once, the rows are the same (columns and values).
    const [diff] = await engine.query(`SELECT
      (SELECT count(*) FROM (SELECT * FROM sessions EXCEPT ALL SELECT * FROM (${sessionRowsSql('clickstream', 'orders', 'experiments')}))) AS extra,
      (SELECT count(*) FROM (SELECT * FROM (${sessionRowsSql('clickstream', 'orders', 'experiments')}) EXCEPT ALL SELECT * FROM sessions)) AS missing`);
    assert.deepEqual([Number(diff?.extra), Number(diff?.missing)], [0, 0]);
    // Independently: each order whose customer has a PURCHASE event at its order_date, counted once per
    // such session, and the sum of its lines; the generator gives every purchasing session its order.
    const [link] = await engine.query(`SELECT
      (SELECT sum(orders) FROM sessions) AS linked,
      (SELECT count(*) FROM (SELECT DISTINCT o.order_id, c.session_id FROM orders o JOIN clickstream c
        ON c.customer_id = o.customer_id AND c."timestamp" = o.order_date AND c.action = 'PURCHASE')) AS expected,
      (SELECT sum(purchased) FROM sessions) AS purchasing`);
    assert.equal(Number(link?.linked), Number(link?.expected));
    assert.ok(Number(link?.linked) >= Number(link?.purchasing) * 0.9, JSON.stringify(link));
    const [derived] = await engine.query("SELECT count(*) AS n FROM sessions WHERE session_id LIKE '%~%'");
    assert.ok(Number(derived?.n) > 50, 'the fixture has derived sessions');
  });

  it('every session analysis answers as the events do, with and without a cutting range', async () => {
    const rows = await assertSameAsEvents(engine, cases(from, to));
    assert.ok(rows > 100, `compared ${rows} rows`);
  });

  it('after rolling back the middle batch, too', async () => {
    const db = await DuckDbSession.open();
    try {
      await rollbackBatch(db, dataLayout(dir), batches[1] ?? '');
    } finally {
      db.close();
    }
    await assertSameAsEvents(engine, cases(from, to));
  });
});
