import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { DuckDbSession } from '../../../duckdb/index.js';
import { segmentSql } from './rfm.js';
import { choiceSql, constantSql, valueAtSql } from './sql.js';

describe('SQL built from constants', () => {
  it('writes a constant of the closed set as a literal, doubling every quote, and refuses anything else', async () => {
    assert.equal(constantSql(['VIEW', 'PURCHASE'], 'VIEW'), "'VIEW'");
    assert.equal(constantSql(["it's 'quoted'"], "it's 'quoted'"), "'it''s ''quoted'''");
    assert.throws(() => constantSql(['VIEW'], "VIEW' OR 1=1 --"), /not one of/);
    const choices: Record<string, string> = { units: 'units', revenue: 'revenue' };
    assert.equal(choiceSql<string>(choices, 'units'), 'units');
    assert.throws(() => choiceSql<string>(choices, 'revenue; DROP'), /not one of/);
    // DuckDB reads the literals back as the values (every quote, not only the first, is escaped).
    const db = await DuckDbSession.open();
    try {
      const [row] = await db.all(`SELECT ${constantSql(["a'b'c"], "a'b'c")} AS v, ${segmentSql()} AS s
        FROM (SELECT 1 AS r, 5 AS f) t`);
      assert.deepEqual(row, { v: "a'b'c", s: "Can't Lose" });
    } finally {
      db.close();
    }
  });

  it('valueAtSql breaks ties at the earliest second alphabetically and the latest one reverse-alphabetically', async () => {
    const db = await DuckDbSession.open();
    try {
      // Two orders of the same rows: (10, 'b'), (10, 'a'), (12, 'c'), (12, 'd').
      for (const order of ['ASC', 'DESC']) {
        const [row] = await db.all(`SELECT ${valueAtSql('min_by', 'v', 'sec', ['a', 'b', 'c', 'd'])} AS first,
            ${valueAtSql('max_by', 'v', 'sec', ['a', 'b', 'c', 'd'])} AS last
          FROM (SELECT * FROM (VALUES (1, 10, 'b'), (2, 10, 'a'), (3, 12, 'c'), (4, 12, 'd')) t(i, sec, v)
            ORDER BY i ${order})`);
        assert.deepEqual(row, { first: 'a', last: 'd' }, order);
      }
    } finally {
      db.close();
    }
  });
});
