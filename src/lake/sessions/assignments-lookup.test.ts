import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { DuckDbSession, sqlString } from '../../duckdb/index.js';
import { tempDir } from '../../testing/index.js';
import { appendRows } from '../append.test-helper.js';
import { compactTable } from '../compact.js';
import { BATCH_COLUMN, type DataLayout, dataLayout, tableDirectory } from '../layout.js';
import { withTableLock } from '../lock.js';
import { commitTable, tableSnapshot } from '../manifest.js';
import { lakeParquetFormat, lakeParquetSql } from '../parquet-sql.js';
import { tableSelectSql } from '../read-sql.js';
import { TABLES } from '../tables.js';
import { sessionRowsSql } from './derive.js';
import { refreshSessions } from './refresh.js';

// 2,000 assignments in a scrambled order (i * 7919 mod 2000 visits every i once): ids X0000 … X1999.
const SCRAMBLED = `(SELECT 'X' || lpad(CAST((i * 7919) % 2000 AS VARCHAR), 4, '0') AS session_id,
    'exp' AS experiment, CASE WHEN i % 2 = 0 THEN 'A' ELSE 'B' END AS variant FROM range(2000) t(i))`;

/** Rows of the table's files that come after a greater session_id in the same file (0 when sorted). */
async function outOfOrder(
  db: DuckDbSession,
  files: readonly string[],
): Promise<{ rows: number; bad: number }> {
  const [r] = await db.all(`SELECT count(*) AS rows, count(*) FILTER (WHERE session_id < previous) AS bad
    FROM (SELECT session_id, lag(session_id) OVER (PARTITION BY filename ORDER BY file_row_number) AS previous
      FROM ${lakeParquetSql(files, 'filename = true, file_row_number = true, hive_partitioning = false')})`);
  return { rows: Number(r?.rows), bad: Number(r?.bad) };
}

describe('experiments files are written sorted by session_id', () => {
  let db: DuckDbSession;
  let cleanup: () => void;
  let layout: DataLayout;
  const dir = () => tableDirectory(layout, 'experiments');

  before(async () => {
    const t = tempDir();
    cleanup = t.cleanup;
    layout = dataLayout(t.dir);
    db = await DuckDbSession.open();
  });
  after(() => {
    db.close();
    cleanup();
  });

  it('a batch written from scrambled rows', async () => {
    // The fixture itself is out of order (so that the check below can fail): 7919 mod 2000 = 1919 < 1999.
    const [s] = await db.all(`SELECT count(*) FILTER (WHERE session_id < previous) AS bad
      FROM (SELECT session_id, lag(session_id) OVER () AS previous FROM ${SCRAMBLED})`);
    assert.ok(Number(s?.bad) > 100);
    const written = await appendRows(db, layout, TABLES.experiments, SCRAMBLED);
    assert.deepEqual(await outOfOrder(db, written.files), { rows: 2000, bad: 0 });
  });

  it('a compaction merging small batches writes one sorted file', async () => {
    // Eight more batches of 250 scrambled assignments of another experiment, then a merge of all nine files.
    for (let k = 0; k < 8; k++) {
      await appendRows(
        db,
        layout,
        TABLES.experiments,
        `(SELECT session_id, 'exp2' AS experiment, variant FROM ${SCRAMBLED} WHERE CAST(substr(session_id, 2) AS INTEGER) % 8 = ${k})`,
      );
    }
    assert.equal(tableSnapshot(dir()).files.length, 9);
    const report = await compactTable(db, layout, TABLES.experiments, { minFiles: 8 });
    assert.equal(report.filesAfter, 1);
    assert.deepEqual(await outOfOrder(db, tableSnapshot(dir()).files), { rows: 4000, bad: 0 });
  });
});

// 600 events over one day in 150 sessions Q000 … Q149 (customers C0 … C29), a tenth without session_id.
const EVENTS = `(SELECT 'e' || i AS event_id,
    TIMESTAMP '2026-11-01 00:00:00' + to_seconds(((i * 131) % 86400)::BIGINT) AS "timestamp",
    CASE WHEN i % 10 = 0 THEN NULL ELSE 'Q' || lpad(CAST(i % 150 AS VARCHAR), 3, '0') END AS session_id,
    'C' || (i % 30) AS customer_id,
    ['VIEW', 'ADD_TO_CART', 'PURCHASE'][1 + i % 3] AS action,
    ['product', 'cart', 'checkout'][1 + i % 3] AS page,
    NULL AS product_id, 'mobile' AS device, 10 AS duration_seconds
  FROM range(600) t(i))`;

describe('a refresh of a few sessions looks up their assignments in several experiments files', () => {
  let db: DuckDbSession;
  let cleanup: () => void;
  let layout: DataLayout;
  const logs = { clickstream: 0, orders: 0, experiments: 0 };
  const refresh = (touched: string) =>
    withTableLock(tableDirectory(layout, 'sessions'), (held) =>
      refreshSessions(db, layout, held, touched, logs),
    );
  const sessions = () => `(${tableSelectSql(layout, TABLES.sessions)})`;

  before(async () => {
    const t = tempDir();
    cleanup = t.cleanup;
    layout = dataLayout(t.dir);
    db = await DuckDbSession.open();
    await appendRows(db, layout, TABLES.clickstream, EVENTS);
    // Experiment 'p': even sessions, in two batches (Q000-Q074, Q076-Q148), each file sorted.
    for (const [lo, hi] of [
      [0, 74],
      [76, 148],
    ] as const) {
      await appendRows(
        db,
        layout,
        TABLES.experiments,
        `(SELECT 'Q' || lpad(CAST(i AS VARCHAR), 3, '0') AS session_id, 'p' AS experiment,
            CASE WHEN i % 4 = 0 THEN 'A' ELSE 'B' END AS variant FROM range(${lo}, ${hi + 1}, 2) t(i))`,
      );
    }
    // Experiment 'q' as a lake from before sorting has it: a file written in descending session_id order
    // (every session divisible by 3, and the not yet seen session NEWQ), committed as it is.
    const old = join(tableDirectory(layout, 'experiments'), 'old-unsorted.parquet');
    await db.run(`COPY (SELECT * FROM (SELECT 'Q' || lpad(CAST(i AS VARCHAR), 3, '0') AS session_id, 'q' AS experiment,
          'C' AS variant, 'old' AS ${BATCH_COLUMN} FROM range(0, 150, 3) t(i)
        UNION ALL SELECT 'NEWQ', 'q', 'D', 'old') ORDER BY session_id DESC)
      TO ${sqlString(old)} ${await lakeParquetFormat(db)}`);
    await commitTable(tableDirectory(layout, 'experiments'), (current) => ({
      files: [...current.files, old],
    }));
    await refresh('all');
  });
  after(() => {
    db.close();
    cleanup();
  });

  it('gives the rows of one derivation over every event and assignment', async () => {
    // A batch continuing Q006 (p=A, q=C), Q007 (none), Q074 (p=B) and Q076 (p=A, in the other file),
    // starting NEWQ (q=D, in the unsorted file) and NEW2 (none), and an event without session_id.
    const batch = `(SELECT * FROM (VALUES
        ('b1', TIMESTAMP '2026-11-02 00:01:00', 'Q006', 'C6', 'VIEW', 'product', NULL, 'mobile', 5),
        ('b2', TIMESTAMP '2026-11-02 00:02:00', 'Q007', 'C7', 'VIEW', 'product', NULL, 'mobile', 5),
        ('b3', TIMESTAMP '2026-11-02 00:03:00', 'Q074', 'C14', 'VIEW', 'product', NULL, 'mobile', 5),
        ('b4', TIMESTAMP '2026-11-02 00:04:00', 'Q076', 'C16', 'VIEW', 'product', NULL, 'mobile', 5),
        ('b5', TIMESTAMP '2026-11-02 00:05:00', 'NEWQ', 'C1', 'VIEW', 'product', NULL, 'mobile', 5),
        ('b6', TIMESTAMP '2026-11-02 00:06:00', 'NEW2', 'C2', 'VIEW', 'product', NULL, 'mobile', 5),
        ('b7', TIMESTAMP '2026-11-02 00:07:00', NULL, 'C3', 'VIEW', 'product', NULL, 'mobile', 5))
      AS t(event_id, "timestamp", session_id, customer_id, action, page, product_id, device, duration_seconds))`;
    const added = await appendRows(db, layout, TABLES.clickstream, batch);
    const report = await refresh(
      `(SELECT session_id, customer_id, "timestamp" FROM ${lakeParquetSql(added.files)})`,
    );
    assert.equal(report.mode, 'touched');
    // By hand, from the fixture above.
    const rows = await db.all(
      `SELECT session_id, assignments FROM ${sessions()}
       WHERE session_id IN ('Q006', 'Q007', 'Q074', 'Q076', 'NEWQ', 'NEW2') ORDER BY session_id`,
    );
    assert.deepEqual(
      rows.map((r) => [r.session_id, r.assignments]),
      [
        ['NEW2', ''],
        ['NEWQ', 'q=D'],
        ['Q006', 'p=B,q=C'],
        ['Q007', ''],
        ['Q074', 'p=B'],
        ['Q076', 'p=A'],
      ],
    );
    // Every row, against one derivation written separately (EXCEPT ALL both ways).
    const clicks = `(${tableSelectSql(layout, TABLES.clickstream)})`;
    const orders = `(${tableSelectSql(layout, TABLES.orders)})`;
    const experiments = `(${tableSelectSql(layout, TABLES.experiments)})`;
    const all = `(${sessionRowsSql(clicks, orders, experiments)})`;
    const [d] = await db.all(`SELECT
      (SELECT count(*) FROM (SELECT * FROM ${sessions()} EXCEPT ALL SELECT * FROM ${all})) AS extra,
      (SELECT count(*) FROM (SELECT * FROM ${all} EXCEPT ALL SELECT * FROM ${sessions()})) AS missing`);
    assert.deepEqual([Number(d?.extra), Number(d?.missing)], [0, 0]);
  });
});
