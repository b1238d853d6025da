import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { xoroshiro128plus } from 'pure-rand/generator/xoroshiro128plus';
import {
  chiSquareGoodnessOfFit,
  chiSquareSurvival,
  expectedPurchases,
  fitNbd,
  median,
  minSampleSize,
  normalCdf,
  normalQuantile,
  shrunkOrderValue,
  twoProportionTest,
  wilsonInterval,
} from './index.js';

const near = (actual: number, expected: number, tol: number, what = '') =>
  assert.ok(Math.abs(actual - expected) <= tol, `${what} ${actual} is not within ${tol} of ${expected}`);

describe('normal distribution', () => {
  // Abramowitz & Stegun, Handbook of Mathematical Functions, Table 26.1 (P(x) to 15 places).
  it('matches the tabulated CDF', () => {
    near(normalCdf(0), 0.5, 1e-9);
    near(normalCdf(1), 0.841344746068543, 2e-7);
    near(normalCdf(1.96), 0.97500210485178, 2e-7);
    near(normalCdf(-2), 0.022750131948179, 2e-7);
    near(normalCdf(3), 0.99865010196837, 2e-7);
  });
  // Same table, inverse direction: the familiar critical values 1.6449, 1.9600, 2.5758, 0.8416.
  it('matches the tabulated quantiles', () => {
    near(normalQuantile(0.95), 1.644853627, 1e-6);
    near(normalQuantile(0.975), 1.959963985, 1e-6);
    near(normalQuantile(0.995), 2.575829304, 1e-6);
    near(normalQuantile(0.8), 0.841621234, 1e-6);
    near(normalQuantile(0.001), -3.090232306, 1e-6);
  });
});

describe('Wilson score interval', () => {
  // Newcombe R. G. (1998), "Two-sided confidence intervals for the single proportion: comparison of
  // seven methods", Statistics in Medicine 17:857-872, Table I, method 3 (score), 95 %.
  it('matches Newcombe (1998) Table I', () => {
    const cases: [number, number, number, number][] = [
      [81, 263, 0.2553, 0.3662],
      [15, 148, 0.0624, 0.1605],
      [0, 20, 0, 0.1611],
      [1, 29, 0.0061, 0.1718],
    ];
    for (const [x, n, lo, hi] of cases) {
      const ci = wilsonInterval(x, n);
      near(ci.low, lo, 6e-5, `${x}/${n} low`);
      near(ci.high, hi, 6e-5, `${x}/${n} high`);
    }
  });
});

describe('two-proportion test', () => {
  // Newcombe R. G. (1998), "Interval estimation for the difference between independent proportions",
  // Statistics in Medicine 17:873-890, example (a): 56/70 vs 48/80, method 1 (Wald): 0.0575 to 0.3425.
  it('gives Newcombe’s Wald interval for the difference', () => {
    const t = twoProportionTest(48, 80, 56, 70);
    near(t.absoluteLift, 0.2, 1e-12);
    near(t.absoluteCi.low, 0.0575, 6e-5);
    near(t.absoluteCi.high, 0.3425, 6e-5);
    // Relative lift 0.8 / 0.6 − 1 = 1/3. Log-ratio interval: ln(0.8/0.6) = 0.287682;
    // SE = √(1/56 − 1/70 + 1/48 − 1/80) = √0.0119048 = 0.109109; ± 1.959964 · SE = ± 0.213850;
    // exp(0.073833) − 1 = 0.076626, exp(0.501532) − 1 = 0.651249.
    near(t.relativeLift, 1 / 3, 1e-12);
    near(t.relativeCi.low, 0.076626, 1e-5);
    near(t.relativeCi.high, 0.651249, 1e-5);
    // Without a conversion in a variant the log ratio is undefined.
    assert.ok(Number.isNaN(twoProportionTest(0, 100, 5, 100).relativeCi.low));
  });
  it('covers the true relative lift 95 % of the time (simulation)', () => {
    // 20,000 simulated experiments, 1,000 sessions per variant, true rates 5 % and 6 % (lift 0.2), with a
    // seeded generator. The coverage estimate has a standard error of √(0.95 · 0.05 / 20,000) = 0.0015, so
    // 0.94–0.96 is ± 6.5 standard errors. The former interval (absolute / pA) covered about 92.5 % here.
    const rng = xoroshiro128plus(20261125);
    const uniform = () => (rng.next() >>> 0) / 2 ** 32;
    const binomial = (n: number, p: number) => {
      let x = 0;
      for (let i = 0; i < n; i++) if (uniform() < p) x++;
      return x;
    };
    const runs = 20_000;
    const truth = 0.06 / 0.05 - 1;
    let covered = 0;
    for (let r = 0; r < runs; r++) {
      const ci = twoProportionTest(binomial(1000, 0.05), 1000, binomial(1000, 0.06), 1000).relativeCi;
      if (ci.low <= truth && truth <= ci.high) covered++;
    }
    const coverage = covered / runs;
    assert.ok(coverage >= 0.94 && coverage <= 0.96, `coverage ${coverage}`);
  });
  it('computes the pooled z and two-sided p-value by hand', () => {
    // 200/1000 vs 250/1000: pooled p = 450/2000 = 0.225; SE = sqrt(0.225·0.775·(2/1000)) = 0.0186748;
    // z = 0.05 / 0.0186748 = 2.67741; p = 2·(1 − Φ(2.67741)) = 0.007419.
    const t = twoProportionTest(200, 1000, 250, 1000);
    near(t.z, 2.67741, 1e-4);
    near(t.pValue, 0.007419, 2e-5);
  });
});

describe('chi-square', () => {
  // Upper 5 % points of the chi-square distribution (any statistics table, e.g. A&S Table 26.8).
  it('matches the 5 % critical values', () => {
    near(chiSquareSurvival(3.841459, 1), 0.05, 1e-6);
    near(chiSquareSurvival(5.991465, 2), 0.05, 1e-6);
    near(chiSquareSurvival(7.814728, 3), 0.05, 1e-6);
    near(chiSquareSurvival(18.307038, 10), 0.05, 1e-6);
    near(chiSquareSurvival(6.634897, 1), 0.01, 1e-6);
  });
  it('tests a sample ratio by hand', () => {
    // 5100 vs 4900 against 50/50: E = 5000 each; χ² = (100² + 100²) / 5000 = 4; p = P(χ²₁ ≥ 4) = 0.0455003.
    const r = chiSquareGoodnessOfFit([5100, 4900], [0.5, 0.5]);
    near(r.statistic, 4, 1e-12);
    assert.equal(r.df, 1);
    near(r.pValue, 0.0455003, 1e-6);
  });
});

describe('minimum sample size', () => {
  it('applies the two-proportion formula', () => {
    // p1 = 0.10, p2 = 0.12, α = 0.05, power 0.8: (1.959964 + 0.841621)² = 7.848879;
    // variance sum 0.09 + 0.1056 = 0.1956; n = 7.848879 · 0.1956 / 0.02² = 3838.1 → 3839 per variant.
    assert.equal(minSampleSize(0.1, 0.12), 3839);
    // Kohavi, Tang & Xu, "Trustworthy Online Controlled Experiments" (2020), rule of thumb n ≈ 16σ²/δ²
    // per variant with σ² = p(1 − p): 16 · 0.05 · 0.95 / 0.01² = 7600; the exact formula is close.
    const n = minSampleSize(0.05, 0.06);
    assert.ok(Math.abs(n - 7600) / 7600 < 0.1, String(n));
  });
});

describe('median', () => {
  it('interpolates like percentile_cont', () => {
    assert.equal(median([3, 1, 2]), 2);
    assert.equal(median([4, 1, 3, 2]), 2.5);
  });
});

describe('NBD model', () => {
  it('fits by the method of moments, worked by hand', () => {
    // x = 0, 1, 5 in T = 10 days each: m = 6/30 = 0.2; Σ(x − 2)² = 4 + 1 + 9 = 14; Σ mT = 6;
    // v = (14 − 6) / 300 = 0.026667; α = 0.2 / 0.026667 = 7.5; r = 0.2 · 7.5 = 1.5.
    const model = fitNbd([
      { x: 0, t: 10 },
      { x: 1, t: 10 },
      { x: 5, t: 10 },
    ]);
    assert.ok(Math.abs(model.alpha - 7.5) < 1e-9);
    assert.ok(Math.abs(model.r - 1.5) < 1e-9);
    // Customer with 5 in 10 days, next 30 days: 30 · (1.5 + 5) / (7.5 + 10) = 11.142857.
    assert.ok(Math.abs(expectedPurchases(model, 5, 10, 30) - 11.142857) < 1e-6);
    // Order value: 2 orders worth 300 in all, population mean 50, weight 1: (300 + 50) / 3 = 116.67.
    assert.ok(Math.abs(shrunkOrderValue(300, 2, 50) - 350 / 3) < 1e-9);
  });
  it('falls back to the mean rate without overdispersion', () => {
    // x = 1, 1 in T = 10: m = 0.1; Σ(x − 1)² − Σ mT = 0 − 2 < 0 → every customer at 0.1 per day.
    const model = fitNbd([
      { x: 1, t: 10 },
      { x: 1, t: 10 },
    ]);
    assert.equal(expectedPurchases(model, 7, 10, 30), 3);
  });
});
