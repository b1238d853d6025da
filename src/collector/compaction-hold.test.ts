import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { tempDir } from '../testing/index.js';
import { Compactor, heldBack, type SegmentSource } from './compactor.js';
import { CollectorMetrics } from './metrics.js';
import type { CollectedTable } from './records.js';

let dir: string;
let cleanup: () => void;
before(() => ({ dir, cleanup } = tempDir()));
after(() => cleanup());

// A segment source that hands out nothing and counts how often it was sealed; its segment being written
// started `age()` ms ago (read when the compactor asks).
function source(age: () => number): SegmentSource & { seals: number } {
  return {
    recovered: [],
    seals: 0,
    get activeSince() {
      return Date.now() - age();
    },
    async seal() {
      this.seals++;
      return [];
    },
  };
}

describe('compaction holds a young fraud_scores segment open', () => {
  it('holds fraud_scores for 7.5 compaction intervals after its first record, and no other table', () => {
    const now = 1_000_000;
    // At the default 2 s interval the hold is 15 s: held at 14.999 s, sealed from 15 s on.
    assert.equal(heldBack('fraud_scores', now - 14_999, now, 2000), true);
    assert.equal(heldBack('fraud_scores', now - 15_000, now, 2000), false);
    // At 300 ms (tests) it is 2.25 s.
    assert.equal(heldBack('fraud_scores', now - 2_000, now, 300), true);
    assert.equal(heldBack('fraud_scores', now - 2_250, now, 300), false);
    // Nothing being written (0): nothing to hold, and closed segments still go.
    assert.equal(heldBack('fraud_scores', 0, now, 2000), false);
    for (const table of ['orders', 'clickstream', 'order_checks'] satisfies CollectedTable[])
      assert.equal(heldBack(table, now - 1, now, 2000), false, table);
  });

  it('timed runs leave the young segment open, compactNow and old segments seal it', async () => {
    let scoresAge = 1_000;
    const scores = source(() => scoresAge);
    const orders = source(() => 1_000);
    const compactor = new Compactor(
      dir,
      new Map<CollectedTable, SegmentSource>([
        ['orders', orders],
        ['fraud_scores', scores],
      ]),
      new CollectorMetrics(),
    );
    try {
      await compactor.compactDue();
      assert.deepEqual([orders.seals, scores.seals], [1, 0]);
      await compactor.compactNow();
      assert.deepEqual([orders.seals, scores.seals], [2, 1]);
      scoresAge = 60_000;
      await compactor.compactDue();
      assert.deepEqual([orders.seals, scores.seals], [3, 2]);
      scoresAge = 1_000;
    } finally {
      await compactor.stop();
    }
    // The stop seals everything, young or not.
    assert.equal(scores.seals, 3);
  });
});
