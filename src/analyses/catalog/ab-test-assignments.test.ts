import assert from 'node:assert/strict';
import { copyFileSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { DuckDbSession, sqlString } from '../../duckdb/index.js';
import { DuckDbEngine } from '../../engines/testing.js';
import { UserError } from '../../errors/index.js';
import { generate, generateDefaults } from '../../generate/index.js';
import { buildLake, ingest } from '../../ingest/index.js';
import { dataLayout, rollbackBatch, TABLES, type TableName } from '../../lake/index.js';
import { CLICKSTREAM_HEADER, CUSTOMERS_HEADER, csv, tempDir, writeText } from '../../testing/index.js';
import { findAnalysis, runAnalysis } from '../index.js';

/*
 * ab-test reads each session's assignments from the sessions table. Its reference here is the join it
 * replaced, written again in this file: every assignment joined with the sessions (session_id keyed) of
 * the events in the range, counted per experiment and variant.
 */
const JOIN_SQL = `WITH s AS (
    SELECT session_id, max(CASE WHEN action = 'PURCHASE' THEN 1 ELSE 0 END) AS purchased
    FROM clickstream
    WHERE session_id IS NOT NULL
      AND (:from IS NULL OR "timestamp" >= CAST(:from AS TIMESTAMP))
      AND (:to IS NULL OR "timestamp" < CAST(:to AS TIMESTAMP) + INTERVAL 1 DAY)
    GROUP BY session_id
  )
  SELECT concat(x.experiment, '=', x.variant) AS assignments, count(*) AS sessions,
    CAST(sum(s.purchased) AS BIGINT) AS conversions
  FROM experiments x JOIN s ON s.session_id = x.session_id
  WHERE :experiment IS NULL OR x.experiment = :experiment
  GROUP BY x.experiment, x.variant`;

type Params = Record<string, unknown>;

async function abTest(engine: DuckDbEngine, params: Params) {
  return runAnalysis(engine, await findAnalysis('ab-test'), params);
}

/** ab-test's answer with its SQL replaced by the join above (the same statistics after it). */
async function byJoin(engine: DuckDbEngine, params: Params) {
  const analysis = await findAnalysis('ab-test');
  return runAnalysis(engine, { ...analysis, sql: () => JOIN_SQL }, params);
}

/** [experiment, sessions A, conversions A, sessions B, conversions B] per experiment. */
async function counts(engine: DuckDbEngine, params: Params = {}) {
  return (await abTest(engine, params)).map((r) => [
    r.experiment,
    r.sessions_a,
    r.conversions_a,
    r.sessions_b,
    r.conversions_b,
  ]);
}

async function assertSameAsJoin(engine: DuckDbEngine, all: readonly Params[]): Promise<number> {
  let rows = 0;
  for (const params of all) {
    const table = await abTest(engine, params);
    assert.deepEqual(table, await byJoin(engine, params), JSON.stringify(params));
    rows += table.length;
  }
  return rows;
}

// Input files outside the data directory's raw/: build-lake then has nothing to load.
async function load(dir: string, table: TableName, name: string, text: string): Promise<string> {
  const file = writeText(join(dir, 'in', table, name), text);
  const report = await ingest({ dataDir: dir, table: TABLES[table], input: file });
  assert.equal(report.quarantined, 0, `fixture ${name} has invalid rows`);
  return report.batch;
}

const at = (hm: string) => `2026-11-01 ${hm}:00`;
const event = (time: string, session: string, customer: string, action: string, page: string) => [
  time,
  session,
  customer,
  action,
  page,
  '',
  'desktop',
  5,
];

/*
 * S1 is in exp1 (A) and exp2 (B) and arrives in two batches (it purchases in the second). S2's exp1
 * assignment comes before its events, its exp2 one after them. S3 is in a variant that is neither A nor
 * B. S9 is assigned but has no events until a later batch. S5 runs past midnight (a range ending on
 * the first day cuts it). C4's events carry no session id (a derived session, in no experiment).
 */
describe('ab-test from the assignments the sessions table carries', () => {
  let engine: DuckDbEngine;
  let cleanup: () => void;
  let dir: string;
  let lateAssignments = '';
  const day = { from: '2026-11-01', to: '2026-11-01' };
  const assignments = async () =>
    (await engine.query('SELECT session_id, assignments FROM sessions ORDER BY session_id')).map((r) => [
      r.session_id,
      r.assignments,
    ]);

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
    await load(
      dir,
      'experiments',
      'early.csv',
      'session_id,experiment,variant\nS1,exp1,A\nS1,exp2,B\nS2,exp1,B\nS3,exp1,C\nS9,exp1,A\n',
    );
    await load(
      dir,
      'clickstream',
      'b1.csv',
      csv(CLICKSTREAM_HEADER, [
        event(at('10:00'), 'S1', 'C1', 'VIEW', 'product'),
        event(at('10:01'), 'S1', 'C1', 'ADD_TO_CART', 'product'),
        event(at('11:00'), 'S2', 'C1', 'VIEW', 'home'),
        event(at('12:00'), 'S3', 'C1', 'VIEW', 'product'),
        event(at('12:01'), 'S3', 'C1', 'PURCHASE', 'checkout'),
        event(at('13:00'), '', 'C4', 'VIEW', 'product'),
        event(at('13:02'), '', 'C4', 'PURCHASE', 'checkout'),
      ]),
    );
    await load(
      dir,
      'clickstream',
      'b2.csv',
      csv(CLICKSTREAM_HEADER, [
        event(at('10:03'), 'S1', 'C1', 'CHECKOUT', 'checkout'),
        event(at('10:04'), 'S1', 'C1', 'PURCHASE', 'checkout'),
        event(at('14:00'), 'S4', 'C4', 'VIEW', 'product'),
        event(at('14:05'), 'S4', 'C4', 'PURCHASE', 'checkout'),
        event(at('23:50'), 'S5', 'C1', 'VIEW', 'home'),
        event('2026-11-02 00:10:00', 'S5', 'C1', 'PURCHASE', 'checkout'),
      ]),
    );
    lateAssignments = await load(
      dir,
      'experiments',
      'late.csv',
      'session_id,experiment,variant\nS4,exp2,A\nS5,exp2,B\nS2,exp2,A\n',
    );
    engine = await DuckDbEngine.open(dir);
  });
  after(async () => {
    await engine.close();
    cleanup();
  });

  it('each session row holds its assignments, in experiment order (hand-computed)', async () => {
    const rows = await assignments();
    const derived = rows.filter(([id]) => String(id).startsWith('C4~'));
    assert.deepEqual(
      derived.map(([, a]) => a),
      [''],
    );
    assert.deepEqual(
      rows.filter(([id]) => !String(id).startsWith('C4~')),
      [
        ['S1', 'exp1=A,exp2=B'],
        ['S2', 'exp1=B,exp2=A'],
        ['S3', 'exp1=C'],
        ['S4', 'exp2=A'],
        ['S5', 'exp2=B'],
      ],
    );
  });

  it('counts a session in each of its experiments, and none without events (hand-computed)', async () => {
    // exp1: A = S1 (purchased), S9 has no events; B = S2. exp2: A = S4 (purchased), S2; B = S1
    // (purchased), S5 (purchased after midnight). S3's variant C is in neither.
    assert.deepEqual(await counts(engine), [
      ['exp1', 1, 1, 1, 0],
      ['exp2', 2, 1, 2, 2],
    ]);
    assert.deepEqual(await counts(engine, { experiment: 'exp2' }), [['exp2', 2, 1, 2, 2]]);
    // Cut at the end of the first day, S5 is its 23:50 view alone: not purchased.
    assert.deepEqual(await counts(engine, day), [
      ['exp1', 1, 1, 1, 0],
      ['exp2', 2, 1, 2, 1],
    ]);
    await assertSameAsJoin(engine, [{}, { experiment: 'exp1' }, day, { from: '2026-11-02' }]);
  });

  it('an assignment made long before its session’s events counts once they come', async () => {
    await load(
      dir,
      'clickstream',
      'b3.csv',
      csv(CLICKSTREAM_HEADER, [event(at('16:00'), 'S9', 'C4', 'VIEW', 'home')]),
    );
    assert.deepEqual(await counts(engine, { experiment: 'exp1' }), [['exp1', 2, 1, 1, 0]]);
    await assertSameAsJoin(engine, [{}, day]);
  });

  it('rolling assignments back takes them out of the sessions', async () => {
    const db = await DuckDbSession.open();
    try {
      await rollbackBatch(db, dataLayout(dir), lateAssignments);
    } finally {
      db.close();
    }
    const rows = new Map((await assignments()).map(([id, a]) => [id, a]));
    assert.deepEqual(
      ['S1', 'S2', 'S4', 'S5'].map((id) => rows.get(id)),
      ['exp1=A,exp2=B', 'exp1=B', '', ''],
    );
    assert.deepEqual(await counts(engine), [
      ['exp1', 2, 1, 1, 0],
      ['exp2', 0, 0, 1, 1],
    ]);
    await assertSameAsJoin(engine, [{}, day, { experiment: 'exp2' }]);
  });

  it('a sessions table written before the column says how to compute it again: build-lake does', async () => {
    const scratch = join(dir, 'scratch');
    mkdirSync(scratch, { recursive: true });
    const before = await abTest(engine, {});
    await makeOutdated(join(dir, 'lake', 'sessions'), scratch);
    const outdated = (err: unknown) =>
      err instanceof UserError && err.code === 'sessions_outdated' && /shoplake build-lake/.test(err.message);
    await assert.rejects(abTest(engine, {}), outdated);
    // Other session analyses do not read the column and still answer.
    assert.ok((await runAnalysis(engine, await findAnalysis('conversion-by-device'), {})).length > 0);
    // The lake has no raw files (loaded by ingest alone): build-lake only recomputes the sessions.
    assert.deepEqual(await buildLake(dir), []);
    assert.deepEqual(await abTest(engine, {}), before);
    await makeOutdated(join(dir, 'lake', 'sessions'), scratch);
    await assert.rejects(abTest(engine, {}), outdated);
  });

  it('… and so does the next load of one of its sources', async () => {
    await load(dir, 'experiments', 'more.csv', 'session_id,experiment,variant\nS5,exp3,B\n');
    const rows = new Map((await assignments()).map(([id, a]) => [id, a]));
    assert.deepEqual(
      ['S1', 'S2', 'S5'].map((id) => rows.get(id)),
      ['exp1=A,exp2=B', 'exp1=B', 'exp3=B'],
    );
    await assertSameAsJoin(engine, [{}, day]);
  });
});

/**
 * Makes the sessions table look like one an older shoplake wrote: its files without the assignments
 * column, the manifest's column list without it, and its batches without an experiments log length
 * (blanked out in place, so that the log keeps the length the manifest commits).
 */
async function makeOutdated(tableDir: string, scratch: string): Promise<void> {
  const manifestPath = join(tableDir, '_manifest.json');
  const manifest = JSON.parse(readFileSync(manifestPath, 'utf8')) as { files: string[]; columns?: string[] };
  assert.ok(manifest.files.length > 0);
  const db = await DuckDbSession.open();
  try {
    for (const [i, f] of manifest.files.entries()) {
      const path = join(tableDir, f);
      const copy = join(scratch, `old-${i}.parquet`);
      await db.run(
        `COPY (SELECT * EXCLUDE (assignments) FROM read_parquet(${sqlString(path)})) TO ${sqlString(copy)} (FORMAT parquet)`,
      );
      copyFileSync(copy, path);
    }
  } finally {
    db.close();
  }
  if (manifest.columns) {
    manifest.columns = manifest.columns.filter((c) => c !== 'assignments');
    writeFileSync(manifestPath, JSON.stringify(manifest));
  }
  const logPath = join(tableDir, '_batches.ndjson');
  const log = readFileSync(logPath, 'utf8');
  assert.match(log, /"experimentsLog"/);
  writeFileSync(
    logPath,
    log.replace(/,?"experimentsLog":\d+/g, (m) => ' '.repeat(m.length)),
  );
}

// Generated data in four batches: half the events, half the assignments (of sessions complete, split
// or still to come), the other half of the events (sessions split across the two), the other half of
// the assignments (of sessions already there).
describe('ab-test from assignments on a generated lake', () => {
  let engine: DuckDbEngine;
  let cleanup: () => void;

  before(async () => {
    const t = tempDir();
    cleanup = t.cleanup;
    const dir = t.dir;
    await generate({
      ...generateDefaults,
      orders: 2000,
      customers: 200,
      events: 12000,
      days: 5,
      seed: 11,
      asOf: new Date('2026-11-10T00:00:00Z'),
      out: dir,
      experiment: { name: 'exp', lift: 0.3, split: 0.5 },
    });
    for (const table of ['customers', 'orders'] as const) {
      await ingest({ dataDir: dir, table: TABLES[table], input: join(dir, 'raw', table) });
    }
    // Every other line of a raw file, as a file of its own: half k of the table's rows.
    const half = (table: TableName, file: string, k: number) => {
      const [header, ...lines] = readFileSync(join(dir, 'raw', table, file), 'utf8')
        .trim()
        .split('\n');
      const rows = lines.filter((_, i) => i % 2 === k);
      return writeText(join(dir, 'chunks', `${table}-${k}.csv`), `${header}\n${rows.join('\n')}\n`);
    };
    for (const k of [0, 1]) {
      await ingest({
        dataDir: dir,
        table: TABLES.clickstream,
        input: half('clickstream', 'clickstream.csv', k),
      });
      await ingest({
        dataDir: dir,
        table: TABLES.experiments,
        input: half('experiments', 'assignments.csv', k),
      });
    }
    engine = await DuckDbEngine.open(dir);
  });
  after(async () => {
    await engine.close();
    cleanup();
  });

  it('every assigned session with events carries its assignment, and ab-test answers as the join', async () => {
    const [n] = await engine.query(`SELECT
      (SELECT count(*) FROM sessions WHERE assignments <> '') AS carried,
      (SELECT count(*) FROM (SELECT DISTINCT x.session_id FROM experiments x
        SEMI JOIN clickstream c ON c.session_id = x.session_id)) AS expected,
      (SELECT count(*) FROM sessions s JOIN experiments x ON x.session_id = s.session_id
        WHERE s.assignments <> concat(x.experiment, '=', x.variant)) AS wrong`);
    assert.ok(Number(n?.expected) > 500, JSON.stringify(n));
    assert.deepEqual([Number(n?.carried), Number(n?.wrong)], [Number(n?.expected), 0]);
    const rows = await assertSameAsJoin(engine, [
      {},
      { experiment: 'exp' },
      { from: '2026-11-07', to: '2026-11-08' },
      { from: '2026-11-08' },
    ]);
    assert.ok(rows >= 4, `compared ${rows} rows`);
  });
});
