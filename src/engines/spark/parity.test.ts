import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { loadCatalog, runAnalysis } from '../../analyses/index.js';
import { tempDir } from '../../testing/index.js';
import { collectRows } from '../index.js';
import { DuckDbEngine } from '../testing.js';
import { parityCases } from './parity-cases.test-helper.js';
import { buildParityLake } from './parity-lake.test-helper.js';
import { firstDifference } from './rows-match.test-helper.js';
import { SparkEngine } from './spark-engine.js';
import { sparkRemoteForTests } from './spark-remote.test-helper.js';

const spark = sparkRemoteForTests();
const catalog = await loadCatalog();

// Ad-hoc `sql` queries touching what analyses may not: every table, NULL ordering, string functions.
const AD_HOC = [
  'SELECT region, count(*) AS n, sum(total_amount) AS revenue FROM orders GROUP BY region ORDER BY region',
  // avg() of a DECIMAL is a DOUBLE on DuckDB and a 6-decimal DECIMAL on Spark (dialect.ts): cast first.
  'SELECT tier, count(*) AS n, sum(lifetime_value) AS ltv, avg(CAST(lifetime_value AS DOUBLE)) AS avg_ltv FROM customers GROUP BY tier ORDER BY tier',
  "SELECT device, count(DISTINCT session_id) AS sessions FROM clickstream WHERE action = 'PURCHASE' GROUP BY device ORDER BY device",
  'SELECT CAST(order_date AS DATE) AS day, count(*) AS n FROM orders GROUP BY 1 ORDER BY 1 LIMIT 5',
  'SELECT min(order_date) AS first, max(order_date) AS last, min(CAST(order_date AS DATE)) AS first_day FROM orders',
  'SELECT product_id, category, list_price FROM products ORDER BY product_id LIMIT 20',
  'SELECT experiment, variant, count(*) AS n FROM experiments GROUP BY 1, 2 ORDER BY 1, 2',
  "SELECT upper(region) AS r, length(customer_id) AS l, coalesce(NULL, 'x') AS c FROM orders ORDER BY order_id, product_id LIMIT 3",
];

describe('Spark and DuckDB give the same rows', { skip: 'skip' in spark ? spark.skip : false }, () => {
  let duck: DuckDbEngine;
  let sparkEngine: SparkEngine;
  let cleanup: () => void;
  // User-written SQL runs only in a sandboxed engine (the one guard), as `shoplake sql` runs it.
  let duckSandbox: DuckDbEngine;

  before(async () => {
    if (!('remote' in spark)) return;
    const t = tempDir();
    cleanup = t.cleanup;
    await buildParityLake(t.dir);
    duck = await DuckDbEngine.open(t.dir);
    duckSandbox = await DuckDbEngine.open(t.dir, { sandboxed: true });
    // Sandboxed: it runs the analyses and, as `shoplake sql` does, the ad-hoc queries.
    sparkEngine = await SparkEngine.open(t.dir, { remote: spark.remote, sandboxed: true });
  });
  after(async () => {
    await sparkEngine?.close();
    await duck?.close();
    await duckSandbox?.close();
    cleanup?.();
  });

  for (const analysis of catalog) {
    for (const c of parityCases(analysis)) {
      it(`${analysis.name} (${c.label})`, async () => {
        const want = await runAnalysis(duck, analysis, c.params);
        const got = await runAnalysis(sparkEngine, analysis, c.params);
        assert.ok(
          want.length > 0,
          `${analysis.name} returns no rows on this lake: the comparison would prove nothing`,
        );
        const diff = firstDifference(want, got);
        assert.equal(diff, null, diff ?? '');
      });
    }
  }

  for (const sql of AD_HOC) {
    it(`sql: ${sql.slice(0, 70)}`, async () => {
      const want = await collectRows(await duckSandbox.querySelect(sql));
      const got = await collectRows(await sparkEngine.querySelect(sql));
      assert.ok(want.length > 0);
      const diff = firstDifference(want, got);
      assert.equal(diff, null, diff ?? '');
    });
  }
});
