import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { DuckDbSession } from '../../duckdb/index.js';
import { tempDir } from '../../testing/index.js';
import { dataLayout } from '../layout.js';
import { touchedSessionsOf } from './touched.js';

describe('the sessions an experiments change touches', () => {
  let db: DuckDbSession;
  let cleanup: () => void;
  let dir: string;
  before(async () => {
    ({ dir, cleanup } = tempDir());
    db = await DuckDbSession.open();
    // S1 is in two experiments: one session to recompute, not two.
    await db.run(`CREATE TEMP TABLE changed AS SELECT * FROM (VALUES
      ('S1', 'e1', 'A'), ('S2', 'e1', 'B'), ('S1', 'e2', 'A')) t(session_id, experiment, variant)`);
  });
  after(() => {
    db.close();
    cleanup();
  });

  it('are the assigned session ids, without a time', async () => {
    const touched = await touchedSessionsOf(db, dataLayout(dir), 'experiments', 'changed');
    assert.ok(touched !== null && touched !== 'all');
    const rows = await db.all(`SELECT * FROM ${touched} ORDER BY session_id`);
    assert.deepEqual(
      rows.map((r) => [r.session_id, r.customer_id, r.timestamp]),
      [
        ['S1', null, null],
        ['S2', null, null],
      ],
    );
  });

  it('are every session past the limit, and none for an empty change', async () => {
    assert.equal(await touchedSessionsOf(db, dataLayout(dir), 'experiments', 'changed', 1), 'all');
    assert.notEqual(await touchedSessionsOf(db, dataLayout(dir), 'experiments', 'changed', 2), 'all');
    assert.equal(
      await touchedSessionsOf(db, dataLayout(dir), 'experiments', '(SELECT * FROM changed WHERE false)'),
      null,
    );
  });
});
