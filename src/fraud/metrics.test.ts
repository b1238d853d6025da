import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { atThreshold, averagePrecision, prCurve, recallAtPrecision } from './metrics.js';

// Five orders, two of them fraud, scored 0.9 (fraud), 0.8 (legit), 0.7 (fraud), 0.4 (legit), 0.2 (legit).
const scores = [0.9, 0.8, 0.7, 0.4, 0.2];
const labels = [true, false, true, false, false];

describe('evaluation metrics', () => {
  it('traces the precision-recall curve point by point', () => {
    // Flagging the top k: k=1 → 1/1, recall 1/2; k=2 → 1/2, 1/2; k=3 → 2/3, 1; k=4 → 2/4, 1; k=5 → 2/5, 1.
    assert.deepEqual(prCurve(scores, labels), [
      { threshold: 0.9, precision: 1, recall: 0.5 },
      { threshold: 0.8, precision: 0.5, recall: 0.5 },
      { threshold: 0.7, precision: 2 / 3, recall: 1 },
      { threshold: 0.4, precision: 0.5, recall: 1 },
      { threshold: 0.2, precision: 0.4, recall: 1 },
    ]);
  });

  it('computes average precision as the sum of precision times the recall gained', () => {
    // 0.5 × 1 + 0 × 0.5 + 0.5 × 2/3 = 0.8333…
    assert.ok(Math.abs(averagePrecision(scores, labels) - (0.5 + 1 / 3)) < 1e-12);
  });

  it('flags tied scores together (a 0/1 rule has one point, not one per order)', () => {
    // Rule fires on orders 1, 2, 3 (two frauds among them): precision 2/3, recall 1; AP = 1 × 2/3.
    const rule = [1, 1, 1, 0, 0];
    assert.deepEqual(prCurve(rule, labels)[0], { threshold: 1, precision: 2 / 3, recall: 1 });
    assert.ok(Math.abs(averagePrecision(rule, labels) - 2 / 3) < 1e-12);
  });

  it('gives precision, recall and F1 at a threshold, and the best recall at a precision', () => {
    const at = atThreshold(scores, labels, 0.7);
    assert.deepEqual(
      { ...at, f1: Math.round(at.f1 * 1e6) / 1e6 },
      {
        threshold: 0.7,
        flagged: 3,
        precision: 2 / 3,
        recall: 1,
        f1: 0.8, // 2 × (2/3) × 1 / (2/3 + 1)
      },
    );
    assert.equal(recallAtPrecision(prCurve(scores, labels), 0.5), 1);
    assert.equal(recallAtPrecision(prCurve(scores, labels), 0.9), 0.5);
  });
});
