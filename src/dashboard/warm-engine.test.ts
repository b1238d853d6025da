import assert from 'node:assert/strict';
import { test } from 'node:test';
import { openEngine } from '../engines/index.js';
import { UserError } from '../errors/index.js';
import { tempDir } from '../testing/index.js';
import { WarmEngine } from './warm-engine.js';

test("an analysis's bound covers all its statements: once it fired, the rest fail at once", async () => {
  const { dir, cleanup } = tempDir('shoplake-warm-engine-');
  const warm = new WarmEngine(() => openEngine({ dataDir: dir }), 60_000);
  try {
    const bound = new AbortController();
    const analysis = await warm.queued(bound.signal);
    assert.deepEqual(await analysis.query('SELECT 42 AS n'), [{ n: 42 }]);
    const reason = new UserError('stopped after 1 s: narrow the query', { code: 'timeout', status: 408 });
    bound.abort(reason);
    // Regression: each statement used to get a fresh limit of its own, so a many-statement analysis
    // (recommend-backtest) kept running long after it was stopped.
    await assert.rejects(analysis.query('SELECT 43 AS n'), (err) => err === reason);
    // Another analysis, with its own bound, still runs on the same engine.
    const next = await warm.queued();
    assert.deepEqual(await next.query('SELECT 44 AS n'), [{ n: 44 }]);
    assert.equal(warm.statements, 3);
  } finally {
    await warm.close();
    cleanup();
  }
});
