import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  averagePrecision,
  brierScore,
  calibrationError,
  precisionAtTop,
  rankingAtK,
  rocAuc,
} from './index.js';

// Expected values below are worked out by hand from the definitions in docs/ANALYSES.md.
describe('classification metrics', () => {
  const scores = [0.9, 0.8, 0.7, 0.6, 0.5, 0.4];
  const labels = [1, 0, 1, 0, 0, 1];

  it('ROC AUC counts the positive–negative pairs ranked right (ties half)', () => {
    // Pairs (pos, neg): 0.9 beats all 3 negatives; 0.7 beats 0.6 and 0.5; 0.4 beats none: 5 of 9.
    assert.equal(rocAuc(scores, labels), 5 / 9);
    // A tie between a positive and a negative counts one half: pairs (0.5+,0.5−)=½, (0.5+,0.2−)=1.
    assert.equal(rocAuc([0.5, 0.5, 0.2], [1, 0, 0]), 0.75);
    assert.ok(Number.isNaN(rocAuc([0.1, 0.2], [1, 1])));
  });

  it('average precision sums precision at each recall step', () => {
    // Positives at ranks 1, 3, 6: (1/3)·(1/1 + 2/3 + 3/6).
    assert.ok(Math.abs(averagePrecision(scores, labels) - (1 + 2 / 3 + 0.5) / 3) < 1e-12);
  });

  it('precision in the top share, Brier score and calibration error', () => {
    // Top 50 % = the first 3: two positives.
    assert.equal(precisionAtTop(scores, labels, 0.5), 2 / 3);
    // (0.2² + 0.6²) / 2.
    assert.ok(Math.abs(brierScore([0.8, 0.6], [1, 0]) - 0.2) < 1e-12);
    // Bin [0.2,0.3): two at 0.25, one positive → |0.25 − 0.5| with weight 2/3; bin [0.9,1): |0.9 − 1|·1/3.
    assert.ok(Math.abs(calibrationError([0.25, 0.25, 0.9], [1, 0, 1]) - (0.25 * 2 + 0.1) / 3) < 1e-12);
  });
});

describe('ranking metrics at k', () => {
  it('precision, recall and NDCG of one list', () => {
    const m = rankingAtK(['a', 'b', 'c', 'd'], new Set(['b', 'd', 'z']), 4);
    assert.equal(m.precision, 0.5);
    assert.equal(m.recall, 2 / 3);
    // DCG = 1/log2(3) + 1/log2(5); ideal over min(4, 3) hits = 1 + 1/log2(3) + 1/2.
    const want = (1 / Math.log2(3) + 1 / Math.log2(5)) / (1 + 1 / Math.log2(3) + 0.5);
    assert.ok(Math.abs(m.ndcg - want) < 1e-12);
  });
});
