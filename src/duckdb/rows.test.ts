import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { DuckDbSession } from './session.js';

describe('streamed rows', () => {
  it('equal what node-api’s own JSON conversion gives, for every common type, NULLs and many chunks', async () => {
    const db = await DuckDbSession.open();
    try {
      const sql = `SELECT range AS id, CAST(range AS INTEGER) AS i, CAST(range % 100 AS TINYINT) AS t,
          CAST(range AS HUGEINT) * 3 AS h, CAST(range / 7 AS DECIMAL(18,2)) AS money, range / 3.0 AS d,
          CAST(range / 3.0 AS FLOAT) AS f, range % 2 = 0 AS b, 'row ' || range AS s,
          CASE WHEN range % 5 = 0 THEN NULL ELSE 'x' END AS maybe,
          TIMESTAMP '2026-11-01 00:00:00' + to_seconds(range) AS ts, DATE '2026-01-01' + CAST(range % 300 AS INTEGER) AS day,
          [range, range + 1] AS list, {'a': range} AS struct, INTERVAL 1 HOUR * (range % 3) AS span,
          'ab'::BLOB AS blob, uuid() IS NOT NULL AS u, CAST(range AS UBIGINT) AS ub
        FROM range(5000)`;
      // Independent: node-api's row objects in JSON form, with 64-bit integers and decimals as numbers.
      const expected = await db.all(sql);
      const streamed: unknown[] = [];
      for await (const batch of await db.stream(sql)) streamed.push(...batch);
      assert.equal(streamed.length, 5000);
      assert.deepEqual(streamed, expected);
    } finally {
      db.close();
    }
  });
});
