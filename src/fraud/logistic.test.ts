import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { fitLogistic, sigmoid } from './logistic.js';
import { seededRandom } from './random.js';

describe('logistic regression', () => {
  it('recovers the coefficients that generated the labels', () => {
    // y ~ Bernoulli(sigmoid(1.5·x1 − 2·x2 − 0.5)) over 20,000 rows; the fit must land near (1.5, −2, −0.5).
    const random = seededRandom(11);
    const x: number[][] = [];
    const y: number[] = [];
    for (let i = 0; i < 20_000; i++) {
      const row = [random() * 4 - 2, random() * 2 - 1];
      x.push(row);
      y.push(random() < sigmoid(1.5 * (row[0] as number) - 2 * (row[1] as number) - 0.5) ? 1 : 0);
    }
    const fit = fitLogistic(x, y, 0.01);
    assert.ok(Math.abs((fit.weights[0] as number) - 1.5) < 0.1, `w1 ${fit.weights[0]}`);
    assert.ok(Math.abs((fit.weights[1] as number) + 2) < 0.1, `w2 ${fit.weights[1]}`);
    assert.ok(Math.abs(fit.bias + 0.5) < 0.1, `b ${fit.bias}`);
  });

  it('with one constant feature, the intercept alone matches the base rate', () => {
    // 30 positives of 100: the unpenalised intercept solves sigmoid(b) = 0.3, b = ln(0.3/0.7).
    const x = Array.from({ length: 100 }, () => [0]);
    const y = Array.from({ length: 100 }, (_, i) => (i < 30 ? 1 : 0));
    const fit = fitLogistic(x, y, 1);
    assert.ok(Math.abs(fit.bias - Math.log(0.3 / 0.7)) < 1e-6, `b ${fit.bias}`);
    assert.equal(fit.weights[0], 0);
  });
});
