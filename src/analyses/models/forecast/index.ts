export { ALL, aggregateForecasts, type ForecastGrouping } from './aggregate.js';
export {
  type BacktestOptions,
  type BacktestScore,
  backtestDemand,
  cutoffs,
  historyBefore,
  seasonalNaive,
} from './backtest.js';
export { type CountInterval, countInterval } from './count-interval.js';
export {
  checkHistory,
  DEMAND_FEATURES,
  type DemandModel,
  type ForecastOptions,
  featureRow,
  fitDemandModel,
  forecastDemand,
  MIN_HISTORY_DAYS,
  predictMean,
  TREND_DAMPING,
  trendWeeks,
} from './demand-model.js';
export { fitPooledPoisson, type PoissonGroup, type PooledPoissonFit } from './pooled-poisson.js';
export {
  type DemandCalendar,
  type DemandForecast,
  type DemandHistory,
  type DemandSeries,
  dateOf,
  dayOf,
  weekdayOf,
} from './types.js';
