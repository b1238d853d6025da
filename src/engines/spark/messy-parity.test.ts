import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { loadCatalog, runAnalysisWithNotes } from '../../analyses/index.js';
import { tempDir } from '../../testing/index.js';
import { collectRows } from '../index.js';
import { DuckDbEngine } from '../testing.js';
import { buildMessyLake } from './messy-lake.test-helper.js';
import { parityCases } from './parity-cases.test-helper.js';
import { firstDifference } from './rows-match.test-helper.js';
import { SparkEngine } from './spark-engine.js';
import { sparkRemoteForTests } from './spark-remote.test-helper.js';

const spark = sparkRemoteForTests();
const catalog = await loadCatalog();

// `shoplake sql` on the messy data: unicode text, guests (NULL customer) in groups and orderings, refunds,
// and values no double carries (printed exactly by both engines, see arrow-rows.ts and duckdb/rows.ts).
const AD_HOC = [
  'SELECT customer_id, first_name, last_name, city, region FROM customers ORDER BY customer_id LIMIT 12',
  'SELECT customer_id, count(DISTINCT order_id) AS orders, sum(total_amount) AS net FROM orders GROUP BY customer_id ORDER BY customer_id NULLS FIRST LIMIT 8',
  'SELECT order_date, count(*) AS n FROM orders GROUP BY order_date HAVING count(DISTINCT order_id) > 1 ORDER BY order_date',
  'SELECT sum(CASE WHEN quantity < 0 THEN total_amount END) AS refunded, sum(total_amount) AS net FROM orders',
  "SELECT CAST(9007199254740993 AS BIGINT) AS big, CAST('12345678901234567.89' AS DECIMAL(38,2)) AS wide, CAST(sum(quantity) AS BIGINT) * 4503599627370497 AS product FROM orders WHERE quantity > 0 AND order_id = 'ORD00001'",
];

/** What a run gave: its rows, or the one line it failed with. */
async function outcome(
  run: () => Promise<{ rows: Record<string, unknown>[]; notes: unknown[] }>,
): Promise<{ rows: Record<string, unknown>[]; notes: unknown[] } | { error: string }> {
  try {
    return await run();
  } catch (err) {
    return {
      error: `${err instanceof Error ? err.constructor.name : 'thrown'}: ${String(err instanceof Error ? err.message : err)}`,
    };
  }
}

// The generated parity lake is tidy; this one has the messes of real shops (messy-lake.test-helper.ts).
// Each engine must give the same rows, or fail with the same message (a table the lake does not have,
// too few customers for a model).
describe('Spark and DuckDB agree on a messy lake', { skip: 'skip' in spark ? spark.skip : false }, () => {
  let duck: DuckDbEngine;
  let sparkEngine: SparkEngine;
  let duckSandbox: DuckDbEngine;
  let cleanup: () => void;

  before(async () => {
    if (!('remote' in spark)) return;
    const t = tempDir();
    cleanup = t.cleanup;
    await buildMessyLake(t.dir);
    duck = await DuckDbEngine.open(t.dir);
    duckSandbox = await DuckDbEngine.open(t.dir, { sandboxed: true });
    sparkEngine = await SparkEngine.open(t.dir, { remote: spark.remote, sandboxed: true });
  });
  after(async () => {
    await sparkEngine?.close();
    await duck?.close();
    await duckSandbox?.close();
    cleanup?.();
  });

  // The lake's instants sit on Paris's DST change too, and a half-hour zone moves day edges off the hour.
  const zones = (analysis: (typeof catalog)[number]) =>
    'tz' in analysis.params.shape
      ? ['Europe/Paris', 'Asia/Kolkata'].map((tz) => ({ label: `tz=${tz}`, params: { tz } }))
      : [];

  for (const analysis of catalog) {
    for (const c of [...parityCases(analysis), ...zones(analysis)]) {
      it(`${analysis.name} (${c.label})`, async () => {
        const want = await outcome(() => runAnalysisWithNotes(duck, analysis, c.params));
        const got = await outcome(() => runAnalysisWithNotes(sparkEngine, analysis, c.params));
        if ('error' in want) {
          assert.deepEqual(got, want);
          return;
        }
        assert.ok('rows' in got, 'error' in got ? got.error : '');
        const diff = firstDifference(want.rows, got.rows);
        assert.equal(diff, null, diff ?? '');
        // What each left out (guests, refund-only orders, return lines), said the same way.
        assert.deepEqual(got.notes, want.notes);
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
