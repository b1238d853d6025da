import { normalQuantile } from '../../stats/index.js';

/** Above this mean the count distribution is close enough to normal, and summing its terms gets slow. */
const NORMAL_FROM_MEAN = 5000;

/**
 * The central interval [lower, upper] of a count with this mean and variance, holding `level` of the
 * probability: the (1 − level)/2 and (1 + level)/2 quantiles (smallest k with P(Y ≤ k) ≥ τ) of a negative
 * binomial with that mean and variance (a Poisson when the variance is not above the mean).
 */
export function countInterval(mean: number, variance: number, level: number): [number, number] {
  if (!(mean > 0)) return [0, 0];
  const lo = (1 - level) / 2;
  const hi = (1 + level) / 2;
  if (mean > NORMAL_FROM_MEAN) {
    const sd = Math.sqrt(Math.max(variance, mean));
    return [
      Math.max(0, Math.ceil(mean + normalQuantile(lo) * sd - 0.5)),
      Math.ceil(mean + normalQuantile(hi) * sd - 0.5),
    ];
  }
  // Term ratio P(k+1)/P(k): Poisson μ/(k+1); negative binomial (k+r)/(k+1) · μ/(r+μ), r = μ²/(V − μ).
  const poisson = variance <= mean * (1 + 1e-9);
  const r = poisson ? 0 : (mean * mean) / (variance - mean);
  const logQ = poisson ? 0 : Math.log(mean / (r + mean));
  // Log space: P(0) underflows for large means, and those terms are negligible anyway.
  let logP = poisson ? -mean : r * Math.log(r / (r + mean));
  let cdf = Math.exp(logP);
  let lower = -1;
  let k = 0;
  if (cdf >= lo) lower = 0;
  while (cdf < hi) {
    logP += poisson ? Math.log(mean / (k + 1)) : Math.log((k + r) / (k + 1)) + logQ;
    k++;
    cdf += Math.exp(logP);
    if (lower < 0 && cdf >= lo) lower = k;
    if (k > 100 * (mean + 10)) break;
  }
  return [Math.max(lower, 0), k];
}
