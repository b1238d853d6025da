import assert from 'node:assert/strict';
import { join } from 'node:path';
import { test } from 'node:test';
import { tempDir } from '../testing/index.js';
import { exited, startServer } from './fault-kit.test-helper.js';
import { copyLake, historyLake, plantedBurst, scoreCounts } from './fraud.test-helper.js';
import { KEY } from './testkit.test-helper.js';

test('a crash between the acknowledgement and the scoring still scores every acknowledged order', {
  timeout: 120_000,
}, async () => {
  const { dir: root, cleanup } = tempDir('shoplake-fraud-crash-');
  try {
    const h = await historyLake(root);
    const dir = copyLake(h.dir, join(root, 'lake'));
    const at = Math.min(Date.now() - 600_000, h.asOf.getTime() + 60_000);
    // Orders wait ten minutes for fraud checks that never come: acknowledged, certainly not scored yet.
    const first = await startServer(dir, ['--check-wait', '10m']);
    const { orders } = plantedBurst('CUST00009', 'K', at, 6);
    const res = await fetch(`${first.url}/v1/orders`, {
      method: 'POST',
      body: JSON.stringify(orders),
      headers: { authorization: `Bearer ${KEY}`, 'content-type': 'application/json' },
    });
    assert.equal(res.status, 200);
    first.child.kill('SIGKILL');
    await exited(first.child);

    // The next start compacts the WAL and scores what the lake holds without a score; a clean stop stores it.
    const second = await startServer(dir);
    second.child.kill('SIGTERM');
    assert.equal(await exited(second.child), 0, second.stderr());
    const counts = await scoreCounts(dir);
    for (const o of orders)
      assert.equal(counts.get(o.order_id), 1, `${o.order_id}: ${counts.get(o.order_id) ?? 0} scores`);
  } finally {
    cleanup();
  }
});
