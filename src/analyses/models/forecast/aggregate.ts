import { countInterval } from './count-interval.js';
import type { DemandForecast } from './types.js';

/** How forecasts are summed: per series, per product over regions, per region over products, or all. */
export type ForecastGrouping = 'product,region' | 'product' | 'region' | 'total';

/** The label of a dimension summed over. */
export const ALL = '(all)';

/**
 * Sums series forecasts per day into the grouping: means and variances add (series are taken as
 * independent given the model), and the interval is that of a count with the summed mean and variance.
 */
export function aggregateForecasts(
  forecasts: readonly DemandForecast[],
  by: ForecastGrouping,
  level: number,
): DemandForecast[] {
  if (by === 'product,region') return [...forecasts];
  const groups = new Map<string, DemandForecast>();
  for (const f of forecasts) {
    const product = by === 'product' ? f.product : ALL;
    const region = by === 'region' ? f.region : ALL;
    const key = `${product}\u241f${region}\u241f${f.day}`;
    const g = groups.get(key);
    if (!g) {
      groups.set(key, { ...f, product, region });
      continue;
    }
    g.mean += f.mean;
    g.variance += f.variance;
    // A sum over products has no one discount: the largest planned one is shown.
    g.discount = Math.max(g.discount, f.discount);
  }
  return [...groups.values()].map((g) => ({ ...g, ...countInterval(g.mean, g.variance, level) }));
}
