/*
 * L2-regularised logistic regression fitted by Newton's method (IRLS). Written here because the npm
 * package (ml-logistic-regression, last released 2022) fits by plain gradient descent with a fixed step
 * and 50,000 iterations by default, without regularisation or class probabilities; Newton's method
 * converges in a handful of steps on the model's twenty-odd features.
 */

/** Weights (one per feature) and intercept of a fitted model. */
export interface LogisticModel {
  weights: number[];
  bias: number;
}

/** Logistic function, safe for large |z|. */
export function sigmoid(z: number): number {
  return z >= 0 ? 1 / (1 + Math.exp(-z)) : Math.exp(z) / (1 + Math.exp(z));
}

/** Fits P(y=1 | x) = sigmoid(w·x + b) with penalty (lambda / 2)·|w|² (the intercept is not penalised). */
export function fitLogistic(
  x: readonly ArrayLike<number>[],
  y: readonly number[],
  lambda = 1,
  steps = 25,
): LogisticModel {
  const width = x[0]?.length ?? 0;
  const packed = new Float64Array(x.length * width);
  x.forEach((row, i) => {
    packed.set(row, i * width);
  });
  return fitLogisticPacked({ blocks: [packed], width }, y, lambda, steps);
}

/**
 * Rows of the same width packed one after the other in a few large typed arrays: millions of rows cost
 * their numbers only (8 bytes each), not an object per row.
 */
export interface PackedRows {
  blocks: readonly Float64Array[];
  width: number;
}

/** fitLogistic over packed rows (y: one label per row, in the blocks' order; a block holds whole rows). */
export function fitLogisticPacked(
  x: PackedRows,
  y: ArrayLike<number>,
  lambda = 1,
  steps = 25,
): LogisticModel {
  const d = x.width + 1;
  const beta = new Float64Array(d);
  for (let step = 0; step < steps; step++) {
    const grad = new Float64Array(d);
    const hess = Array.from({ length: d }, () => new Float64Array(d));
    let b = 0;
    let block = x.blocks[0] ?? new Float64Array(0);
    let at = 0;
    for (let i = 0; i < y.length; i++, at += d - 1) {
      if (at + d - 1 > block.length) {
        b++;
        block = x.blocks[b] ?? new Float64Array(0);
        at = 0;
      }
      let z = beta[d - 1] as number;
      for (let j = 0; j < d - 1; j++) z += (beta[j] as number) * (block[at + j] as number);
      const p = sigmoid(z);
      const r = p - (y[i] as number);
      const w = Math.max(p * (1 - p), 1e-9);
      for (let j = 0; j < d; j++) {
        const xj = j === d - 1 ? 1 : (block[at + j] as number);
        grad[j] = (grad[j] as number) + r * xj;
        const hj = hess[j] as Float64Array;
        for (let k = 0; k <= j; k++)
          hj[k] = (hj[k] as number) + w * xj * (k === d - 1 ? 1 : (block[at + k] as number));
      }
    }
    for (let j = 0; j < d - 1; j++) {
      grad[j] = (grad[j] as number) + lambda * (beta[j] as number);
      (hess[j] as Float64Array)[j] = ((hess[j] as Float64Array)[j] as number) + lambda;
    }
    for (let j = 0; j < d; j++)
      for (let k = 0; k < j; k++) (hess[k] as Float64Array)[j] = (hess[j] as Float64Array)[k] as number;
    const delta = solve(hess, grad);
    let change = 0;
    for (let j = 0; j < d; j++) {
      beta[j] = (beta[j] as number) - (delta[j] as number);
      change = Math.max(change, Math.abs(delta[j] as number));
    }
    if (change < 1e-8) break;
  }
  return { weights: Array.from(beta.subarray(0, d - 1)), bias: beta[d - 1] as number };
}

/** Solves A·x = b by Gaussian elimination with partial pivoting (A is small and positive definite). */
function solve(a: readonly Float64Array[], b: Float64Array): Float64Array {
  const n = b.length;
  const m: Float64Array[] = a.map((row, i) => {
    const r = new Float64Array(n + 1);
    r.set(row);
    r[n] = b[i] as number;
    return r;
  });
  for (let c = 0; c < n; c++) {
    let pivot = c;
    for (let r = c + 1; r < n; r++)
      if (Math.abs((m[r] as Float64Array)[c] as number) > Math.abs((m[pivot] as Float64Array)[c] as number))
        pivot = r;
    const top = m[c] as Float64Array;
    m[c] = m[pivot] as Float64Array;
    m[pivot] = top;
    const pr = m[c] as Float64Array;
    const pv = pr[c] as number;
    for (let r = c + 1; r < n; r++) {
      const row = m[r] as Float64Array;
      const f = (row[c] as number) / pv;
      if (f === 0) continue;
      for (let k = c; k <= n; k++) row[k] = (row[k] as number) - f * (pr[k] as number);
    }
  }
  const out = new Float64Array(n);
  for (let r = n - 1; r >= 0; r--) {
    const row = m[r] as Float64Array;
    let s = row[n] as number;
    for (let k = r + 1; k < n; k++) s -= (row[k] as number) * (out[k] as number);
    out[r] = s / (row[r] as number);
  }
  return out;
}
