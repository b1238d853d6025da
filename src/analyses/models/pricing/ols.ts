import { inverse, Matrix, QrDecomposition } from 'ml-matrix';
import { normalQuantile } from '../../stats/index.js';

/** An ordinary least squares fit: coefficients, their standard errors and the residual degrees of freedom. */
export interface OlsFit {
  names: string[];
  coef: number[];
  se: number[];
  /** Residual degrees of freedom (n − columns). */
  df: number;
  /** Residual variance Σe² / df. */
  sigma2: number;
}

/**
 * Fits y = Xb by least squares with ml-matrix's QR decomposition (numerically safer than the normal
 * equations) and the classical standard errors √(σ² (XᵀX)⁻¹) — what statsmodels' OLS reports
 * (reference.test.ts checks both). Returns null when X is rank-deficient or leaves no residual df.
 */
export function fitOls(names: string[], x: readonly number[][], y: readonly number[]): OlsFit | null {
  const n = x.length;
  const k = names.length;
  if (n <= k) return null;
  const X = new Matrix(x.map((r) => [...r]));
  const qr = new QrDecomposition(X);
  // A zero pivot up to rounding (|R_jj| tiny next to the largest) means a column the others determine.
  const r = qr.upperTriangularMatrix;
  const diag = names.map((_, j) => Math.abs(r.get(j, j)));
  if (diag.some((d) => d <= 1e-10 * Math.max(...diag))) return null;
  const coef = qr.solve(Matrix.columnVector([...y])).getColumn(0);
  let sse = 0;
  for (let i = 0; i < n; i++) {
    const row = x[i] as number[];
    let fit = 0;
    for (let j = 0; j < k; j++) fit += (row[j] as number) * (coef[j] as number);
    sse += ((y[i] as number) - fit) ** 2;
  }
  const df = n - k;
  const sigma2 = sse / df;
  const cov = inverse(X.transpose().mmul(X));
  const se = names.map((_, j) => Math.sqrt(Math.max(0, sigma2 * cov.get(j, j))));
  return { names, coef, se, df, sigma2 };
}

/**
 * Quantile of Student's t with df degrees of freedom, by the Cornish–Fisher expansion around the normal
 * quantile (Abramowitz & Stegun 26.7.5). Written here because no maintained npm package in the project
 * has it; for df ≥ 10 and p in [0.9, 0.995] it is within 1e-4 of the exact value (ols.test.ts).
 */
export function tQuantile(p: number, df: number): number {
  const z = normalQuantile(p);
  const z2 = z * z;
  const g1 = (z * (z2 + 1)) / 4;
  const g2 = (z * ((5 * z2 + 16) * z2 + 3)) / 96;
  const g3 = (z * (((3 * z2 + 19) * z2 + 17) * z2 - 15)) / 384;
  const g4 = (z * ((((79 * z2 + 776) * z2 + 1482) * z2 - 1920) * z2 - 945)) / 92160;
  return z + g1 / df + g2 / df ** 2 + g3 / df ** 3 + g4 / df ** 4;
}

/** The two-sided `level` confidence interval of coefficient `name`. */
export function confidenceInterval(fit: OlsFit, name: string, level: number): [number, number] {
  const j = fit.names.indexOf(name);
  if (j < 0) throw new Error(`no coefficient ${name} in the fit`);
  const half = tQuantile(1 - (1 - level) / 2, fit.df) * (fit.se[j] as number);
  return [(fit.coef[j] as number) - half, (fit.coef[j] as number) + half];
}
