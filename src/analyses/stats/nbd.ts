/**
 * The NBD (Gamma-Poisson) purchase model: each customer buys at a Poisson rate λ per day, and λ varies
 * across customers as Gamma(shape r, rate α). Fitted by the method of moments; a customer's expected
 * rate after x purchases in T days is the Gamma posterior mean (r + x) / (α + T).
 */
export interface NbdModel {
  r: number;
  alpha: number;
  /** Mean purchase rate per day across customers (r / α). */
  meanRate: number;
}

/** One customer's calibration data: purchases x in an exposure of T days (T > 0). */
export interface Exposure {
  x: number;
  t: number;
}

/**
 * Method-of-moments fit. With m = Σx / ΣT (estimates r/α) and
 * v = (Σ (x − mT)² − Σ mT) / Σ T² (estimates r/α², the variance of λ): α = m / v, r = m·α.
 * When v ≤ 0 (no more spread than Poisson) every customer gets the mean rate (α = ∞, signalled by r = ∞).
 */
export function fitNbd(data: readonly Exposure[]): NbdModel {
  let sx = 0;
  let st = 0;
  let st2 = 0;
  for (const { x, t } of data) {
    sx += x;
    st += t;
    st2 += t * t;
  }
  const m = st > 0 ? sx / st : 0;
  let ss = 0;
  for (const { x, t } of data) ss += (x - m * t) ** 2 - m * t;
  const v = st2 > 0 ? ss / st2 : 0;
  if (!(v > 0) || !(m > 0))
    return { r: Number.POSITIVE_INFINITY, alpha: Number.POSITIVE_INFINITY, meanRate: m };
  const alpha = m / v;
  return { r: m * alpha, alpha, meanRate: m };
}

/** Expected purchases in the next `days` for a customer with x purchases in T days. */
export function expectedPurchases(model: NbdModel, x: number, t: number, days: number): number {
  if (!Number.isFinite(model.alpha)) return model.meanRate * days;
  return (days * (model.r + x)) / (model.alpha + t);
}

/**
 * Expected value of a customer's next orders: their mean order value shrunk towards the population's
 * mean as if `weight` extra orders at the population mean had been seen: (Σ value + weight·μ) / (x + weight).
 */
export function shrunkOrderValue(value: number, x: number, populationMean: number, weight = 1): number {
  return (value + weight * populationMean) / (x + weight);
}
