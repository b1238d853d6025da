import assert from 'node:assert/strict';
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { DuckDbEngine } from '../engines/testing.js';
import { tempDir } from '../testing/index.js';
import { exited, startServer } from './fault-kit.test-helper.js';
import { event, KEY, order } from './testkit.test-helper.js';

test('kill -9 during load: every acknowledged record is in the lake exactly once', {
  timeout: 90_000,
}, async (t) => {
  const { dir, cleanup } = tempDir('shoplake-crash-');
  const acked = new Set<number>();
  const sent = new Set<number>();
  let next = 0;
  try {
    for (let round = 0; round < 4; round++) {
      const { child, url } = await startServer(dir);
      let alive = true;
      const worker = async () => {
        while (alive) {
          const ids = Array.from({ length: 25 }, () => next++);
          // Half of each batch retries already acknowledged ids: they must stay single in the lake.
          const retries = [...acked].slice(-3);
          for (const id of ids) sent.add(id);
          const headers = { authorization: `Bearer ${KEY}`, 'content-type': 'application/json' };
          try {
            const [orders, events] = await Promise.all([
              fetch(`${url}/v1/orders`, {
                method: 'POST',
                headers,
                body: JSON.stringify([...ids, ...retries].map((i) => order(i))),
              }),
              fetch(`${url}/v1/events`, {
                method: 'POST',
                headers,
                body: JSON.stringify([...ids, ...retries].map((i) => event(i))),
              }),
            ]);
            if (orders.status === 200 && events.status === 200) for (const id of ids) acked.add(id);
          } catch {
            // Connection reset by the kill: these ids are unacknowledged and may or may not be stored.
          }
        }
      };
      const workers = Array.from({ length: 6 }, worker);
      // Count-based, not time-based, so a slow machine still kills under load: each round waits for
      // fresh acknowledgements (a different number each round, to vary where the kill lands).
      const target = acked.size + 150 + ((round * 337) % 400);
      const until = Date.now() + 30_000;
      while (acked.size < target && Date.now() < until) await new Promise((r) => setTimeout(r, 10));
      assert.ok(acked.size >= target, `round ${round}: only ${acked.size} of ${target} acknowledged in 30 s`);
      child.kill('SIGKILL');
      await exited(child);
      alive = false;
      await Promise.all(workers);
    }
    const { child, stderr } = await startServer(dir);
    child.kill('SIGTERM');
    const code = await exited(child);
    assert.equal(code, 0, `SIGTERM drains, compacts and exits 0 (got ${code}, ${child.signalCode})`);
    assert.match(stderr(), /stopped: every acknowledged record is in the lake/);
    assert.deepEqual(readdirSync(join(dir, 'wal', 'orders')), [], 'the WAL is empty after a clean stop');
    assert.ok(!existsSync(join(dir, 'quarantine', 'orders')), 'no torn line reached ingest');

    const engine = await DuckDbEngine.open(dir);
    try {
      for (const [table, id, prefix] of [
        ['orders', 'order_id', 'O'],
        ['clickstream', 'event_id', 'E'],
      ] as const) {
        const rows = await engine.query(`SELECT ${id} AS id, count(*) AS n FROM ${table} GROUP BY 1`);
        const stored = new Map(rows.map((r) => [Number(String(r.id).slice(1)), Number(r.n)]));
        const missing = [...acked].filter((n) => !stored.has(n));
        const doubled = [...stored.values()].filter((n) => n > 1).length;
        t.diagnostic(
          `server kill: ${table}: 4 rounds, ${acked.size} acknowledged, ${missing.length} lost, ${doubled} duplicated`,
        );
        for (const [n, count] of stored) {
          assert.equal(count, 1, `${table} ${prefix}${n} stored ${count} times`);
          assert.ok(sent.has(n), `${table} ${prefix}${n} was never sent`);
        }
        assert.deepEqual(missing.slice(0, 5), [], `${missing.length} acknowledged ${table} records lost`);
      }
    } finally {
      await engine.close();
    }
  } finally {
    cleanup();
  }
});
