import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { z } from 'zod';
import type { EngineKind } from '../engines/index.js';
import { UserError } from '../errors/index.js';
import { engineSupport, enginesFor } from './engine-support.js';
import { buildFixtureLake, fixtureLake } from './fixture.test-helper.js';
import { runAnalysis } from './run.js';
import { defineAnalysis } from './types.js';

// Throwaway analyses for the mechanism only: the catalog's analyses all run on every engine.
const counts = (unsupportedOn?: Partial<Record<EngineKind, string>>) =>
  defineAnalysis({
    name: 'order-count',
    description: 'orders in the lake',
    params: z.object({}),
    row: z.object({ n: z.number() }),
    sql: () => 'SELECT count(*) AS n FROM orders',
    ...(unsupportedOn ? { unsupportedOn } : {}),
  });

describe('analyses that cannot run on an engine', () => {
  const lake = fixtureLake(buildFixtureLake);

  it('lists where an analysis runs, with the reason for each engine it cannot run on', () => {
    assert.deepEqual(enginesFor(counts()), ['duckdb', 'spark']);
    assert.equal(engineSupport(counts()), 'duckdb, spark');
    const sparkOnly = counts({ duckdb: 'needs a Spark-only function' });
    assert.deepEqual(enginesFor(sparkOnly), ['spark']);
    assert.equal(engineSupport(sparkOnly), 'spark (not on duckdb: needs a Spark-only function)');
  });

  it('refuses, as a user error with the reason, to run on such an engine, before running anything', async () => {
    // The fixture lake has 5 order lines (fixture.test-helper.ts): the plain analysis runs.
    assert.deepEqual(await runAnalysis(lake.engine(), counts(), {}), [{ n: 5 }]);
    await assert.rejects(
      runAnalysis(lake.engine(), counts({ duckdb: 'needs a Spark-only function' }), {}),
      (err: unknown) =>
        err instanceof UserError &&
        err.message ===
          'order-count cannot run on duckdb: needs a Spark-only function; run it with --engine spark',
    );
    // Not on spark only: DuckDB runs it.
    assert.deepEqual(await runAnalysis(lake.engine(), counts({ spark: 'too slow there' }), {}), [{ n: 5 }]);
  });
});
