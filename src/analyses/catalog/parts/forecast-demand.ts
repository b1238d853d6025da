import {
  checkHistory,
  type DemandHistory,
  fitDemandModel,
  predictMean,
} from '../../models/forecast/index.js';
import { normalQuantile } from '../../stats/index.js';
import type { Policy } from './reorder-sim.js';

/** Expected units and their variance summed over some days (days taken as independent). */
export interface SummedDemand {
  mean: number;
  variance: number;
}

/**
 * Demand over the days after a history, from the forecast model (models/forecast): `over(product, region,
 * from, days)` sums the daily means and variances of days history.end + from … + from + days − 1. A
 * product that region never ordered before gets 0. No promotion is planned; the calendar's sale days are.
 * Fitted once; not limited by forecast's horizon rule (the lead time may be longer than the history).
 */
export function demandForecaster(
  history: DemandHistory,
): (product: string, region: string, from: number, days: number) => SummedDemand {
  checkHistory(history, 1);
  const model = fitDemandModel(history);
  const plan = { discount: () => 0, saleDays: history.saleDays };
  return (product, region, from, days) => {
    let mean = 0;
    let variance = 0;
    for (let d = history.end + from; d < history.end + from + days; d++) {
      const m = predictMean(model, { product, region }, d, plan) ?? 0;
      mean += m;
      variance += model.phi * m + model.alpha * m * m;
    }
    return { mean, variance };
  };
}

/**
 * (s, Q) from forecast demand: s = ⌈M + z·√V⌉ with M, V the mean and variance of demand over the lead
 * time and z = Φ⁻¹(service level); Q = max(1, ⌈expected demand over the order days⌉).
 */
export function forecastPolicy(lead: SummedDemand, orderDemand: number, serviceLevel: number): Policy {
  const z = normalQuantile(serviceLevel);
  return {
    reorderPoint: Math.max(0, Math.ceil(lead.mean + z * Math.sqrt(lead.variance) - 1e-9)),
    orderQuantity: Math.max(1, Math.ceil(orderDemand - 1e-9)),
  };
}
