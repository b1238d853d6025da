import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { lcg, pyref, pyrefSkip } from '../../../testing/index.js';
import { type DailySales, designMatrix, estimateElasticity } from './index.js';

// The elasticity regression against statsmodels 0.15.0 OLS (scripts/pyref-setup.sh installs it into
// .cache/pyref) on the same design matrix. Without it the check skips, except under CI=true where it fails.
const skip = pyrefSkip('statsmodels');

/** 200 days from 2025-10-01 (a Black Friday inside) with promotions, list moves and a competitor price. */
function salesData(): DailySales[] {
  const rand = lcg(21);
  let list = 50;
  return Array.from({ length: 200 }, (_, i) => {
    if (rand() < 0.05) list *= rand() < 0.5 ? 0.93 : 1.08;
    const price = list * (rand() < 0.1 ? 0.8 : 1);
    const competitorPrice = 50 * (0.9 + 0.2 * rand());
    const noise = Math.exp(0.3 * (rand() - 0.5));
    const lines = Math.max(1, Math.round(40 * (price / 50) ** -1.6 * (competitorPrice / 50) ** 0.8 * noise));
    const day = new Date(Date.UTC(2025, 9, 1 + i)).toISOString().slice(0, 10);
    return { day, lines, units: lines, price, competitorPrice };
  });
}

describe('price-elasticity regression against statsmodels OLS', { skip }, () => {
  it('coefficients and standard errors within 1e-8 (relative), the 90 % interval within 1e-4', () => {
    const sales = salesData();
    const { names, x, y } = designMatrix(sales);
    const est = estimateElasticity(sales, sales.length, 0.9);
    assert.equal(est.status, 'estimated');
    const fit = est.fit;
    assert.ok(fit);
    const out = pyref(
      `import sys, json, numpy as np, statsmodels.api as sm
d = np.loadtxt(sys.argv[1], delimiter=',', skiprows=1)
m = sm.OLS(d[:, -1], d[:, :-1]).fit()
ci = m.conf_int(alpha=0.1)
print(json.dumps({"coef": m.params.tolist(), "se": m.bse.tolist(), "df": float(m.df_resid), "ci": ci[1].tolist()}))`,
      [[...names, 'y'].join(','), ...x.map((r, i) => [...r, y[i]].join(','))].join('\n'),
    );
    {
      const ref = JSON.parse(out) as { coef: number[]; se: number[]; df: number; ci: number[] };
      assert.equal(fit.df, ref.df);
      fit.coef.forEach((c, j) => {
        const r = ref.coef[j] as number;
        assert.ok(Math.abs(c - r) <= 1e-8 * Math.max(1, Math.abs(r)), `${names[j]}: ${c} vs ${r}`);
      });
      fit.se.forEach((s, j) => {
        const r = ref.se[j] as number;
        assert.ok(Math.abs(s - r) <= 1e-8 * Math.max(1, r), `se ${names[j]}: ${s} vs ${r}`);
      });
      // statsmodels' interval of the log-price coefficient is [-high, -low] of the elasticity.
      const [lo, hi] = ref.ci as [number, number];
      assert.ok(Math.abs((est.high as number) + lo) < 1e-4, `high ${est.high} vs ${-lo}`);
      assert.ok(Math.abs((est.low as number) + hi) < 1e-4, `low ${est.low} vs ${-hi}`);
    }
  });
});
