import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { lcg, pyref, pyrefSkip } from '../../../testing/index.js';
import { countInterval, DEMAND_FEATURES, featureRow, fitPooledPoisson, type PoissonGroup } from './index.js';

// The hand-written Poisson fit and count intervals against statsmodels 0.15.0 (its GLM) and SciPy (its
// negative binomial and Poisson quantiles), installed by scripts/pyref-setup.sh into .cache/pyref. Without
// them the checks skip, except under CI=true where they fail.
const skip = pyrefSkip('statsmodels');

/** A Poisson draw by inversion. */
function poisson(rand: () => number, mean: number): number {
  const u = rand();
  let k = 0;
  let p = Math.exp(-mean);
  let cdf = p;
  while (cdf < u && k < 10_000) {
    k++;
    p *= mean / k;
    cdf += p;
  }
  return k;
}

describe('reference checks against statsmodels and SciPy', { skip }, () => {
  it('pooled Poisson fit: shared coefficients and series intercepts within 1e-6 of statsmodels GLM', () => {
    const rand = lcg(3);
    const p = DEMAND_FEATURES.length;
    const end = 20_500;
    const truth = [-0.2, -0.25, -0.1, -0.15, -0.05, 0.1, 0.03, 1.6, 1.2];
    const groups: PoissonGroup[] = [];
    const lines: string[] = [];
    for (let g = 0; g < 6; g++) {
      const days = 28 + g * 5;
      const level = Math.log(2 + 6 * g);
      const x = new Float64Array(days * p);
      const y: number[] = [];
      for (let i = 0; i < days; i++) {
        const day = end - days + i;
        const row = featureRow(day, end, rand() < 0.15 ? 0.1 + 0.3 * rand() : 0, day === end - 9);
        x.set(row, i * p);
        const count = poisson(
          rand,
          Math.exp(level + row.reduce((s, v, j) => s + v * (truth[j] as number), 0)),
        );
        y.push(count);
        lines.push([g, count, ...row].join(','));
      }
      groups.push({ x, y });
    }
    const fit = fitPooledPoisson(groups, p);
    const out = pyref(
      `import sys, json, numpy as np, statsmodels.api as sm
d = np.loadtxt(sys.argv[1], delimiter=',', skiprows=1)
g = d[:, 0].astype(int)
X = np.hstack([np.eye(g.max() + 1)[g], d[:, 2:]])
r = sm.GLM(d[:, 1], X, family=sm.families.Poisson()).fit(tol=1e-13, maxiter=500)
print(json.dumps(r.params.tolist()))`,
      ['g,y', ...lines].join('\n'),
    );
    const ref = JSON.parse(out) as number[];
    fit.intercepts.forEach((a, g) => {
      assert.ok(Math.abs(a - (ref[g] as number)) < 1e-6, `intercept ${g}: ${a} vs ${ref[g]}`);
    });
    fit.coef.forEach((c, j) => {
      assert.ok(Math.abs(c - (ref[6 + j] as number)) < 1e-6, `${DEMAND_FEATURES[j]}: ${c} vs ${ref[6 + j]}`);
    });
  });

  it('count intervals: the central interval closest to the level, by a brute-force sweep over SciPy ppf/cdf', () => {
    const cases: [number, number, number][] = [];
    for (const mean of [0.3, 1, 2.5, 7, 19.4, 63, 250, 1200])
      for (const ratio of [1, 1.5, 4, 9])
        for (const level of [0.5, 0.8, 0.95]) cases.push([mean, mean * ratio, level]);
    // Independent of the TS walk: every interval [ppf(t), ppf(1 − t)] for t ∈ (0, ½] is constant between
    // the breakpoints t = F(k) and t = 1 − F(k), so one t inside each gap finds them all; SciPy's cdf
    // gives each one's probability, and the closest to the level wins (ties: the shorter).
    const out = pyref(
      `import sys, json, numpy as np
from scipy import stats
res = []
for mean, var, level in np.loadtxt(sys.argv[1], delimiter=',', skiprows=1):
    if var <= mean * (1 + 1e-9):
        d = stats.poisson(mean)
    else:
        r = mean * mean / (var - mean)
        d = stats.nbinom(r, r / (r + mean))
    F = d.cdf(np.arange(0, int(d.ppf(1 - 1e-12)) + 1))
    b = np.unique(np.concatenate([F, 1 - F]))
    b = b[(b > 1e-12) & (b < 0.5)]
    t = np.concatenate([(b[:-1] + b[1:]) / 2, [b[0] / 2, (b[-1] + 0.5) / 2, 0.5]]) if len(b) else np.array([0.25, 0.5])
    lo = d.ppf(t)
    hi = d.ppf(1 - t)
    p = d.cdf(hi) - d.cdf(lo - 1)
    diff = np.abs(p - level)
    ok = diff <= diff.min() + 1e-12
    i = np.flatnonzero(ok)[np.argmin((hi - lo)[ok])]
    res.append([int(lo[i]), int(hi[i]), float(p[i])])
print(json.dumps(res))`,
      ['mean,var,level', ...cases.map((c) => c.join(','))].join('\n'),
    );
    const ref = JSON.parse(out) as [number, number, number][];
    cases.forEach(([mean, variance, level], i) => {
      const [lower, upper, probability] = ref[i] as [number, number, number];
      const got = countInterval(mean, variance, level);
      const what = `mean ${mean} var ${variance} level ${level}`;
      assert.deepEqual([got.lower, got.upper], [lower, upper], what);
      assert.ok(
        Math.abs(got.probability - probability) < 1e-9,
        `${what}: ${got.probability} vs ${probability}`,
      );
    });
  });
});
