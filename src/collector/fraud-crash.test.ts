import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { exited, startServer, waitFor } from './fault-kit.test-helper.js';
import { plantedBurst, postJson as post, scoreCounts, useHistoryLake } from './fraud.test-helper.js';

describe('scoring after a crash: every acknowledged order scored exactly once', { timeout: 240_000 }, () => {
  const { fresh, at } = useHistoryLake('shoplake-fraud-crash-');

  it('a crash between the acknowledgement and the scoring still scores every acknowledged order', async () => {
    const dir = fresh();
    // Orders wait ten minutes for fraud checks that never come: acknowledged, certainly not scored yet.
    const first = await startServer(dir, ['--check-wait', '10m']);
    const { orders } = plantedBurst('CUST00009', 'K', at(), 6);
    assert.equal((await post(first.url, '/v1/orders', orders)).status, 200);
    first.child.kill('SIGKILL');
    await exited(first.child);

    // The next start compacts the WAL and scores what the lake holds without a score; a clean stop stores it.
    const second = await startServer(dir);
    second.child.kill('SIGTERM');
    assert.equal(await exited(second.child), 0, second.stderr());
    const counts = await scoreCounts(dir);
    for (const o of orders)
      assert.equal(counts.get(o.order_id), 1, `${o.order_id}: ${counts.get(o.order_id) ?? 0} scores`);
  });

  it('after a crash, orders scored before it are not scored again and the others are scored once', async () => {
    const dir = fresh();
    const first = await startServer(dir, ['--check-wait', '10m']);
    // The model is built before the orders come (else it could read them from the lake and score B at once).
    await waitFor(
      async () => /"scoring":"ready"/.test(await (await fetch(`${first.url}/readyz`)).text()),
      120_000,
      'scoring ready',
    );
    // A: checks first, so each is scored at once. B: waits for checks that never come, never scored.
    const a = plantedBurst('CUST00011', 'A', at(), 4);
    const b = plantedBurst('CUST00012', 'B', at(), 3);
    assert.equal((await post(first.url, '/v1/order-checks', a.checks)).status, 200);
    assert.equal((await post(first.url, '/v1/orders', [...a.orders, ...b.orders])).status, 200);
    // A's scores are in the lake (stored through the WAL, compacted every 300 ms) before the crash.
    await waitFor(
      async () => {
        const counts = await scoreCounts(dir);
        return a.orders.every((o) => counts.has(o.order_id));
      },
      120_000,
      "A's scores in the lake",
    );
    first.child.kill('SIGKILL');
    await exited(first.child);

    const second = await startServer(dir);
    second.child.kill('SIGTERM');
    assert.equal(await exited(second.child), 0, second.stderr());
    // Only B was left without a score: A scored again would make this 7.
    assert.match(second.stderr(), /fraud: scored 3 orders the lake held without a score/);
    const counts = await scoreCounts(dir);
    for (const o of [...a.orders, ...b.orders])
      assert.equal(counts.get(o.order_id), 1, `${o.order_id}: ${counts.get(o.order_id) ?? 0} scores`);
  });

  it('a crash while the model is still being built leaves nothing acknowledged unscored', async () => {
    const dir = fresh();
    const first = await startServer(dir);
    // Sent as soon as the server listens: scored or not when the kill comes, depending on the machine.
    const c = plantedBurst('CUST00013', 'C', at(), 5);
    assert.equal((await post(first.url, '/v1/order-checks', c.checks)).status, 200);
    assert.equal((await post(first.url, '/v1/orders', c.orders)).status, 200);
    first.child.kill('SIGKILL');
    await exited(first.child);

    const second = await startServer(dir);
    second.child.kill('SIGTERM');
    assert.equal(await exited(second.child), 0, second.stderr());
    const counts = await scoreCounts(dir);
    for (const o of c.orders)
      assert.equal(counts.get(o.order_id), 1, `${o.order_id}: ${counts.get(o.order_id) ?? 0} scores`);
    assert.deepEqual(
      [...counts.entries()].filter(([, v]) => v !== 1),
      [],
    );
  });
});
