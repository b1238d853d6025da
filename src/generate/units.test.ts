import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { blackFridayDay, cumulativeTargets } from './calendar.js';
import { tierOf } from './customers.js';
import { assignmentProbabilities } from './experiment.js';
import { AliasTable, Rng } from './rng.js';
import { money } from './writer.js';

const dayNumber = (iso: string) => Date.parse(`${iso}T00:00:00Z`) / 86400000;

describe('generator building blocks', () => {
  it('draws from an alias table in proportion to the weights', () => {
    const table = new AliasTable([1, 2, 3, 4]);
    const rng = new Rng(1, 0);
    const counts = [0, 0, 0, 0];
    for (let i = 0; i < 200000; i++) {
      const k = table.draw(rng);
      counts[k] = (counts[k] ?? 0) + 1;
    }
    counts.forEach((c, i) => {
      assert.ok(Math.abs(c / 200000 - (i + 1) / 10) < 0.005, `item ${i}: ${c}`);
    });
  });

  it('rounds cumulative targets to an exact total', () => {
    const t = cumulativeTargets(Float64Array.from([1, 1, 1]), 10);
    assert.deepEqual([...t], [3, 7, 10]);
  });

  it('finds Black Friday, or the last Friday of the window', () => {
    // 29 November 2024 was the last Friday of November 2024.
    assert.equal(blackFridayDay(dayNumber('2024-11-01'), dayNumber('2024-12-01')), dayNumber('2024-11-29'));
    // No November in the window: 17 January 2025 is its last Friday.
    assert.equal(blackFridayDay(dayNumber('2025-01-01'), dayNumber('2025-01-20')), dayNumber('2025-01-17'));
    assert.equal(blackFridayDay(dayNumber('2025-01-18'), dayNumber('2025-01-20')), -1);
  });

  it('derives assignment probabilities that keep the split and give the lift', () => {
    // c = 0.1, lift 0.2, split 0.5: a = 0.1 / 1.1, b = 1.2a; q1 = 0.5b / c, q0 = 0.5(1 − b) / 0.9.
    const { q1, q0, a } = assignmentProbabilities(0.1, { name: 'x', lift: 0.2, split: 0.5 });
    assert.ok(Math.abs(a - 0.1 / 1.1) < 1e-12);
    assert.ok(Math.abs(q1 - 0.6 / 1.1) < 1e-12);
    assert.ok(Math.abs(q0 - (0.5 * (1 - 0.12 / 1.1)) / 0.9) < 1e-12);
    assert.throws(() => assignmentProbabilities(0.9, { name: 'x', lift: 1, split: 0.5 }), /at most 0\.25/);
  });

  it('formats money and tiers by the seed thresholds', () => {
    assert.equal(money(5), '0.05');
    assert.equal(money(129999), '1299.99');
    assert.equal(tierOf(500000), 'GOLD');
    assert.equal(tierOf(500001), 'PLATINUM');
    assert.equal(tierOf(50000), 'BRONZE');
  });
});
