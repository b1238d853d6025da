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

  it('count intervals: the same integer quantiles as scipy.stats nbinom.ppf and poisson.ppf', () => {
    const cases: [number, number, number][] = [];
    for (const mean of [0.3, 1, 2.5, 7, 19.4, 63, 250, 1200])
      for (const ratio of [1, 1.5, 4, 9])
        for (const level of [0.5, 0.8, 0.95]) cases.push([mean, mean * ratio, level]);
    const out = pyref(
      `import sys, json, numpy as np
from scipy import stats
res = []
for mean, var, level in np.loadtxt(sys.argv[1], delimiter=',', skiprows=1):
    q = np.array([(1 - level) / 2, (1 + level) / 2])
    if var <= mean * (1 + 1e-9):
        v = stats.poisson.ppf(q, mean)
    else:
        r = mean * mean / (var - mean)
        v = stats.nbinom.ppf(q, r, r / (r + mean))
    res.append([int(v[0]), int(v[1])])
print(json.dumps(res))`,
      ['mean,var,level', ...cases.map((c) => c.join(','))].join('\n'),
    );
    const ref = JSON.parse(out) as [number, number][];
    cases.forEach(([mean, variance, level], i) => {
      assert.deepEqual(
        countInterval(mean, variance, level),
        ref[i],
        `mean ${mean} var ${variance} level ${level}`,
      );
    });
  });
});
