import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { DuckDbSession, sqlString } from '../duckdb/index.js';
import { tempDir } from '../testing/index.js';
import { appendRows } from './append.test-helper.js';
import { dataLayout, TABLES, tableSelectSql } from './index.js';

let dir: string;
let cleanup: () => void;
before(() => ({ dir, cleanup } = tempDir()));
after(() => cleanup());

test('a file written before an optional column existed reads it as NULL instead of failing', async () => {
  const layout = dataLayout(dir);
  const db = await DuckDbSession.open();
  try {
    const row = `SELECT 'O1' AS order_id, NULL AS customer_id, 'P1' AS product_id, 'Pen' AS product_name,
      2 AS quantity, CAST(1.5 AS DECIMAL(18,4)) AS price, CAST(3 AS DECIMAL(18,4)) AS total_amount,
      TIMESTAMP '2024-01-02 10:00:00' AS order_date, 'COMPLETED' AS status, 'North' AS region,
      CAST(NULL AS DECIMAL(18,4)) AS discount`;
    const { files } = await appendRows(db, layout, TABLES.orders, `(${row}) AS r`);
    // Rewrite the file as an older shoplake wrote it: without the discount column.
    for (const file of files) {
      await db.run(
        `CREATE TEMP TABLE old AS SELECT * EXCLUDE (discount) FROM read_parquet(${sqlString(file)})`,
      );
      await db.run(`COPY old TO ${sqlString(file)} (FORMAT parquet)`);
    }
    const [got] = await db.all(
      `SELECT count(*) AS n, count(discount) AS with_discount, CAST(sum(total_amount) AS VARCHAR) AS total
       FROM (${tableSelectSql(layout, TABLES.orders)})`,
    );
    assert.deepEqual(got, { n: 1, with_discount: 0, total: '3.0000' });
  } finally {
    db.close();
  }
});
