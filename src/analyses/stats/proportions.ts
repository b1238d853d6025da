import { normalCdf, normalQuantile } from './normal.js';

/** A two-sided confidence interval. */
export interface Interval {
  low: number;
  high: number;
}

/** Wilson score interval for x successes out of n (Wilson 1927; Newcombe 1998, method 3). */
export function wilsonInterval(x: number, n: number, confidence = 0.95): Interval {
  if (n <= 0) return { low: 0, high: 1 };
  const z = normalQuantile(1 - (1 - confidence) / 2);
  const p = x / n;
  const z2 = z * z;
  const centre = p + z2 / (2 * n);
  const spread = z * Math.sqrt((p * (1 - p)) / n + z2 / (4 * n * n));
  const denom = 1 + z2 / n;
  return { low: Math.max(0, (centre - spread) / denom), high: Math.min(1, (centre + spread) / denom) };
}

/** Result of comparing a treatment proportion (b) with a control proportion (a). */
export interface TwoProportionTest {
  rateA: number;
  rateB: number;
  /** rateB − rateA. */
  absoluteLift: number;
  /** rateB / rateA − 1 (NaN when rateA is 0). */
  relativeLift: number;
  /** Wald interval of the difference with unpooled standard error (Newcombe 1998b, method 1). */
  absoluteCi: Interval;
  /**
   * Interval of the relative lift rateB / rateA − 1 by the log ratio (Katz et al. 1978): ln(pB/pA) ±
   * z·√(1/xB − 1/nB + 1/xA − 1/nA), exponentiated, minus 1. It accounts for the control rate's own noise
   * (dividing the absolute interval by pA treats pA as exact and covers less than promised). NaN when
   * either variant has no conversion (the log ratio is then undefined).
   */
  relativeCi: Interval;
  /** z statistic with the pooled standard error under H0: rateA = rateB. */
  z: number;
  /** Two-sided p-value of the pooled z test. */
  pValue: number;
}

/**
 * Two-proportion z test (pooled standard error for the test, unpooled for the interval), as in
 * Agresti, "An Introduction to Categorical Data Analysis", sections 2.2 and 2.4.
 */
export function twoProportionTest(
  xA: number,
  nA: number,
  xB: number,
  nB: number,
  confidence = 0.95,
): TwoProportionTest {
  const rateA = nA > 0 ? xA / nA : 0;
  const rateB = nB > 0 ? xB / nB : 0;
  const diff = rateB - rateA;
  const pooled = nA + nB > 0 ? (xA + xB) / (nA + nB) : 0;
  const sePooled = Math.sqrt(pooled * (1 - pooled) * (1 / nA + 1 / nB));
  const z = sePooled > 0 ? diff / sePooled : 0;
  const pValue = sePooled > 0 ? 2 * (1 - normalCdf(Math.abs(z))) : 1;
  const se = Math.sqrt((rateA * (1 - rateA)) / nA + (rateB * (1 - rateB)) / nB);
  const q = normalQuantile(1 - (1 - confidence) / 2);
  const absoluteCi = { low: diff - q * se, high: diff + q * se };
  const relativeCi = logRatioInterval(xA, nA, xB, nB, q);
  return {
    rateA,
    rateB,
    absoluteLift: diff,
    relativeLift: rateA > 0 ? rateB / rateA - 1 : Number.NaN,
    absoluteCi,
    relativeCi,
    z,
    pValue,
  };
}

/** Katz log-ratio interval of pB/pA − 1 at critical value q (see TwoProportionTest.relativeCi). */
function logRatioInterval(xA: number, nA: number, xB: number, nB: number, q: number): Interval {
  if (!(xA > 0 && xB > 0 && nA > 0 && nB > 0)) return { low: Number.NaN, high: Number.NaN };
  const logRatio = Math.log(xB / nB / (xA / nA));
  const se = Math.sqrt(1 / xB - 1 / nB + 1 / xA - 1 / nA);
  return { low: Math.exp(logRatio - q * se) - 1, high: Math.exp(logRatio + q * se) - 1 };
}

/**
 * Sessions needed per variant to detect a change from rate p1 to p2 with a two-sided test at level
 * alpha and the given power: n = (z₁₋α/₂ + z_power)² · (p1(1 − p1) + p2(1 − p2)) / (p2 − p1)², rounded up.
 */
export function minSampleSize(p1: number, p2: number, alpha = 0.05, power = 0.8): number {
  if (p1 === p2) return Number.POSITIVE_INFINITY;
  const z = normalQuantile(1 - alpha / 2) + normalQuantile(power);
  return Math.ceil((z * z * (p1 * (1 - p1) + p2 * (1 - p2))) / ((p2 - p1) * (p2 - p1)));
}
