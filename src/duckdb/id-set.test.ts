import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { idSetSql } from './quote.js';
import { DuckDbSession } from './session.js';

describe('idSetSql', () => {
  let db: DuckDbSession;
  before(async () => {
    db = await DuckDbSession.open({ threads: 1 });
  });
  after(() => db.close());

  const matching = async (ids: readonly string[]) =>
    (
      await db.column(
        `SELECT id FROM (VALUES ('S1'), ('S2'), ('a.b:c-d_e'), ('x,y'), ('x'), ('y'), ('it''s')) t(id)
         WHERE id IN ${idSetSql(ids)} ORDER BY id`,
      )
    ).map(String);

  it('matches exactly the ids given, one literal or a list (hand-listed)', async () => {
    assert.deepEqual(await matching(['S2', 'a.b:c-d_e', 'S9']), ['S2', 'a.b:c-d_e']);
    assert.deepEqual(await matching(['S1']), ['S1']);
    // An id with the separator (no lake id has one) is taken whole, not as two.
    assert.deepEqual(await matching(['x,y']), ['x,y']);
    // Quotes are escaped.
    assert.deepEqual(await matching(["it's", 'S1']), ['S1', "it's"]);
  });
});
