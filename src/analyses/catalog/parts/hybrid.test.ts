import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ItemKnn } from '../../models/index.js';
import { CATEGORY_PRIOR, CATEGORY_WEIGHT, hybridRecommend, POPULARITY_WEIGHT } from './hybrid.js';

// Hand-computed on a five-product catalog. Item vectors over users u1..u4: A = (1,1,0,0), B = (1,0,1,0),
// C = (0,1,0,0), D = (0,0,0,1), E = none; so cos(B, A) = 1/2 and B has no other neighbour. u3 bought B only.
// Sold: A 2, B 2, C 1, D 4, E 1 (total 10, best 4); categories x = {A, B, E} (5 sold), y = {C, D} (5 sold).
// u3's interest: x = (1 + 1 × 5/10) / (1 + 1) = 0.75, y = (0 + 5/10) / 2 = 0.25.
//   A: 0.5 / 0.5 + (0.3 + 2 × 0.75) × 2/4 = 1.9      D: (0.3 + 2 × 0.25) × 4/4 = 0.8
//   E: (0.3 + 2 × 0.75) × 1/4 = 0.45                  C: (0.3 + 2 × 0.25) × 1/4 = 0.2
describe('hybridRecommend', () => {
  const knn = new ItemKnn([
    { user: 'u1', item: 'A', weight: 1 },
    { user: 'u1', item: 'B', weight: 1 },
    { user: 'u2', item: 'A', weight: 1 },
    { user: 'u2', item: 'C', weight: 1 },
    { user: 'u3', item: 'B', weight: 1 },
    { user: 'u4', item: 'D', weight: 1 },
  ]);
  const stats = {
    sold: new Map([
      ['A', 2],
      ['B', 2],
      ['C', 1],
      ['D', 4],
      ['E', 1],
    ]),
    category: new Map([
      ['A', 'x'],
      ['B', 'x'],
      ['C', 'y'],
      ['D', 'y'],
      ['E', 'x'],
    ]),
  };
  const taste = {
    region: 'North',
    weights: new Map([['B', 1]]),
    bought: new Set(['B']),
    after: new Set<string>(),
  };

  it('blends the item-kNN score with popularity and category taste (hand-computed scores)', () => {
    assert.equal(POPULARITY_WEIGHT, 0.3);
    assert.equal(CATEGORY_WEIGHT, 2);
    assert.equal(CATEGORY_PRIOR, 1);
    const out = hybridRecommend(knn, 'u3', taste, stats, 10, taste.bought);
    assert.deepEqual(
      out.map((r) => r.item),
      ['A', 'D', 'E', 'C'],
    );
    const expected = [1.9, 0.8, 0.45, 0.2];
    for (const [i, r] of out.entries())
      assert.ok(Math.abs(r.score - (expected[i] as number)) < 1e-12, `${r.item} ${r.score}`);
    assert.deepEqual(
      out.map((r) => r.knn),
      [1, 0, 0, 0],
    );
  });

  it('leaves out the excluded products and stops at the limit', () => {
    const out = hybridRecommend(knn, 'u3', taste, stats, 2, new Set(['B', 'A']));
    assert.deepEqual(
      out.map((r) => r.item),
      ['D', 'E'],
    );
  });
});
