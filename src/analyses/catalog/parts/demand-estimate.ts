/**
 * The demand estimate inventory and reorder read, behind one narrow interface so that a forecast model
 * (src/analyses/models/forecast/) can replace it: give it the units sold per day, get the expected daily
 * demand and its day-to-day standard deviation. Today: the mean and sample standard deviation over the
 * trailing window, days without a sale counted as 0 (docs/ANALYSES.md, `inventory`).
 */
export interface DemandEstimate {
  /** Expected units per day. */
  mean: number;
  /** Standard deviation of one day's units. */
  sd: number;
}

/** Estimates daily demand from units per day (any order; every day of the window present, 0 if none sold). */
export type DemandEstimator = (dailyUnits: readonly number[]) => DemandEstimate;

/** Mean and sample standard deviation (n − 1) of the daily units; one day gives sd 0. */
export const trailingMeanEstimator: DemandEstimator = (dailyUnits) => {
  const n = dailyUnits.length;
  if (n === 0) return { mean: 0, sd: 0 };
  let sum = 0;
  for (const u of dailyUnits) sum += u;
  const mean = sum / n;
  if (n === 1) return { mean, sd: 0 };
  let ss = 0;
  for (const u of dailyUnits) ss += (u - mean) ** 2;
  return { mean, sd: Math.sqrt(ss / (n - 1)) };
};

/** Demand over a lead time of `days` days, days independent: mean × days, sd × √days. */
export function leadTimeDemand(e: DemandEstimate, days: number): DemandEstimate {
  return { mean: e.mean * days, sd: e.sd * Math.sqrt(days) };
}
