import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { DuckDbSession } from '../../duckdb/index.js';
import { tempDir } from '../../testing/index.js';
import { appendRows } from '../append.test-helper.js';
import { type DataLayout, dataLayout, tableDirectory } from '../layout.js';
import { withTableLock } from '../lock.js';
import { tableSnapshot } from '../manifest.js';
import { tableSelectSql } from '../read-sql.js';
import { TABLES } from '../tables.js';
import { sessionRowsSql } from './derive.js';
import { refreshSessions } from './refresh.js';

// Events on 2026-11-02 from 08:00 to 20:30, with a filler event in every hour so that at three events a
// pass each hour is a range of its own. Sessions that cross the hours' boundaries:
// - G1 (no session_id): 10:59:00 and 11:29:00, exactly the 30-minute gap apart: one session;
// - G2 (no session_id): 10:59:00 and 11:29:01, one second more: two sessions;
// - S1: 08:00 and 12:00, four ranges apart with none of its events between: one session;
// - S3: 14:50 and 15:10, across the start of the last six hours (15:00 to 20:59): one session, in a day
//   file (it started before them);
// - S4: 15:30 and 19:00, inside the last hours but across several of their ranges: one session, in the
//   15:00 hour file, which must still be one file.
const FILLERS = `SELECT TIMESTAMP '2026-11-02 08:30:00' + to_hours(i::BIGINT) AS ts, 'F' || i AS session_id,
    'CF' AS customer_id FROM range(13) t(i)`;
const CROSSING = `SELECT * FROM (VALUES
    (TIMESTAMP '2026-11-02 10:59:00', NULL, 'G1'), (TIMESTAMP '2026-11-02 11:29:00', NULL, 'G1'),
    (TIMESTAMP '2026-11-02 10:59:00', NULL, 'G2'), (TIMESTAMP '2026-11-02 11:29:01', NULL, 'G2'),
    (TIMESTAMP '2026-11-02 08:00:00', 'S1', 'C1'), (TIMESTAMP '2026-11-02 12:00:00', 'S1', 'C1'),
    (TIMESTAMP '2026-11-02 14:50:00', 'S3', 'C3'), (TIMESTAMP '2026-11-02 15:10:00', 'S3', 'C3'),
    (TIMESTAMP '2026-11-02 15:30:00', 'S4', 'C4'), (TIMESTAMP '2026-11-02 19:00:00', 'S4', 'C4')
  ) t(ts, session_id, customer_id)`;
const EVENTS = `(SELECT 'e' || row_number() OVER (ORDER BY ts, customer_id) AS event_id, ts AS "timestamp",
    session_id, customer_id, 'VIEW' AS action, 'home' AS page, NULL AS product_id, 'mobile' AS device,
    5 AS duration_seconds
  FROM (${FILLERS} UNION ALL ${CROSSING}))`;

const EXPERIMENTS = `(SELECT * FROM (VALUES ('S1', 'x', 'A'), ('S4', 'x', 'B')) t(session_id, experiment, variant))`;

// The whole sessions table computed again, `eventsPerPass` events a pass, as build-lake's step does.
function recomputeInPasses(db: DuckDbSession, layout: DataLayout, eventsPerPass: number) {
  return withTableLock(tableDirectory(layout, 'sessions'), (held) =>
    refreshSessions(
      db,
      layout,
      held,
      'all',
      { clickstream: 0, orders: 0, experiments: 0 },
      { eventsPerPass },
    ),
  );
}

describe('a full computation in passes over ranges of hours', () => {
  let db: DuckDbSession;
  let cleanup: () => void;
  let layout: DataLayout;
  const sessions = () => `(${tableSelectSql(layout, TABLES.sessions)})`;

  before(async () => {
    const t = tempDir();
    cleanup = t.cleanup;
    layout = dataLayout(t.dir);
    db = await DuckDbSession.open({ threads: 1 });
    await appendRows(db, layout, TABLES.clickstream, EVENTS);
    await appendRows(db, layout, TABLES.experiments, EXPERIMENTS);
    await recomputeInPasses(db, layout, 3);
  });
  after(() => {
    db.close();
    cleanup();
  });

  it('derives each session crossing a range boundary once, whole (hand-computed)', async () => {
    const rows = await db.all(`SELECT session_id, customer_id, CAST(started AS VARCHAR) AS started,
        CAST(last_event AS VARCHAR) AS last_event, events, assignments
      FROM ${sessions()} WHERE customer_id <> 'CF' ORDER BY customer_id, started`);
    const us = (at: string) => Date.parse(`${at}Z`) * 1000;
    assert.deepEqual(
      rows.map((r) => [r.session_id, r.started, r.last_event, r.events, r.assignments]),
      [
        ['S1', '2026-11-02 08:00:00', '2026-11-02 12:00:00', 2, 'x=A'],
        ['S3', '2026-11-02 14:50:00', '2026-11-02 15:10:00', 2, ''],
        ['S4', '2026-11-02 15:30:00', '2026-11-02 19:00:00', 2, 'x=B'],
        [`G1~${us('2026-11-02T10:59:00')}`, '2026-11-02 10:59:00', '2026-11-02 11:29:00', 2, ''],
        [`G2~${us('2026-11-02T10:59:00')}`, '2026-11-02 10:59:00', '2026-11-02 10:59:00', 1, ''],
        [`G2~${us('2026-11-02T11:29:01')}`, '2026-11-02 11:29:01', '2026-11-02 11:29:01', 1, ''],
      ],
    );
    const [n] = await db.all(`SELECT count(*) AS rows, sum(events) AS events FROM ${sessions()}`);
    assert.deepEqual([Number(n?.rows), Number(n?.events)], [13 + 6, 13 + 10]);
  });

  it('gives the rows of one derivation over every event, the last hours one file each', async () => {
    const clicks = `(${tableSelectSql(layout, TABLES.clickstream)})`;
    const experiments = `(${tableSelectSql(layout, TABLES.experiments)})`;
    const once = `(${sessionRowsSql(clicks, `(${tableSelectSql(layout, TABLES.orders)})`, experiments)})`;
    const [d] = await db.all(`SELECT
      (SELECT count(*) FROM (SELECT * FROM ${sessions()} EXCEPT ALL SELECT * FROM ${once})) AS extra,
      (SELECT count(*) FROM (SELECT * FROM ${once} EXCEPT ALL SELECT * FROM ${sessions()})) AS missing`);
    assert.deepEqual([Number(d?.extra), Number(d?.missing)], [0, 0]);
    const parts = tableSnapshot(tableDirectory(layout, 'sessions')).files.map(
      (f) => /part=[^/]+/.exec(f)?.[0] ?? '',
    );
    const hours = parts.filter((p) => p.includes('T')).sort();
    // Sessions started from 15:00: S4 (15:30) and the fillers of 15:30 … 20:30, one file per hour.
    assert.deepEqual(hours, [
      'part=2026-11-02T15',
      'part=2026-11-02T16',
      'part=2026-11-02T17',
      'part=2026-11-02T18',
      'part=2026-11-02T19',
      'part=2026-11-02T20',
    ]);
  });
});

describe('a full computation whose events all lie in one hour, more than a pass holds', () => {
  it('derives them in one pass, the rows of one derivation (a range is never less than an hour)', async () => {
    const t = tempDir();
    const layout = dataLayout(t.dir);
    const db = await DuckDbSession.open({ threads: 1 });
    try {
      // 40 events in 10:00-10:39, four per session_id.
      await appendRows(
        db,
        layout,
        TABLES.clickstream,
        `(SELECT 'e' || i AS event_id, TIMESTAMP '2026-11-02 10:00:00' + to_minutes(i::BIGINT) AS "timestamp",
            'S' || (i % 10) AS session_id, 'C1' AS customer_id, 'VIEW' AS action, 'home' AS page,
            NULL AS product_id, 'mobile' AS device, 5 AS duration_seconds FROM range(40) t(i))`,
      );
      await recomputeInPasses(db, layout, 5);
      const [n] = await db.all(
        `SELECT count(*) AS rows, min(events) AS lo, max(events) AS hi FROM (${tableSelectSql(layout, TABLES.sessions)})`,
      );
      assert.deepEqual([Number(n?.rows), Number(n?.lo), Number(n?.hi)], [10, 4, 4]);
    } finally {
      db.close();
      t.cleanup();
    }
  });
});

describe('a full computation in passes with sessions in two experiments', () => {
  it('gives each session its pairs in (experiment, variant) order, crossing sessions too (hand-computed)', async () => {
    const t = tempDir();
    const layout = dataLayout(t.dir);
    const db = await DuckDbSession.open({ threads: 1 });
    try {
      await appendRows(db, layout, TABLES.clickstream, EVENTS);
      // S1 crosses several ranges and is in both experiments; S3 is in y alone, S4 in x alone.
      await appendRows(
        db,
        layout,
        TABLES.experiments,
        `(SELECT * FROM (VALUES ('S1', 'y', 'B'), ('S4', 'x', 'B'), ('S1', 'x', 'A'), ('S3', 'y', 'C'))
          t(session_id, experiment, variant))`,
      );
      await recomputeInPasses(db, layout, 3);
      const rows = await db.all(
        `SELECT session_id, assignments FROM (${tableSelectSql(layout, TABLES.sessions)})
         WHERE session_id IN ('S1', 'S3', 'S4', 'F0') ORDER BY session_id`,
      );
      assert.deepEqual(
        rows.map((r) => [r.session_id, r.assignments]),
        [
          ['F0', ''],
          ['S1', 'x=A,y=B'],
          ['S3', 'y=C'],
          ['S4', 'x=B'],
        ],
      );
    } finally {
      db.close();
      t.cleanup();
    }
  });
});
