import { normalCdf, normalQuantile } from '../../stats/index.js';

/** Above this mean the count distribution is close enough to normal, and summing its terms gets slow. */
const NORMAL_FROM_MEAN = 5000;
/** Contents closer than this are a tie (then the shorter interval wins). */
const TIE = 1e-12;

/** A prediction interval of a count and the probability the model gives it (its real content). */
export interface CountInterval {
  lower: number;
  upper: number;
  /** P(lower ≤ Y ≤ upper) under the predictive distribution: near, but for small counts not at, the level. */
  probability: number;
}

/**
 * The interval [lower, upper] of a count with this mean and variance (a negative binomial, a Poisson when
 * the variance is not above the mean) whose probability is closest to `level`, among the central
 * intervals [q(t), q(1 − t)], t ∈ (0, ½], q(τ) the smallest k with P(Y ≤ k) ≥ τ. Ties go to the shorter.
 *
 * The plain quantile interval (t = (1 − level)/2) always holds more than `level` of a discrete count, and
 * far more for a small one (mean 1: [0, 2] holds 92 % at level 80 %), so intervals of low counts covered
 * well above their level on average. The central family keeps both tails balanced, as the quantile
 * interval does, and the probability is returned so that no single interval claims the level it lacks.
 */
export function countInterval(mean: number, variance: number, level: number): CountInterval {
  if (!(mean > 0)) return { lower: 0, upper: 0, probability: 1 };
  const lo = (1 - level) / 2;
  const hi = (1 + level) / 2;
  if (mean > NORMAL_FROM_MEAN) {
    // Steps of one unit are a tiny share of the spread here: the quantile interval, with its content
    // by the normal approximation (continuity-corrected).
    const sd = Math.sqrt(Math.max(variance, mean));
    const lower = Math.max(0, Math.ceil(mean + normalQuantile(lo) * sd - 0.5));
    const upper = Math.ceil(mean + normalQuantile(hi) * sd - 0.5);
    const below = lower > 0 ? normalCdf((lower - 0.5 - mean) / sd) : 0;
    return { lower, upper, probability: normalCdf((upper + 0.5 - mean) / sd) - below };
  }
  const cdf = cumulative(mean, variance, hi);
  const F = (k: number) => (k < 0 ? 0 : (cdf[k] as number));
  let a = Math.max(
    0,
    cdf.findIndex((c) => c >= lo),
  );
  let b = cdf.length - 1;
  // The quantile interval holds at least the level; shrink it along the central family while it still
  // does, then compare the last that did with the first that does not.
  let best: CountInterval = { lower: a, upper: b, probability: F(b) - F(a - 1) };
  for (;;) {
    // t at which the lower end moves up (just above F(a)) and the upper end moves down (at 1 − F(b − 1)).
    const tLower = F(a);
    const tUpper = b > 0 ? 1 - F(b - 1) : Number.POSITIVE_INFINITY;
    if (tUpper <= tLower && tUpper <= 0.5 && a < b) b--;
    else if (tLower < 0.5 && a < b) a++;
    else return best;
    const probability = F(b) - F(a - 1);
    if (probability >= level) {
      best = { lower: a, upper: b, probability };
      continue;
    }
    return level - probability <= best.probability - level + TIE ? { lower: a, upper: b, probability } : best;
  }
}

/**
 * P(Y ≤ k) for k = 0, 1, … up to the first k where it reaches `upTo`. Term ratio P(k+1)/P(k): Poisson
 * μ/(k+1); negative binomial (k+r)/(k+1) · μ/(r+μ), r = μ²/(V − μ). Summed by hand: the search needs the
 * whole run of P(Y ≤ k), which one pass of the term ratio gives.
 */
function cumulative(mean: number, variance: number, upTo: number): number[] {
  const poisson = variance <= mean * (1 + 1e-9);
  const r = poisson ? 0 : (mean * mean) / (variance - mean);
  const logQ = poisson ? 0 : Math.log(mean / (r + mean));
  // Log space: P(0) underflows for large means, and those terms are negligible anyway.
  let logP = poisson ? -mean : r * Math.log(r / (r + mean));
  let sum = Math.exp(logP);
  const out = [sum];
  for (let k = 0; sum < upTo && k <= 100 * (mean + 10); k++) {
    logP += poisson ? Math.log(mean / (k + 1)) : Math.log((k + r) / (k + 1)) + logQ;
    sum += Math.exp(logP);
    out.push(sum);
  }
  return out;
}
