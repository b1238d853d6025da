import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { DuckDbSession } from '../duckdb/index.js';
import { type IngestReport, ingest } from '../ingest/index.js';
import {
  dataLayout,
  forgetSessionIdIndex,
  keepSessionIdIndex,
  rollbackBatch,
  sessionRowsSql,
  TABLES,
  tableDirectory,
  tableSelectSql,
  tableSnapshot,
  takeNewIdsLookedUp,
  warmSessionIdIndex,
} from '../lake/index.js';
import { tempDir, writeText } from '../testing/index.js';

// The sessions refresh of a long-lived compaction process, which keeps the index of the sessions table's
// ids between batches (src/lake/sessions/id-index.ts): after every step the table must equal one
// derivation over every event, whoever committed in between.

const HEADER = 'event_id,timestamp,session_id,customer_id,action,page,product_id,device,duration_seconds';
type Event = [id: string, at: string, session: string, customer: string, action?: string];
const line = ([id, at, session, customer, action = 'VIEW']: Event) =>
  `${id},${at},${session},${customer},${action},product,,mobile,5`;

// 60 sessions S0..S59 of five events a minute apart, session k starting 2026-11-01 00:00 + 20k minutes
// (the last at 19:40), and customer D1's events without a session_id at 2026-11-02 10:00, 10:05, 10:10
// (one derived session).
function baseEvents(): string {
  const rows: Event[] = [];
  for (let k = 0; k < 60; k++)
    for (let j = 0; j < 5; j++) rows.push([`b${k}-${j}`, minute(20 * k + j), `S${k}`, `C${k % 7}`]);
  for (const [j, m] of [0, 5, 10].entries()) rows.push([`d${j}`, `2026-11-02 10:${pad(m)}:00`, '', 'D1']);
  return `${HEADER}\n${rows.map(line).join('\n')}\n`;
}
const pad = (n: number) => String(n).padStart(2, '0');
// 2026-11-01 00:00 plus m minutes, as the CSV's text.
const minute = (m: number) => `2026-11-01 ${pad(Math.floor(m / 60))}:${pad(m % 60)}:00`;

describe('the sessions refresh with the id index of a long-lived compaction process', () => {
  let dir: string;
  let cleanup: () => void;
  let db: DuckDbSession;
  // The compaction process's one DuckDB session, kept across its jobs (compaction-process.ts).
  let compaction: DuckDbSession;
  let n = 0;
  const layout = () => dataLayout(dir);

  // A collector batch as the compaction process ingests it (in its kept session), or as a one-off
  // process does (`inProcess` false: a session of its own); `extra` lines go into the file as they are.
  async function batch(events: Event[], inProcess = true, extra: string[] = []): Promise<IngestReport> {
    const input = writeText(
      join(dir, 'in', `batch${n++}.csv`),
      `${HEADER}\n${[...events.map(line), ...extra].join('\n')}\n`,
    );
    const report = await ingest({
      dataDir: dir,
      table: TABLES.clickstream,
      input,
      threads: 1,
      dedupScope: 'partitions',
      kind: 'collector',
      ...(inProcess ? { session: compaction } : {}),
    });
    if (inProcess) assert.deepEqual(await tempObjects(compaction), [], 'the kept session is left clean');
    return report;
  }

  /** Temp tables and views left in a session. */
  async function tempObjects(session: DuckDbSession): Promise<string[]> {
    const rows = await session.all(
      `SELECT table_name AS name FROM duckdb_tables() WHERE temporary
       UNION ALL SELECT view_name FROM duckdb_views() WHERE temporary AND NOT internal`,
    );
    return rows.map((r) => String(r.name));
  }

  /** Rows of the sessions table one derivation over every event does not give, and the reverse. */
  async function differences(): Promise<[number, number]> {
    const l = layout();
    const table = `(${tableSelectSql(l, TABLES.sessions)})`;
    const full = sessionRowsSql(
      `(${tableSelectSql(l, TABLES.clickstream)})`,
      `(${tableSelectSql(l, TABLES.orders)})`,
      `(${tableSelectSql(l, TABLES.experiments)})`,
    );
    const [d] = await db.all(`SELECT
      (SELECT count(*) FROM (SELECT * FROM ${table} EXCEPT ALL SELECT * FROM (${full}))) AS extra,
      (SELECT count(*) FROM (SELECT * FROM (${full}) EXCEPT ALL SELECT * FROM ${table})) AS missing`);
    return [Number(d?.extra), Number(d?.missing)];
  }

  const sessionFiles = () => tableSnapshot(tableDirectory(layout(), 'sessions')).files;

  async function session(id: string) {
    const rows = await db.all(
      `SELECT events, CAST(started AS VARCHAR) AS started, CAST(last_event AS VARCHAR) AS last_event, assignments
       FROM (${tableSelectSql(layout(), TABLES.sessions)}) WHERE session_id = '${id}'`,
    );
    return rows.map((r) => ({ ...r }));
  }

  before(async () => {
    const t = tempDir();
    dir = t.dir;
    cleanup = t.cleanup;
    db = await DuckDbSession.open({ threads: 1 });
    compaction = await DuckDbSession.open({ threads: 1, memoryLimit: '1GB' });
    keepSessionIdIndex(true);
    forgetSessionIdIndex();
    // NEW1 (a session that does not exist yet) is already assigned: its row must carry it when it appears.
    // S3 is in two experiments: a refresh carries a known session's assignments over from its old row.
    const assignments = writeText(
      join(dir, 'in', 'x.csv'),
      'session_id,experiment,variant\nNEW1,a,B\nS3,a,A\nS3,c,B\n',
    );
    await ingest({ dataDir: dir, table: TABLES.experiments, input: assignments, kind: 'build-lake' });
    // An order at the second of NEW1's coming PURCHASE: the refresh that adds it must link it.
    const orders = writeText(
      join(dir, 'in', 'o.csv'),
      'order_id,customer_id,product_id,product_name,quantity,price,total_amount,order_date,status,region\n' +
        'O1,C1,P1,Pen,1,2.50,2.50,2026-11-01 20:11:00,COMPLETED,US-EAST\n',
    );
    await ingest({ dataDir: dir, table: TABLES.orders, input: orders, kind: 'build-lake' });
    const base = writeText(join(dir, 'in', 'base.csv'), baseEvents());
    await ingest({ dataDir: dir, table: TABLES.clickstream, input: base, kind: 'build-lake' });
  });
  after(() => {
    keepSessionIdIndex(false);
    forgetSessionIdIndex();
    db.close();
    compaction.close();
    cleanup();
  });

  it('reads every file of the table ahead, then only what each refresh writes', async () => {
    assert.ok((await warmSessionIdIndex(db, layout())) > 0, 'the table has files to read');
    assert.equal(await warmSessionIdIndex(db, layout()), 0, 'nothing new since');
  });

  it('a late event, a new session (assigned before it existed) and derived events, in one batch', async () => {
    // S3's five events are 01:00-01:04; its late event at 00:50, ten minutes before the first, makes the
    // session start earlier. NEW1 starts with two events. D1's event at 10:20 continues its derived
    // session (10:10 was its last).
    const before = new Set(sessionFiles());
    const report = await batch([
      ['late1', '2026-11-01 00:50:00', 'S3', 'C3'],
      ['n1a', '2026-11-01 20:00:00', 'NEW1', 'C1'],
      ['n1b', '2026-11-01 20:01:00', 'NEW1', 'C1'],
      ['d3', '2026-11-02 10:20:00', '', 'D1'],
    ]);
    assert.equal(report.sessions?.mode, 'touched');
    // NEW1, the one id new to the table, was looked up in experiments: its key is held there.
    assert.equal(takeNewIdsLookedUp(), 1);
    assert.deepEqual(await session('S3'), [
      {
        events: 6,
        started: '2026-11-01 00:50:00',
        last_event: '2026-11-01 01:04:00',
        assignments: 'a=A,c=B',
      },
    ]);
    assert.deepEqual(await session('NEW1'), [
      { events: 2, started: '2026-11-01 20:00:00', last_event: '2026-11-01 20:01:00', assignments: 'a=B' },
    ]);
    const [d] = await db.all(
      `SELECT count(*) AS n, sum(events) AS events FROM (${tableSelectSql(layout(), TABLES.sessions)})
       WHERE customer_id = 'D1'`,
    );
    assert.deepEqual([Number(d?.n), Number(d?.events)], [1, 4], "D1's four events in one derived session");
    assert.deepEqual(await differences(), [0, 0]);
    // The refresh rewrote S3's day file (a copy without S3's old row, whose ids it noted without reading
    // it) and wrote the new rows: only those new rows' files are new to the index.
    const added = sessionFiles().filter((f) => !before.has(f));
    const kept = added.filter((f) => f.endsWith('-kept.parquet'));
    assert.equal(kept.length, 1, "S3's day file rewritten");
    assert.equal(await warmSessionIdIndex(db, layout()), added.length - kept.length);
  });

  let split: IngestReport;
  it('a session split across batches: the second part finds the row the first wrote', async () => {
    // S4 (01:20-01:24) lives in the copy of the day file the last refresh wrote: its ids were noted.
    split = await batch([
      ['n1c', '2026-11-01 20:10:00', 'NEW1', 'C1'],
      ['n1d', '2026-11-01 20:11:00', 'NEW1', 'C1', 'PURCHASE'],
      ['s4', '2026-11-01 01:30:00', 'S4', 'C4'],
    ]);
    assert.deepEqual(
      (await session('S4')).map((r) => r.events),
      [6],
    );
    const [linked] = await db.all(
      `SELECT orders, CAST(revenue AS DOUBLE) AS revenue FROM (${tableSelectSql(layout(), TABLES.sessions)})
       WHERE session_id = 'NEW1'`,
    );
    assert.deepEqual([linked?.orders, linked?.revenue], [1, 2.5], "O1 linked to NEW1's PURCHASE");
    assert.deepEqual(await session('NEW1'), [
      { events: 4, started: '2026-11-01 20:00:00', last_event: '2026-11-01 20:11:00', assignments: 'a=B' },
    ]);
    assert.deepEqual(await differences(), [0, 0]);
  });

  it('an orders batch links its orders to PURCHASE events in the partitions its dates span', async () => {
    // NEWY buys at 2025-12-31 23:59:00, in clickstream's 2025 partition (the rest is in 2026). O2 is at
    // that PURCHASE; O4 is at no PURCHASE, in 2026: the orders' dates span both partitions.
    await batch([
      ['y1', '2025-12-31 23:58:00', 'NEWY', 'C2'],
      ['y2', '2025-12-31 23:59:00', 'NEWY', 'C2', 'PURCHASE'],
    ]);
    const input = writeText(
      join(dir, 'in', `orders${n++}.csv`),
      'order_id,customer_id,product_id,product_name,quantity,price,total_amount,order_date,status,region\n' +
        'O2,C2,P1,Pen,2,2.00,4.00,2025-12-31 23:59:00,COMPLETED,US-EAST\n' +
        'O4,C2,P1,Pen,1,2.00,2.00,2026-01-01 00:30:00,COMPLETED,US-EAST\n',
    );
    const report = await ingest({
      dataDir: dir,
      table: TABLES.orders,
      input,
      threads: 1,
      dedupScope: 'partitions',
      kind: 'collector',
      session: compaction,
    });
    assert.equal(report.sessions?.mode, 'touched');
    const [linked] = await db.all(
      `SELECT orders, CAST(revenue AS DOUBLE) AS revenue FROM (${tableSelectSql(layout(), TABLES.sessions)})
       WHERE session_id = 'NEWY'`,
    );
    assert.deepEqual([linked?.orders, linked?.revenue], [1, 4], 'O2 linked to NEWY, O4 to none');
    assert.deepEqual(await differences(), [0, 0]);
  });

  it('another writer commits sessions meanwhile: its rows are found, the files it retired forgotten', async () => {
    // A one-off process (index off) continues NEW1 and starts NEW2; its refresh rewrites NEW1's file.
    keepSessionIdIndex(false);
    try {
      await batch(
        [
          ['n1e', '2026-11-01 20:12:00', 'NEW1', 'C1'],
          ['n2a', '2026-11-01 21:00:00', 'NEW2', 'C2'],
        ],
        false,
      );
    } finally {
      keepSessionIdIndex(true);
    }
    await batch([
      ['n1f', '2026-11-01 20:13:00', 'NEW1', 'C1'],
      ['n2b', '2026-11-01 21:01:00', 'NEW2', 'C2'],
    ]);
    assert.deepEqual(
      [(await session('NEW1'))[0]?.events, (await session('NEW2'))[0]?.events],
      [6, 2],
      'one row each, every event counted',
    );
    assert.equal((await session('NEW1')).length, 1);
    assert.deepEqual(await differences(), [0, 0]);
  });

  it('an assignment loaded meanwhile reaches the next refreshes of its session', async () => {
    // The experiments load refreshes NEW2 (its own path); the batch after it must not take NEW2's old
    // (unassigned) row's assignments from before the load, nor lose the new one.
    const more = writeText(join(dir, 'in', 'x2.csv'), 'session_id,experiment,variant\nNEW2,b,A\n');
    await ingest({ dataDir: dir, table: TABLES.experiments, input: more });
    assert.equal((await session('NEW2'))[0]?.assignments, 'b=A');
    await batch([['n2x', '2026-11-01 21:01:30', 'NEW2', 'C2']]);
    assert.deepEqual(
      (await session('NEW2')).map((r) => [r.events, r.assignments]),
      [[3, 'b=A']],
    );
    assert.deepEqual(await differences(), [0, 0]);
  });

  it('new ids no experiments file holds are not looked up; one assigned by a later load is', async () => {
    // Another writer assigns NEW5 before its session exists; the index reads that new experiments file.
    const x3 = writeText(join(dir, 'in', 'x3.csv'), 'session_id,experiment,variant\nNEW5,x,A\n');
    await ingest({ dataDir: dir, table: TABLES.experiments, input: x3 });
    await batch([
      ['n5a', '2026-11-02 05:00:00', 'NEW5', 'C5'],
      ['n6a', '2026-11-02 05:00:00', 'NEW6', 'C6'],
      ['n7a', '2026-11-02 05:01:00', 'NEW7', 'C6'],
    ]);
    assert.equal(takeNewIdsLookedUp(), 1, 'only NEW5 of the three new ids');
    assert.deepEqual(
      [(await session('NEW5'))[0]?.assignments, (await session('NEW6'))[0]?.assignments],
      ['x=A', ''],
    );
    assert.deepEqual(await differences(), [0, 0]);
  });

  it('a rollback of a batch: the sessions it touched lose its events', async () => {
    await rollbackBatch(db, layout(), split.batch);
    assert.deepEqual(await session('NEW1'), [
      { events: 4, started: '2026-11-01 20:00:00', last_event: '2026-11-01 20:13:00', assignments: 'a=B' },
    ]);
    assert.deepEqual(await differences(), [0, 0]);
  });

  it('after a restart (an empty index) the next batch reads the table afresh', async () => {
    forgetSessionIdIndex();
    await batch([
      ['n2c', '2026-11-01 21:02:00', 'NEW2', 'C2'],
      ['s59', '2026-11-01 19:50:00', 'S59', 'C3'],
    ]);
    // NEW2: n2a, n2b, n2x and n2c; S59: five events and s59.
    const [n2] = await session('NEW2');
    assert.deepEqual([n2?.events, n2?.assignments, (await session('S59'))[0]?.events], [4, 'b=A', 6]);
    assert.deepEqual(await differences(), [0, 0]);
  });

  it('a batch read twice in the kept session (a bad row: read again with line numbers) loads the rest', async () => {
    // The first read of the batch stops at the bad row and ingest starts over on the same session: the
    // temp tables of the first attempt must be gone, or the second attempt cannot create its own.
    const report = await batch([['n2d', '2026-11-01 21:03:00', 'NEW2', 'C2']], true, [
      'bad1,not a time,NEW2,C2,VIEW,product,,mobile,5',
    ]);
    assert.deepEqual([report.loaded, report.quarantined], [1, 1]);
    assert.equal((await session('NEW2'))[0]?.events, 5, 'n2a, n2b, n2x, n2c and n2d');
    assert.deepEqual(await differences(), [0, 0]);
  });
});
