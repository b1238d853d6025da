import { Matrix, solve } from 'ml-matrix';

/** A fitted L2-regularised logistic regression on standardised features. */
export interface LogisticModel {
  /** Feature names, in column order. */
  features: string[];
  /** Mean and standard deviation used to standardise each feature. */
  mean: number[];
  sd: number[];
  intercept: number;
  /** Coefficients on the standardised scale (one per feature). */
  coef: number[];
  iterations: number;
}

/**
 * Fits P(y = 1 | x) = σ(b + w·z), z = standardised x, minimising Σ log-loss + (l2 / 2)·‖w‖² (the intercept
 * is not penalised) — the objective of scikit-learn's LogisticRegression(C = 1 / l2) — by Newton's method
 * (IRLS), solving each step with ml-matrix. Written here because no maintained npm package fits a
 * penalised logistic regression to convergence; reference.test.ts checks it against scikit-learn.
 */
export function fitLogistic(
  features: string[],
  x: readonly number[][],
  y: readonly number[],
  l2 = 1,
): LogisticModel {
  const n = x.length;
  const d = features.length;
  const mean = new Array<number>(d).fill(0);
  const sd = new Array<number>(d).fill(0);
  for (const row of x) for (let j = 0; j < d; j++) mean[j] = (mean[j] as number) + (row[j] as number) / n;
  for (const row of x)
    for (let j = 0; j < d; j++)
      sd[j] = (sd[j] as number) + ((row[j] as number) - (mean[j] as number)) ** 2 / n;
  for (let j = 0; j < d; j++) sd[j] = Math.sqrt(sd[j] as number) || 1;
  // Design matrix with a leading column of ones for the intercept.
  const z = x.map((row) => [1, ...row.map((v, j) => (v - (mean[j] as number)) / (sd[j] as number))]);
  let beta = new Array<number>(d + 1).fill(0);
  let iterations = 0;
  for (; iterations < 100; iterations++) {
    const grad = new Array<number>(d + 1).fill(0);
    const hess = Matrix.zeros(d + 1, d + 1);
    for (let i = 0; i < n; i++) {
      const zi = z[i] as number[];
      let eta = 0;
      for (let j = 0; j <= d; j++) eta += (beta[j] as number) * (zi[j] as number);
      const p = 1 / (1 + Math.exp(-eta));
      const w = p * (1 - p);
      const r = p - (y[i] as number);
      for (let j = 0; j <= d; j++) {
        grad[j] = (grad[j] as number) + r * (zi[j] as number);
        for (let k = j; k <= d; k++)
          hess.set(j, k, hess.get(j, k) + w * (zi[j] as number) * (zi[k] as number));
      }
    }
    for (let j = 1; j <= d; j++) {
      grad[j] = (grad[j] as number) + l2 * (beta[j] as number);
      hess.set(j, j, hess.get(j, j) + l2);
    }
    for (let j = 0; j <= d; j++) for (let k = 0; k < j; k++) hess.set(j, k, hess.get(k, j));
    const step = solve(hess, Matrix.columnVector(grad)).to1DArray();
    beta = beta.map((b, j) => b - (step[j] as number));
    if (Math.max(...step.map(Math.abs)) < 1e-10) break;
  }
  return { features, mean, sd, intercept: beta[0] as number, coef: beta.slice(1), iterations };
}

/** Each feature's contribution w_j·z_j to the log-odds of one row (positive: towards y = 1). */
export function contributions(m: LogisticModel, row: readonly number[]): number[] {
  return m.coef.map((w, j) => (w * ((row[j] as number) - (m.mean[j] as number))) / (m.sd[j] as number));
}

/** Predicted probability of y = 1 for one row of raw features. */
export function predictLogistic(m: LogisticModel, row: readonly number[]): number {
  const eta = contributions(m, row).reduce((s, c) => s + c, m.intercept);
  return 1 / (1 + Math.exp(-eta));
}
