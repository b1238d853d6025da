import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  designMatrix,
  estimateElasticity,
  expectedChange,
  fitOls,
  isBlackFriday,
  marginChange,
  optimalPrice,
  tQuantile,
} from './index.js';

const close = (a: number, b: number, tol: number, what: string) =>
  assert.ok(Math.abs(a - b) <= tol, `${what}: ${a} vs ${b}`);

describe('fitOls', () => {
  it('matches a regression worked out by hand', () => {
    // x = 0..3, y = 1, 3, 2, 5: Sxx = 5, Sxy = 5.5, slope 1.1, intercept 1.1, SSE 2.7, σ² = 2.7 / 2.
    const fit = fitOls(
      ['intercept', 'x'],
      [0, 1, 2, 3].map((x) => [1, x]),
      [1, 3, 2, 5],
    );
    assert.ok(fit);
    close(fit.coef[0] as number, 1.1, 1e-12, 'intercept');
    close(fit.coef[1] as number, 1.1, 1e-12, 'slope');
    assert.equal(fit.df, 2);
    close(fit.sigma2, 1.35, 1e-12, 'sigma2');
    close(fit.se[1] as number, Math.sqrt(1.35 / 5), 1e-12, 'se slope');
    close(fit.se[0] as number, Math.sqrt(1.35 * (1 / 4 + 1.5 ** 2 / 5)), 1e-12, 'se intercept');
  });

  it('gives null for a rank-deficient design or one without residual degrees of freedom', () => {
    assert.equal(
      fitOls(
        ['a', 'b'],
        [1, 2, 3].map((x) => [x, 2 * x]),
        [1, 2, 3],
      ),
      null,
    );
    assert.equal(
      fitOls(
        ['a', 'b'],
        [
          [1, 0],
          [0, 1],
        ],
        [1, 2],
      ),
      null,
    );
  });
});

describe('tQuantile', () => {
  it('is within 1e-4 of the printed t table from 10 degrees of freedom up', () => {
    // Values from a printed Student t table (6 digits).
    close(tQuantile(0.95, 10), 1.812461, 1e-4, 't(0.95, 10)');
    close(tQuantile(0.95, 30), 1.697261, 1e-5, 't(0.95, 30)');
    close(tQuantile(0.975, 20), 2.085963, 1e-4, 't(0.975, 20)');
    close(tQuantile(0.95, 120), 1.657651, 1e-6, 't(0.95, 120)');
  });
});

describe('isBlackFriday', () => {
  it('is the last Friday of November only', () => {
    assert.equal(isBlackFriday('2026-11-27'), true);
    assert.equal(isBlackFriday('2025-11-28'), true);
    assert.equal(isBlackFriday('2026-11-20'), false);
    assert.equal(isBlackFriday('2026-11-26'), false);
  });
});

/** Daily sales with demand = 100 · price^-e exactly, prices cycling over four levels. */
function exactSales(e: number, days: number, prices = [10, 9, 11, 8]) {
  return Array.from({ length: days }, (_, i) => {
    const price = prices[i % prices.length] as number;
    return {
      day: new Date(Date.UTC(2026, 0, 1 + i)).toISOString().slice(0, 10),
      lines: 100 * price ** -e,
      units: 100 * price ** -e,
      price,
      competitorPrice: null,
    };
  });
}

describe('estimateElasticity', () => {
  it('recovers an exact constant elasticity', () => {
    const est = estimateElasticity(exactSales(1.7, 60), 60, 0.9);
    assert.equal(est.status, 'estimated');
    close(est.elasticity as number, 1.7, 1e-9, 'elasticity');
  });

  it('says "insufficient variation" for a constant price and "too few sales" for sparse sales', () => {
    assert.equal(estimateElasticity(exactSales(1.7, 60, [10]), 60, 0.9).status, 'insufficient variation');
    // Two prices only: under the three distinct prices it takes.
    assert.equal(estimateElasticity(exactSales(1.7, 60, [10, 9]), 60, 0.9).status, 'insufficient variation');
    assert.equal(estimateElasticity(exactSales(1.7, 40), 60, 0.9).status, 'too few sales');
    assert.equal(estimateElasticity(exactSales(1.7, 20), 20, 0.9).status, 'too few sales');
  });

  it('adds weekday, trend and (when in the data) Black Friday columns', () => {
    const sales = exactSales(1, 40).map((s, i) => ({
      ...s,
      day: new Date(Date.UTC(2026, 10, 1 + i)).toISOString().slice(0, 10),
      competitorPrice: 10,
    }));
    const { names, x } = designMatrix(sales);
    assert.deepEqual(names, [
      'intercept',
      'log_price',
      'log_competitor_price',
      'mon',
      'tue',
      'wed',
      'thu',
      'fri',
      'sat',
      'trend',
      'black_friday',
    ]);
    // 2026-11-01 is a Sunday (all weekday columns 0); 2026-11-27 (index 26) is Black Friday, a Friday.
    assert.deepEqual(x[0]?.slice(3, 9), [0, 0, 0, 0, 0, 0]);
    assert.deepEqual(x[26]?.slice(3, 9), [0, 0, 0, 0, 1, 0]);
    assert.equal(x[26]?.[10], 1);
    close(x[26]?.[9] as number, 26 / 365, 1e-12, 'trend');
  });
});

describe('optimalPrice and expected changes', () => {
  it('revenue: lower bound when elastic, upper when inelastic', () => {
    assert.equal(optimalPrice(100, 2, 0.1, 'revenue', null), 90);
    close(optimalPrice(100, 0.5, 0.1, 'revenue', null), 110, 1e-9, 'inelastic');
    assert.equal(optimalPrice(100, 1, 0.1, 'revenue', null), 100);
  });

  it('margin: c·e/(e − 1) clamped to the bounds', () => {
    close(optimalPrice(100, 4, 0.1, 'margin', 70), (70 * 4) / 3, 1e-9, 'interior');
    close(optimalPrice(100, 3, 0.1, 'margin', 80), 110, 1e-9, 'clamped up');
    close(optimalPrice(100, 3, 0.1, 'margin', 50), 90, 1e-9, 'clamped down');
    close(optimalPrice(100, 0.8, 0.1, 'margin', 50), 110, 1e-9, 'inelastic');
  });

  it('expected changes at constant elasticity', () => {
    const c = expectedChange(100, 90, 2);
    close(c.units, 1 / 0.81 - 1, 1e-12, 'units');
    close(c.revenue, 1 / 0.9 - 1, 1e-12, 'revenue');
    // Margin 40 → 30 × 0.9^-3.
    close(marginChange(100, 90, 3, 60), 30 / 0.729 / 40 - 1, 1e-12, 'margin');
  });
});
