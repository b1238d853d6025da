import { Matrix, solve } from 'ml-matrix';

/** One group (series) of observations: a row-major design (rows × p) and the counts. */
export interface PoissonGroup {
  x: Float64Array;
  y: ArrayLike<number>;
}

/** A fitted Poisson log-linear model with one intercept per group and coefficients shared by all groups. */
export interface PooledPoissonFit {
  /** Shared coefficients, one per design column (0 for a column that is zero everywhere). */
  coef: number[];
  /** Maximum-likelihood intercept per group (−Infinity for a group without any count). */
  intercepts: number[];
  /** Σ exp(x·coef) per group: the group's exposure at intercept 0. */
  exposure: number[];
  iterations: number;
}

/**
 * Fits log E[y] = a_g + x·β by maximum likelihood (a Poisson GLM with one dummy per group) — what
 * statsmodels' GLM(Poisson) gives with group dummies; reference.test.ts checks it. Written here because no
 * maintained npm package fits a GLM. The group intercepts are profiled out (a_g = log Σy − log Σ exp(xβ),
 * their closed form), so each Newton step solves a p × p system (the Schur complement of the intercepts)
 * however many series there are: 5,000 series × 365 days stays a 9 × 9 solve per step.
 */
export function fitPooledPoisson(groups: readonly PoissonGroup[], p: number): PooledPoissonFit {
  // Columns that are zero everywhere carry no information (e.g. no sale day in the history): held at 0.
  const used = new Array<boolean>(p).fill(false);
  for (const g of groups) for (let i = 0; i < g.x.length; i++) if (g.x[i] !== 0) used[i % p] = true;
  const cols = [...used.keys()].filter((j) => used[j]);
  const q = cols.length;
  // Groups without a count tell nothing about β (their intercept goes to −∞).
  const live = groups.filter((g) => total(g.y) > 0);
  const beta = new Array<number>(p).fill(0);
  let iterations = 0;
  let ll = profileLogLik(live, beta, p);
  for (; iterations < 100 && q > 0; iterations++) {
    const grad = new Float64Array(q);
    const hess = new Float64Array(q * q);
    for (const g of live) {
      const n = g.y.length;
      const eta = linear(g.x, beta, p);
      let s = 0;
      for (let i = 0; i < n; i++) s += eta[i] as number;
      const a = Math.log(total(g.y)) - Math.log(s);
      const m = new Float64Array(q);
      let sm = 0;
      for (let i = 0; i < n; i++) {
        const mu = Math.exp(a) * (eta[i] as number);
        const r = (g.y[i] as number) - mu;
        sm += mu;
        for (let j = 0; j < q; j++) {
          const xj = g.x[i * p + (cols[j] as number)] as number;
          if (xj === 0) continue;
          grad[j] = (grad[j] as number) + r * xj;
          m[j] = (m[j] as number) + mu * xj;
          for (let k = j; k < q; k++) {
            const xk = g.x[i * p + (cols[k] as number)] as number;
            if (xk !== 0) hess[j * q + k] = (hess[j * q + k] as number) + mu * xj * xk;
          }
        }
      }
      for (let j = 0; j < q; j++)
        for (let k = j; k < q; k++)
          hess[j * q + k] = (hess[j * q + k] as number) - ((m[j] as number) * (m[k] as number)) / sm;
    }
    const h = Matrix.zeros(q, q);
    for (let j = 0; j < q; j++)
      for (let k = j; k < q; k++) {
        h.set(j, k, hess[j * q + k] as number);
        h.set(k, j, hess[j * q + k] as number);
      }
    const step = newtonStep(h, Matrix.columnVector(Array.from(grad)));
    // Step halving keeps every step uphill on the profile likelihood (Newton can overshoot far from β).
    // A step is taken only when it is finite and uphill: when a column's maximum is at infinity (a weekday
    // without a single sale in the history, where the likelihood keeps rising as its coefficient falls),
    // a full Newton step can overflow exp() and turn β into NaN; no acceptable step means β is as good as
    // it gets, so the fit stops there.
    let scale = 1;
    let next = beta.slice();
    let nextLl = ll;
    let accepted = false;
    for (let tries = 0; tries < 30 && !accepted; tries++, scale /= 2) {
      next = beta.slice();
      cols.forEach((c, j) => {
        next[c] = (next[c] as number) + scale * (step[j] as number);
      });
      nextLl = profileLogLik(live, next, p);
      accepted = Number.isFinite(nextLl) && nextLl >= ll - 1e-12 * Math.abs(ll);
    }
    if (!accepted) break;
    scale *= 2;
    const moved = Math.max(...step.map((v) => Math.abs(v * scale)));
    for (let j = 0; j < p; j++) beta[j] = next[j] as number;
    ll = nextLl;
    if (moved < 1e-10) break;
  }
  const exposure = groups.map((g) => total(linear(g.x, beta, p)));
  const intercepts = groups.map((g, i) => Math.log(total(g.y)) - Math.log(exposure[i] as number));
  return { coef: beta, intercepts, exposure, iterations };
}

/**
 * H⁻¹g, or when H is singular (collinear columns, e.g. every Tuesday of a short history on promotion) the
 * least-norm solution by SVD: no step along a direction the data cannot tell apart.
 */
function newtonStep(h: Matrix, g: Matrix): number[] {
  try {
    return solve(h, g).to1DArray();
  } catch (e) {
    if (!(e instanceof Error && /singular/.test(e.message))) throw e;
    return solve(h, g, true).to1DArray();
  }
}

/** exp(x·β) for every row of a group. */
export function linear(x: Float64Array, beta: readonly number[], p: number): Float64Array {
  const n = x.length / p;
  const out = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    let e = 0;
    for (let j = 0; j < p; j++) e += (x[i * p + j] as number) * (beta[j] as number);
    out[i] = Math.exp(e);
  }
  return out;
}

function total(v: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < v.length; i++) s += v[i] as number;
  return s;
}

/** Poisson log-likelihood (without the log y! term) with each intercept at its maximum for β. */
function profileLogLik(groups: readonly PoissonGroup[], beta: readonly number[], p: number): number {
  let ll = 0;
  for (const g of groups) {
    const y = total(g.y);
    const e = linear(g.x, beta, p);
    const a = Math.log(y) - Math.log(total(e));
    for (let i = 0; i < g.y.length; i++) ll += (g.y[i] as number) * (a + Math.log(e[i] as number));
    ll -= y;
  }
  return ll;
}
