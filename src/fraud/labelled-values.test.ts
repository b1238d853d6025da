import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { thin } from './backtest-one-go.test-helper.js';
import { LabelledValues } from './labelled-values.js';
import { averagePrecision, type CurvePoint, prCurve, recallAtPrecision } from './metrics.js';
import { seededRandom } from './random.js';

const filled = (scores: readonly number[], labels: readonly boolean[]) => {
  const v = new LabelledValues();
  scores.forEach((s, i) => {
    v.add(s, labels[i] === true);
  });
  return v;
};

describe('LabelledValues: a precision-recall curve from values held by label', () => {
  it('computes a small case by hand: ties flagged together', () => {
    // Points (flagged, fraud): 0.9 → (1, 1): P 1, R 1/3; 0.8 → (3, 2): P 2/3, R 2/3; 0.3 → (4, 2): P 1/2,
    // R 2/3; 0.1 → (5, 3): P 3/5, R 1. AP = 1/3·1 + 1/3·2/3 + 0 + 1/3·3/5 = 34/45.
    const f = filled([0.9, 0.8, 0.8, 0.3, 0.1], [true, false, true, false, true]).figures(50);
    assert.ok(Math.abs(f.averagePrecision - 34 / 45) < 1e-12, String(f.averagePrecision));
    assert.equal(f.recallAtPrecision50, 1);
    assert.deepEqual(
      f.curve.map((p) => p.threshold),
      [0.9, 0.8, 0.1],
    );
    // Below precision 0.5 at full recall: (1, 0) P 0; (2, 1) P 1/2 R 1/2; (3, 1); (4, 1); (5, 2) P 2/5 R 1.
    const g = filled([0.9, 0.7, 0.5, 0.3, 0.2], [false, true, false, false, true]).figures(50);
    assert.ok(Math.abs(g.averagePrecision - 0.45) < 1e-12, String(g.averagePrecision));
    assert.equal(g.recallAtPrecision50, 0.5);
  });

  it('gives exactly what metrics.ts gives, with few distinct values (counted) and many (kept), ties and −0 included', () => {
    const random = seededRandom(5);
    for (const distinct of [2, 40, 1_000_000]) {
      const n = 30_000;
      const scores: number[] = [];
      const labels: boolean[] = [];
      for (let i = 0; i < n; i++) {
        const v = Math.floor(random() * distinct) / distinct;
        scores.push(i % 97 === 0 ? -0 : v);
        labels.push(random() < 0.05 + 0.3 * v);
      }
      const f = filled(scores, labels).figures(50);
      const curve = prCurve(scores, labels);
      assert.equal(f.averagePrecision, averagePrecision(scores, labels), `${distinct} distinct`);
      assert.equal(f.recallAtPrecision50, recallAtPrecision(curve, 0.5));
      // −0 and 0 are one value; which sign names their point differs (prCurve: the last order's), nothing else.
      const unsigned = (c: CurvePoint[]) => c.map((p) => ({ ...p, threshold: p.threshold + 0 }));
      assert.deepEqual(unsigned(f.curve), unsigned(thin(curve, 50)));
    }
  });

  it('refuses NaN rather than rank it anywhere', () => {
    assert.throws(() => new LabelledValues().add(Number.NaN, true), /NaN/);
  });
});
