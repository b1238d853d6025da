import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { loadCatalog, runAnalysis } from '../../analyses/index.js';
import { tempDir } from '../../testing/index.js';
import { DuckDbEngine } from '../testing.js';
import { buildMessyLake } from './messy-lake.test-helper.js';
import { parityCases } from './parity-cases.test-helper.js';
import { firstDifference } from './rows-match.test-helper.js';
import { SparkEngine } from './spark-engine.js';
import { sparkRemoteForTests } from './spark-remote.test-helper.js';

const spark = sparkRemoteForTests();
const catalog = await loadCatalog();

/** What a run gave: its rows, or the one line it failed with. */
async function outcome(
  run: () => Promise<Record<string, unknown>[]>,
): Promise<{ rows: Record<string, unknown>[] } | { error: string }> {
  try {
    return { rows: await run() };
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
  let cleanup: () => void;

  before(async () => {
    if (!('remote' in spark)) return;
    const t = tempDir();
    cleanup = t.cleanup;
    await buildMessyLake(t.dir);
    duck = await DuckDbEngine.open(t.dir);
    sparkEngine = await SparkEngine.open(t.dir, { remote: spark.remote, sandboxed: true });
  });
  after(async () => {
    await sparkEngine?.close();
    await duck?.close();
    cleanup?.();
  });

  for (const analysis of catalog) {
    for (const c of parityCases(analysis)) {
      it(`${analysis.name} (${c.label})`, async () => {
        const want = await outcome(() => runAnalysis(duck, analysis, c.params));
        const got = await outcome(() => runAnalysis(sparkEngine, analysis, c.params));
        if ('error' in want) {
          assert.deepEqual(got, want);
          return;
        }
        assert.ok('rows' in got, 'error' in got ? got.error : '');
        const diff = firstDifference(want.rows, got.rows);
        assert.equal(diff, null, diff ?? '');
      });
    }
  }
});
