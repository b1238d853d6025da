import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { Browser } from 'playwright-core';
import { z } from 'zod';
import { collectorConfigSchema, type RunningCollector, startCollector } from '../collector/index.js';
import { sparkRemoteForTests } from '../engines/spark/spark-remote.test-helper.js';
import { synthetic } from '../replay/index.js';
import { tempDir } from '../testing/index.js';
import {
  chartMarks,
  launchChromium,
  panelErrors,
  panelsSettled,
  shot,
  watchPage,
} from './browser.test-helper.js';
import { createDashboard, type Dashboard } from './index.js';
import { cli, smallLake } from './lake.test-helper.js';
import { type LiveEvents, liveEvents } from './sse.test-helper.js';

const KEY = 'dashboard-spark-test-key';
const spark = sparkRemoteForTests();
const counters = z.object({ ordersTotal: z.number().nullable(), problem: z.string().nullable() });

/** The distinct orders of the lake, counted by the CLI on DuckDB (a separate process, its own SQL). */
function ordersByCli(dir: string): number {
  const r = cli([
    'sql',
    'SELECT count(DISTINCT order_id) AS n FROM orders',
    '--format',
    'json',
    '--data',
    dir,
  ]);
  assert.equal(r.status, 0, r.stderr);
  const [row] = z.array(z.object({ n: z.number() })).parse(JSON.parse(r.stdout));
  return row?.n ?? Number.NaN;
}

// `shoplake serve` with SHOPLAKE_ENGINE=spark: the collector, with the dashboard on a Spark engine.
describe('dashboard on the Spark engine', { skip: 'skip' in spark ? spark.skip : false }, () => {
  const { dir, cleanup } = tempDir('shoplake-dashboard-spark-');
  let dashboard: Dashboard;
  let server: RunningCollector;
  let browser: Browser | null = null;
  let events: LiveEvents | undefined;

  before(async () => {
    if (!('remote' in spark)) return;
    await smallLake(dir);
    dashboard = createDashboard({
      engine: { dataDir: dir, kind: 'spark', spark: { remote: spark.remote } },
      pollMs: 250,
    });
    server = await startCollector({
      dataDir: dir,
      config: collectorConfigSchema.parse({ writeKeys: [KEY], compactIntervalMs: 300 }),
      port: 0,
      fallback: dashboard.listener,
      fraud: false,
    });
    browser = await launchChromium();
  });
  after(async () => {
    events?.close();
    await browser?.close();
    await dashboard?.close();
    await server?.close();
    cleanup();
  });

  test('the live counters rise over server-sent events once posted orders land', async () => {
    const before = ordersByCli(dir);
    const statsBefore = dashboard.stats();
    events = await liveEvents(`${server.url}/api/live?tz=UTC`);
    const first = counters.parse(await events.next(120_000));
    assert.equal(first.problem, null);
    assert.equal(first.ordersTotal, before);
    // 40 new orders (ids the generated lake does not use), acknowledged then compacted into the lake.
    const orders = synthetic(40, 0).orders;
    const res = await fetch(`${server.url}/v1/orders`, {
      method: 'POST',
      headers: { authorization: `Bearer ${KEY}`, 'content-type': 'application/json' },
      body: JSON.stringify(orders),
    });
    assert.equal(res.status, 200, await res.text());
    // Every push until the count includes them all (a compaction may land them in several batches).
    let seen = first;
    while (seen.ordersTotal !== before + orders.length) {
      seen = counters.parse(await events.next(120_000));
      assert.equal(seen.problem, null);
      assert.ok((seen.ordersTotal ?? 0) <= before + orders.length, JSON.stringify(seen));
    }
    assert.equal(ordersByCli(dir), before + orders.length);
    // The panels run on Spark; the counters counted on their own DuckDB beside it (see app.ts): the
    // Spark engine ran no statement meanwhile, so the counters never waited in the panels' queue.
    const stats = dashboard.stats();
    assert.ok(stats.liveStatements > statsBefore.liveStatements, JSON.stringify(stats));
    assert.equal(
      stats.statements - stats.liveStatements,
      statsBefore.statements - statsBefore.liveStatements,
    );
    const status = z
      .object({ engine: z.string(), liveEngine: z.string() })
      .parse(await (await fetch(`${server.url}/api/status`)).json());
    assert.deepEqual(status, { engine: 'spark', liveEngine: 'duckdb' });
  });

  test('the overview draws every panel from Spark, with no error', async (t) => {
    if (!browser) return t.skip('Chromium is not installed');
    const page = await browser.newPage({ locale: 'en-US', viewport: { width: 1400, height: 1000 } });
    const problems = watchPage(page);
    await page.goto(`${server.url}/`);
    await panelsSettled(page, 300_000);
    const errors = await panelErrors(page);
    assert.deepEqual(errors, []);
    for (const [i, n] of (await chartMarks(page)).entries()) assert.ok(n > 3, `chart ${i} drew ${n} shapes`);
    await page.waitForFunction(() =>
      document.querySelector('#tile-orders-total .value')?.getAttribute('data-value'),
    );
    const shown = Number(await page.getAttribute('#tile-orders-total .value', 'data-value'));
    assert.equal(shown, ordersByCli(dir));
    await page.screenshot({ path: shot('overview-spark'), fullPage: true });
    await page.close();
    assert.deepEqual(problems, []);
  });
});
