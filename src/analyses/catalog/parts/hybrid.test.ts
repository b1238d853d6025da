import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ItemKnn } from '../../models/index.js';
import { fitHybrid, hybridRecommend, KNN_SHARE } from './hybrid.js';

// Hand-computed on a five-product catalog. Item vectors over users u1..u4: A = (1,1,0,0), B = (1,0,1,0),
// C = (0,1,0,0), D = (0,0,0,1), E = none; so cos(B, A) = 1/2 and B has no other neighbour. u3 bought B only.
// Sold: A 2, B 2, C 1, D 4, E 1 (total 10); categories x = {A, B, E} (5 sold), y = {C, D} (5 sold): shares ½, ½.
// Taste model fixed at loyalty ρ = ½ and prior π = (½, ½). u3's counts: x 1, y 0. Posterior of the favourite:
// x ∝ ½ · ((½ + ½·½) ÷ (½·½))¹ = ½ · 3, y ∝ ½ → x ¾, y ¼. Next purchase in x: ½·¾ + ½·½ = 0.625, in y 0.375.
// kNN: A = 1 × ½, the only one, so A's share of the kNN part is 1 → 0.4 × 1.
//   A: 0.4 + 0.6 × 0.625 × 2/5 = 0.55     D: 0.6 × 0.375 × 4/5 = 0.18
//   E: 0.6 × 0.625 × 1/5 = 0.075           C: 0.6 × 0.375 × 1/5 = 0.045
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
  const fitted = fitHybrid(stats, []);
  const model = {
    ...fitted,
    taste: { ...fitted.taste, loyalty: 0.5, prior: Float64Array.from([0.5, 0.5]) },
  };

  it('mixes the item-kNN distribution with the category-taste one (hand-computed scores)', () => {
    assert.equal(KNN_SHARE, 0.4);
    assert.deepEqual(Array.from(fitted.taste.share), [0.5, 0.5]);
    const out = hybridRecommend(knn, 'u3', taste, model, 10, taste.bought);
    assert.deepEqual(
      out.map((r) => r.item),
      ['A', 'D', 'E', 'C'],
    );
    const expected = [0.55, 0.18, 0.075, 0.045];
    for (const [i, r] of out.entries())
      assert.ok(Math.abs(r.score - (expected[i] as number)) < 1e-12, `${r.item} ${r.score}`);
    assert.deepEqual(
      out.map((r) => r.knn),
      [0.4, 0, 0, 0],
    );
  });

  it('leaves out the excluded products and stops at the limit', () => {
    const out = hybridRecommend(knn, 'u3', taste, model, 2, new Set(['B', 'A']));
    assert.deepEqual(
      out.map((r) => r.item),
      ['D', 'E'],
    );
  });
});
