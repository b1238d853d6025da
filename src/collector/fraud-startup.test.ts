import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { DuckDbEngine } from '../engines/testing.js';
import { UserError } from '../errors/index.js';
import { type AlertOrder, scoreUnscored } from '../fraud/index.js';
import { tempDir } from '../testing/index.js';
import { collectorConfigSchema } from './config.js';
import { copyLake, historyLake, plantedBurst, postJson as post, scoreCounts } from './fraud.test-helper.js';
import { startCollector } from './server.js';
import { KEY } from './testkit.test-helper.js';

const config = collectorConfigSchema.parse({ writeKeys: [KEY], compactIntervalMs: 60_000 });
// Each stored score as text (what the lake keeps), by order id; scored_at left out (the clock).
async function storedScores(dir: string): Promise<Record<string, unknown>[]> {
  const engine = await DuckDbEngine.open(dir);
  try {
    const rows = await engine.query(
      'SELECT order_id, customer_id, CAST(order_date AS VARCHAR) AS order_date, CAST(score AS VARCHAR) AS score, alert, reasons, model FROM fraud_scores ORDER BY order_id',
    );
    return rows.map((r) => ({ ...r, alert: Number(r.alert) }));
  } finally {
    await engine.close();
  }
}
const readyz = async (url: string) => (await (await fetch(`${url}/readyz`)).json()) as unknown;

describe('serve listens before the fraud model is built', { timeout: 180_000 }, () => {
  let root: string;
  let cleanup: () => void;
  let history: string;
  let at: number;

  before(async () => {
    ({ dir: root, cleanup } = tempDir('shoplake-fraud-startup-'));
    const h = await historyLake(root);
    history = h.dir;
    at = Math.min(Date.now() - 600_000, h.asOf.getTime() + 60_000);
  });
  after(() => cleanup());

  it('takes orders while the model loads and scores each of them exactly once when it is ready', async () => {
    const dir = copyLake(history, join(root, 'lake'));
    let release = () => {};
    const gate = new Promise<void>((resolve) => {
      release = resolve;
    });
    const running = await startCollector({
      dataDir: dir,
      config,
      port: 0,
      fraud: { beforeModel: () => gate },
    });
    const alerts: AlertOrder[] = [];
    try {
      assert.ok(running.fraud);
      running.fraud.onAlert = (a) => alerts.push(a);
      assert.deepEqual(await readyz(running.url), { ready: true, scoring: 'loading' });
      // Early: compacted into the lake before the model reads it (the rebuild sees them, without a score).
      const early = plantedBurst('CUST00021', 'E', at, 3);
      assert.equal((await post(running.url, '/v1/order-checks', early.checks)).status, 200);
      assert.equal((await post(running.url, '/v1/orders', early.orders)).status, 200);
      await running.collector.compactNow();
      // Late: still only in the WAL when the model is built.
      const late = plantedBurst('CUST00022', 'L', at, 4);
      assert.equal((await post(running.url, '/v1/order-checks', late.checks)).status, 200);
      assert.equal((await post(running.url, '/v1/orders', late.orders)).status, 200);
      assert.equal(running.fraud.status, 'loading');

      release();
      await running.fraud.modelReady();
      assert.deepEqual(await readyz(running.url), { ready: true, scoring: 'ready' });
      await running.fraud.drained();
      const ids = [...early.orders, ...late.orders].map((o) => o.order_id);
      // Both groups arrived live: each order counted once in the score histogram, whichever path scored it.
      const histogram = await running.fraud.metrics.scores.get();
      const count = histogram.values.find((v) => v.metricName === 'shoplake_fraud_score_count')?.value;
      assert.equal(count, ids.length);
      // Alerts: never twice for one order, and only for these orders.
      const alerted = alerts.map((a) => a.order_id);
      assert.equal(new Set(alerted).size, alerted.length, `alerts: ${alerted.join(' ')}`);
      for (const id of alerted) assert.ok(ids.includes(id), id);
    } finally {
      release();
      await running.close();
    }
    const counts = await scoreCounts(dir);
    for (const o of [
      ...plantedBurst('CUST00021', 'E', at, 3).orders,
      ...plantedBurst('CUST00022', 'L', at, 4).orders,
    ])
      assert.equal(counts.get(o.order_id), 1, `${o.order_id}: ${counts.get(o.order_id) ?? 0} scores`);
  });

  it('on a lake never scored, scores its orders in batches through two reads while taking orders, with progress', async () => {
    const dir = copyLake(history, join(root, 'never-scored'));
    assert.equal(
      (await scoreCounts(dir)).size,
      0,
      'the history lake holds no score (the fixture tests something)',
    );
    let release = () => {};
    const gate = new Promise<void>((resolve) => {
      release = resolve;
    });
    const lines: string[] = [];
    // keepUnscored 0: the path of a large lake (more unscored orders than a single read keeps).
    const running = await startCollector({
      dataDir: dir,
      config,
      port: 0,
      log: (line) => lines.push(line),
      fraud: { beforeModel: () => gate, keepUnscored: 0 },
    });
    const live = plantedBurst('CUST00031', 'V', at, 3);
    try {
      assert.ok(running.fraud);
      const fraud = running.fraud;
      const metric = async (name: string) =>
        (await running.collector.metrics.registry.getSingleMetricAsString(name)).split('\n').at(-1);
      assert.equal(await metric('shoplake_fraud_startup_progress'), 'shoplake_fraud_startup_progress 0');
      // Compacted into the lake before it is read: scored by the lake's read, yet counted as live.
      assert.equal((await post(running.url, '/v1/order-checks', live.checks)).status, 200);
      assert.equal((await post(running.url, '/v1/orders', live.orders)).status, 200);
      await running.collector.compactNow();
      release();
      await fraud.modelReady();
      await fraud.drained();
      assert.equal(fraud.status, 'ready');
      assert.equal(await metric('shoplake_fraud_startup_progress'), 'shoplake_fraud_startup_progress 1');
      // 3,000 history orders stored only (counted here, not in the live histogram); the burst counted live.
      assert.equal(
        await metric('shoplake_fraud_startup_scored_total'),
        'shoplake_fraud_startup_scored_total 3000',
      );
      const histogram = await fraud.metrics.scores.get();
      assert.equal(histogram.values.find((v) => v.metricName === 'shoplake_fraud_score_count')?.value, 3);
      assert.ok(
        // The log counts every order the lake's read scored, the compacted burst too.
        lines.some((l) => l === 'fraud: scored 3003 orders the lake held without a score'),
        lines.join('\n'),
      );
    } finally {
      release();
      await running.close();
    }
    const counts = await scoreCounts(dir);
    assert.equal(counts.size, 3003);
    assert.ok(
      [...counts.values()].every((n) => n === 1),
      'each order scored once',
    );
    for (const o of live.orders) assert.equal(counts.get(o.order_id), 1, o.order_id);
  });

  it('stores for a never-scored lake the very scores `shoplake fraud score` stores', async () => {
    const dir = copyLake(history, join(root, 'never-scored-serve'));
    const running = await startCollector({ dataDir: dir, config, port: 0, fraud: { keepUnscored: 0 } });
    try {
      await running.fraud?.modelReady();
      await running.fraud?.drained();
    } finally {
      await running.close();
    }
    // scoreUnscored: ingest batches straight into the lake, no worker, no WAL, on a copy of the same lake.
    const offline = copyLake(history, join(root, 'never-scored-offline'));
    assert.equal((await scoreUnscored(offline)).scored, 3000);
    const expected = await storedScores(offline);
    assert.equal(expected.length, 3000);
    assert.ok(expected.some((r) => r.alert === 1 && r.reasons !== null));
    assert.deepEqual(await storedScores(dir), expected);
  });

  it('a model file fitted on other features stops serve at start, as a user error', async () => {
    const dir = copyLake(history, join(root, 'stale-model'));
    const file = join(dir, 'fraud', 'model.json');
    mkdirSync(join(dir, 'fraud'), { recursive: true });
    writeFileSync(
      file,
      JSON.stringify({
        version: 'old-1',
        features: ['a', 'b'],
        weights: [1, 2],
        anomalyWeight: 1,
        bias: 0,
        threshold: 0.5,
      }),
    );
    await assert.rejects(
      startCollector({ dataDir: dir, config, port: 0 }),
      (err: unknown) => err instanceof UserError && err.code === 'bad_model' && err.message.includes('refit'),
    );
  });

  it('with scoring off, /readyz says so', async () => {
    const running = await startCollector({
      dataDir: copyLake(history, join(root, 'off')),
      config,
      port: 0,
      fraud: false,
    });
    try {
      assert.deepEqual(await readyz(running.url), { ready: true, scoring: 'off' });
    } finally {
      await running.close();
    }
  });
});
