import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { collectorConfigSchema } from './config.js';
import {
  plantedBurst,
  postJson as post,
  scoreCounts,
  useHistoryLake,
  webhookReceiver,
} from './fraud.test-helper.js';
import { type RunningCollector, startCollector } from './server.js';
import { KEY } from './testkit.test-helper.js';

const config = collectorConfigSchema.parse({ writeKeys: [KEY], compactIntervalMs: 60_000 });

describe('fraud scoring in the collector', { timeout: 180_000 }, () => {
  const { fresh, at } = useHistoryLake('shoplake-fraud-');

  it('a webhook on loopback gets the alert for a planted burst within 2 s of the acknowledgement', async () => {
    const hook = await webhookReceiver();
    const running = await startCollector({ dataDir: fresh(), config, port: 0, fraud: { webhook: hook.url } });
    try {
      // The goal is for a running scorer: its model is built in the background after the server listens.
      await running.fraud?.modelReady();
      const { orders, checks } = plantedBurst('CUST00005', 'B', at());
      assert.equal((await post(running.url, '/v1/order-checks', checks)).status, 200);
      const res = await post(running.url, '/v1/orders', orders);
      const acked = Date.now();
      assert.equal(res.status, 200);
      const until = acked + 2000;
      while (hook.bodies.length === 0 && Date.now() < until) await new Promise((r) => setTimeout(r, 10));
      assert.ok(hook.bodies.length > 0, 'no alert within 2 s of the acknowledgement');
      const body = hook.bodies[0]?.body as {
        type: string;
        customer_id: string;
        order: { order_id: string };
        score: number;
        reasons: string[];
      };
      assert.equal(body.type, 'fraud_alert');
      assert.equal(body.customer_id, 'CUST00005');
      assert.match(body.order.order_id, /^B\d$/);
      assert.ok(body.score >= 0.3 && body.score <= 1, `score ${body.score}`);
      assert.ok(body.reasons.length > 0);
      // The burst's other orders are grouped with the first, not sent one by one.
      assert.equal(hook.bodies.length, 1);
    } finally {
      await running.close();
      await hook.close();
    }
  });

  for (const kind of ['hangs', 'fails'] as const) {
    it(`a webhook that ${kind} does not hold up ingestion`, async () => {
      const hook = await webhookReceiver((_req, res) => {
        if (kind === 'fails') {
          res.statusCode = 500;
          res.end('down');
        }
        // 'hangs': never answers (the dispatcher's own timeout ends each attempt).
      });
      const running = await startCollector({
        dataDir: fresh(),
        config,
        port: 0,
        fraud: { webhook: hook.url, groupWindowMs: 1, retryBaseMs: 50 },
      });
      try {
        const started = Date.now();
        // Every order is its own alert-worthy burst of one customer each, so each one calls the webhook.
        for (let i = 0; i < 40; i++) {
          const { orders, checks } = plantedBurst(`CUST000${10 + i}`, `S${i}-`, at(), 2);
          await post(running.url, '/v1/order-checks', checks);
          const res = await post(running.url, '/v1/orders', orders);
          assert.equal(res.status, 200);
        }
        const took = Date.now() - started;
        await running.fraud?.drained();
        // Alerts are handed to the webhook without blocking anything, so its first request can arrive a
        // little after the scores are stored: wait for it (bounded) rather than race it on a busy machine.
        const until = Date.now() + 15_000;
        while (hook.attempts() === 0 && Date.now() < until) await new Promise((r) => setTimeout(r, 20));
        assert.ok(hook.attempts() > 0, 'the webhook was never called');
        // 80 acknowledged requests while every webhook call hangs or fails; bounded generously for a busy machine.
        assert.ok(took < 20_000, `80 requests took ${took} ms`);
      } finally {
        await running.close();
        await hook.close();
      }
    });
  }

  it('scores that raise no alert reach the collector without anyone draining the scorer', async () => {
    // The worker sends scores without an alert every 400 ms rather than at once: they must still come.
    const running = await startCollector({ dataDir: fresh(), config, port: 0, fraud: { threshold: 1 } });
    try {
      const fraud = running.fraud;
      assert.ok(fraud);
      await fraud.modelReady();
      const { orders, checks } = plantedBurst('CUST00008', 'Q', at(), 4);
      assert.equal((await post(running.url, '/v1/order-checks', checks)).status, 200);
      assert.equal((await post(running.url, '/v1/orders', orders)).status, 200);
      const scored = async () =>
        (await fraud.metrics.scores.get()).values.find((v) => v.metricName === 'shoplake_fraud_score_count')
          ?.value ?? 0;
      const until = Date.now() + 30_000;
      while ((await scored()) < orders.length && Date.now() < until)
        await new Promise((r) => setTimeout(r, 50));
      assert.equal(await scored(), orders.length);
      assert.equal((await fraud.metrics.alerts.get()).values[0]?.value ?? 0, 0);
    } finally {
      await running.close();
    }
  });

  it('scores survive a restart, and a replayed order is not scored twice', async () => {
    const dir = fresh();
    const { orders, checks } = plantedBurst('CUST00007', 'R', at(), 4);
    let running: RunningCollector = await startCollector({ dataDir: dir, config, port: 0 });
    try {
      await post(running.url, '/v1/order-checks', checks);
      assert.equal((await post(running.url, '/v1/orders', orders)).status, 200);
      await running.fraud?.drained();
    } finally {
      await running.close();
    }
    const first = await scoreCounts(dir);
    for (const o of orders) assert.equal(first.get(o.order_id), 1, `${o.order_id} scored once`);

    running = await startCollector({ dataDir: dir, config, port: 0 });
    try {
      const res = await post(running.url, '/v1/orders', orders);
      assert.deepEqual((await res.json()) as unknown, { accepted: 0, duplicate: 4, rejected: 0, errors: [] });
      await running.fraud?.drained();
    } finally {
      await running.close();
    }
    const second = await scoreCounts(dir);
    for (const o of orders) assert.equal(second.get(o.order_id), 1, `${o.order_id} still scored once`);
    // Nothing else was rescored either: every order of the lake has exactly one score.
    assert.deepEqual(
      [...second.values()].filter((v) => v !== 1),
      [],
    );
    assert.equal(second.size, first.size);
  });
});
