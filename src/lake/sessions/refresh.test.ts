import assert from 'node:assert/strict';
import { existsSync, readdirSync } from 'node:fs';
import { after, before, describe, it } from 'node:test';
import { DuckDbSession } from '../../duckdb/index.js';
import { tempDir } from '../../testing/index.js';
import { appendRows } from '../append.test-helper.js';
import { type DataLayout, dataLayout, tableDirectory } from '../layout.js';
import { withTableLock } from '../lock.js';
import { tableSnapshot } from '../manifest.js';
import { lakeParquetSql } from '../parquet-sql.js';
import { tableSelectSql } from '../read-sql.js';
import { TABLES } from '../tables.js';
import { sessionRowsSql } from './derive.js';
import { refreshSessions, type SessionsRefresh } from './refresh.js';

// 3,000 events over three days (2026-11-01 to 11-03), 120 customers; customers whose number ends in 0 or 5
// send no session_id (their sessions follow the 30-minute rule), the others share 400 session ids.
const EVENTS = `(SELECT 'e' || i AS event_id,
    TIMESTAMP '2026-11-01 00:00:00' + to_seconds(((i * 7919) % 259200)::BIGINT) AS "timestamp",
    CASE WHEN (i % 120) % 5 = 0 THEN NULL ELSE 'S' || lpad(CAST(i % 400 AS VARCHAR), 4, '0') END AS session_id,
    'C' || (i % 120) AS customer_id,
    ['VIEW', 'VIEW', 'ADD_TO_CART', 'CHECKOUT', 'PURCHASE'][1 + i % 5] AS action,
    ['home', 'product', 'cart', 'checkout', 'checkout'][1 + i % 5] AS page,
    NULL AS product_id,
    ['mobile', 'desktop', 'tablet'][1 + i % 3] AS device,
    CAST(i % 40 AS INTEGER) AS duration_seconds
  FROM range(3000) t(i))`;

// An order at each third PURCHASE event's customer and second, so that sessions link orders.
const ORDERS = `(SELECT 'O' || event_id AS order_id, customer_id, 'P1' AS product_id, 'Pen' AS product_name,
    1 AS quantity, 2.5 AS price, 2.5 AS total_amount, "timestamp" AS order_date, 'COMPLETED' AS status,
    'US-EAST' AS region
  FROM ${EVENTS} WHERE action = 'PURCHASE' AND CAST(substr(event_id, 2) AS INTEGER) % 3 = 0)`;

// Assignments for every third session id in two experiments, each id of 'b' also in 'a': a several-pass
// computation must give each pass the assignments of its own sessions.
const EXPERIMENTS = `(SELECT 'S' || lpad(CAST(i AS VARCHAR), 4, '0') AS session_id, e AS experiment,
    CASE WHEN i % 2 = 0 THEN 'A' ELSE 'B' END AS variant
  FROM range(0, 400, 3) t(i), (VALUES ('a'), ('b')) x(e) WHERE e = 'a' OR i % 6 = 0)`;

async function refresh(
  db: DuckDbSession,
  layout: DataLayout,
  touched: string | 'all',
  eventsPerPass?: number,
): Promise<SessionsRefresh> {
  return withTableLock(tableDirectory(layout, 'sessions'), (held) =>
    refreshSessions(
      db,
      layout,
      held,
      touched,
      { clickstream: 0, orders: 0, experiments: 0 },
      { eventsPerPass },
    ),
  );
}

/** Rows of the sessions table that a single derivation from every event does not give, and the reverse. */
async function differences(db: DuckDbSession, layout: DataLayout): Promise<[number, number]> {
  const table = `(${tableSelectSql(layout, TABLES.sessions)})`;
  const clicks = `(${tableSelectSql(layout, TABLES.clickstream)})`;
  const orders = `(${tableSelectSql(layout, TABLES.orders)})`;
  const experiments = `(${tableSelectSql(layout, TABLES.experiments)})`;
  const [d] = await db.all(`SELECT
    (SELECT count(*) FROM (SELECT * FROM ${table} EXCEPT ALL SELECT * FROM (${sessionRowsSql(clicks, orders, experiments)}))) AS extra,
    (SELECT count(*) FROM (SELECT * FROM (${sessionRowsSql(clicks, orders, experiments)}) EXCEPT ALL SELECT * FROM ${table})) AS missing`);
  return [Number(d?.extra), Number(d?.missing)];
}

describe('the sessions table computed in several passes, with its last hours in hour files', () => {
  let db: DuckDbSession;
  let cleanup: () => void;
  let layout: DataLayout;
  const sessions = () => `(${tableSelectSql(layout, TABLES.sessions)})`;

  before(async () => {
    const t = tempDir();
    cleanup = t.cleanup;
    layout = dataLayout(t.dir);
    db = await DuckDbSession.open();
    await appendRows(db, layout, TABLES.clickstream, EVENTS);
    await appendRows(db, layout, TABLES.orders, ORDERS);
    await appendRows(db, layout, TABLES.experiments, EXPERIMENTS);
  });
  after(() => {
    db.close();
    cleanup();
  });

  it('gives the rows of one derivation over every event, each session once', async () => {
    // 3,000 events at most 500 a pass: passes over ranges of hours, each a separate grouping.
    const report = await refresh(db, layout, 'all', 500);
    assert.equal(report.mode, 'all');
    const [n] = await db.all(
      `SELECT count(*) AS rows, count(DISTINCT session_id) AS ids, sum(events) AS events,
         count(*) FILTER (WHERE contains(session_id, '~')) AS derived, sum(orders) AS orders FROM ${sessions()}`,
    );
    assert.equal(Number(n?.rows), Number(n?.ids), 'one row per session');
    assert.equal(Number(n?.events), 3000, 'every event counted once');
    assert.ok(Number(n?.derived) > 20, 'the fixture has derived sessions');
    // 600 PURCHASE events (i % 5 = 4), an order for each with i % 3 = 0: i ≡ 9 (mod 15), 200 of them.
    assert.equal(Number(n?.orders), 200);
    // Ids 0, 3, …, 399 are assigned (134 of them; those divisible by 6, 67, in both experiments). Id j's
    // events are i ≡ j (mod 400), which send no session_id when i % 5 = 0, i.e. when j % 5 = 0: ids that
    // are multiples of 15 have no session (27 of the 134; multiples of 30: 14 of the 67).
    const [a] = await db.all(
      `SELECT count(*) FILTER (WHERE assignments <> '') AS assigned,
         count(*) FILTER (WHERE contains(assignments, ',')) AS both,
         count(*) FILTER (WHERE assignments = 'a=A,b=A') AS both_a
       FROM ${sessions()}`,
    );
    assert.equal(Number(a?.assigned), 134 - 27);
    assert.equal(Number(a?.both), 67 - 14);
    assert.equal(Number(a?.both_a), 67 - 14, 'ids divisible by 6 are even: variant A in both');
    assert.deepEqual(await differences(db, layout), [0, 0]);
  });

  it('writes the sessions of the last six hours in hour files, the others in day files', async () => {
    // The last event is at 2026-11-03 23:59:xx, so sessions started from 18:00 on that day go in hour files.
    const files = tableSnapshot(tableDirectory(layout, 'sessions')).files;
    const [r] = await db.all(`SELECT
        count(*) FILTER (WHERE hour_file AND started < TIMESTAMP '2026-11-03 18:00:00') AS early_in_hours,
        count(*) FILTER (WHERE NOT hour_file AND started >= TIMESTAMP '2026-11-03 18:00:00') AS late_in_days,
        count(*) FILTER (WHERE hour_file) AS in_hours
      FROM (SELECT started, regexp_matches(filename, 'part=[0-9-]+T[0-9]+/') AS hour_file
        FROM ${lakeParquetSql(files, 'filename = true, hive_partitioning = false')})`);
    assert.deepEqual([Number(r?.early_in_hours), Number(r?.late_in_days)], [0, 0]);
    assert.ok(Number(r?.in_hours) > 0, 'some sessions started in the last six hours');
  });

  it('a late event for a session of the first day, and events continuing the last hours, are picked up', async () => {
    const [old] = await db.all(
      `SELECT session_id, events, CAST(started AS VARCHAR) AS started FROM ${sessions()}
       WHERE session_id = 'S0001'`,
    );
    // S0001's first event is i = 1 at 2026-11-01 02:11:59 (7919 s after midnight); the late event comes
    // an hour before it, in a batch with events after the data's end.
    assert.equal(old?.started, '2026-11-01 02:11:59');
    const batch = `(SELECT * FROM (VALUES
        ('late1', TIMESTAMP '2026-11-01 01:11:59', 'S0001', 'C1', 'VIEW', 'home', NULL, 'tablet', 5),
        ('live1', TIMESTAMP '2026-11-04 00:05:00', 'S0399', 'C79', 'VIEW', 'home', NULL, 'mobile', 5),
        ('live2', TIMESTAMP '2026-11-04 00:06:00', NULL, 'C115', 'VIEW', 'product', NULL, 'mobile', 5),
        ('live3', TIMESTAMP '2026-11-04 00:07:00', 'NEW1', 'C7', 'PURCHASE', 'checkout', NULL, 'mobile', 5))
      AS t(event_id, "timestamp", session_id, customer_id, action, page, product_id, device, duration_seconds))`;
    const added = await appendRows(db, layout, TABLES.clickstream, batch);
    const report = await refresh(
      db,
      layout,
      `(SELECT session_id, customer_id, "timestamp" FROM ${lakeParquetSql(added.files)})`,
    );
    assert.equal(report.mode, 'touched');
    const [now] = await db.all(
      `SELECT events, CAST(started AS VARCHAR) AS started, device FROM ${sessions()} WHERE session_id = 'S0001'`,
    );
    assert.deepEqual(
      { ...now },
      { events: Number(old?.events) + 1, started: '2026-11-01 01:11:59', device: 'tablet' },
    );
    assert.deepEqual(await differences(db, layout), [0, 0]);
  });

  it('a batch reaching more sessions than the literal id list holds looks them up by their range', async () => {
    // 25,000 new sessions (past ID_LIST_MAX, 20,000) and one more late event for S0002 (first event i = 2,
    // 2026-11-01 04:23:58): the lookup takes the ids' range, which must still find S0002's row.
    const [old] = await db.all(`SELECT events FROM ${sessions()} WHERE session_id = 'S0002'`);
    const batch = `(SELECT 'bulk' || i AS event_id, TIMESTAMP '2026-11-04 01:00:00' + to_seconds(i::BIGINT) AS "timestamp",
        'T' || lpad(CAST(i AS VARCHAR), 5, '0') AS session_id, 'C' || (i % 50) AS customer_id, 'VIEW' AS action,
        'home' AS page, NULL AS product_id, 'mobile' AS device, 5 AS duration_seconds FROM range(25000) t(i)
      UNION ALL SELECT 'late2', TIMESTAMP '2026-11-01 04:20:00', 'S0002', 'C2', 'VIEW', 'home', NULL, 'mobile', 5)`;
    const added = await appendRows(db, layout, TABLES.clickstream, batch);
    await refresh(
      db,
      layout,
      `(SELECT session_id, customer_id, "timestamp" FROM ${lakeParquetSql(added.files)})`,
    );
    const [now] = await db.all(
      `SELECT events, CAST(started AS VARCHAR) AS started FROM ${sessions()} WHERE session_id = 'S0002'`,
    );
    assert.deepEqual({ ...now }, { events: Number(old?.events) + 1, started: '2026-11-01 04:20:00' });
    assert.deepEqual(await differences(db, layout), [0, 0]);
  });
});

describe('a computation in several passes writes each of the last hours in one file', () => {
  let db: DuckDbSession;
  let cleanup: () => void;
  let layout: DataLayout;

  before(async () => {
    const t = tempDir();
    cleanup = t.cleanup;
    layout = dataLayout(t.dir);
    db = await DuckDbSession.open();
    // 2,000 events over the two hours 2026-11-03 22:00-23:59 in 500 sessions (all starting in the first
    // hour), and a day earlier 200 events that go in a day file.
    await appendRows(
      db,
      layout,
      TABLES.clickstream,
      `(SELECT 'h' || i AS event_id, TIMESTAMP '2026-11-03 22:00:00' + to_seconds(((i * 37) % 7200)::BIGINT) AS "timestamp",
          'H' || (i % 500) AS session_id, 'C' || (i % 90) AS customer_id, 'VIEW' AS action, 'home' AS page,
          NULL AS product_id, 'mobile' AS device, 5 AS duration_seconds FROM range(2000) t(i)
        UNION ALL SELECT 'd' || i, TIMESTAMP '2026-11-02 10:00:00' + to_seconds(i::BIGINT), 'D' || (i % 50), 'C1',
          'VIEW', 'home', NULL, 'mobile', 5 FROM range(200) t(i))`,
    );
  });
  after(() => {
    db.close();
    cleanup();
  });

  it('ten passes, one file per hour partition, the same rows as one derivation', async () => {
    await refresh(db, layout, 'all', 220);
    const perPartition = new Map<string, number>();
    for (const f of tableSnapshot(tableDirectory(layout, 'sessions')).files) {
      const part = /part=[^/]+/.exec(f)?.[0] ?? '';
      perPartition.set(part, (perPartition.get(part) ?? 0) + 1);
    }
    // A file per pass made every collector batch continuing an hour's sessions rewrite each of them.
    assert.deepEqual(
      [...perPartition].filter(([p]) => p.includes('T')),
      [['part=2026-11-03T22', 1]],
    );
    assert.deepEqual(await differences(db, layout), [0, 0]);
    // A computation in several passes leaves nothing in the staging area.
    const left = existsSync(layout.staging) ? readdirSync(layout.staging) : [];
    assert.deepEqual(left, []);
  });
});
