import { confidenceInterval, fitOls, type OlsFit } from './ols.js';

/** One product's sales on one day, as the pricing analyses read them. */
export interface DailySales {
  day: string;
  /** Order lines of the product that day (the demand the model explains). */
  lines: number;
  units: number;
  /** Average selling price that day (Σ quantity × price ÷ Σ quantity). */
  price: number;
  /** Mean competitor price that day, or null without a feed. */
  competitorPrice: number | null;
}

/** Days with sales a product needs before the model is fitted. */
export const MIN_DAYS = 28;
/** Share of the window's days a product must sell on (the log model cannot see days without sales). */
export const MIN_DAY_SHARE = 0.8;
/** Smallest standard deviation of log price, and fewest distinct prices, that count as variation. */
export const MIN_LOG_PRICE_SD = 0.01;
export const MIN_DISTINCT_PRICES = 3;

export type ElasticityStatus = 'estimated' | 'insufficient variation' | 'too few sales';

/** A product's estimated elasticity (positive: units fall as price rises) and its interval. */
export interface ElasticityEstimate {
  status: ElasticityStatus;
  days: number;
  elasticity: number | null;
  low: number | null;
  high: number | null;
  se: number | null;
  /** Effect of a 1 % higher competitor price on demand, in % (null without a feed). */
  competitorEffect: number | null;
  fit: OlsFit | null;
}

const DAY_MS = 86_400_000;

/** Black Friday: the last Friday of November. */
export function isBlackFriday(day: string): boolean {
  const d = new Date(`${day}T00:00:00Z`);
  return d.getUTCMonth() === 10 && d.getUTCDay() === 5 && d.getUTCDate() + 7 > 30;
}

/** The columns of one product's regression, fixed by its training days so later days can be predicted. */
export interface DesignSpec {
  names: string[];
  withCompetitor: boolean;
  hasBlackFriday: boolean;
  /** Epoch ms of the first training day (the trend's zero). */
  t0: number;
}

/** The regression columns a product's daily sales call for (docs/ANALYSES.md "price-elasticity"). */
export function designSpec(sales: readonly DailySales[]): DesignSpec {
  const withCompetitor = sales.every((s) => s.competitorPrice !== null && s.competitorPrice > 0);
  const hasBlackFriday = sales.some((s) => isBlackFriday(s.day));
  const names = ['intercept', 'log_price'];
  if (withCompetitor) names.push('log_competitor_price');
  names.push('mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'trend');
  if (hasBlackFriday) names.push('black_friday');
  return { names, withCompetitor, hasBlackFriday, t0: Date.parse(`${sales[0]?.day}T00:00:00Z`) };
}

/** One day's row of the design matrix under a spec. */
export function designRow(s: DailySales, spec: DesignSpec): number[] {
  const ms = Date.parse(`${s.day}T00:00:00Z`);
  const weekday = new Date(ms).getUTCDay();
  const row = [1, Math.log(s.price)];
  if (spec.withCompetitor) row.push(Math.log(s.competitorPrice ?? Number.NaN));
  for (let w = 1; w <= 6; w++) row.push(weekday === w ? 1 : 0);
  row.push((ms - spec.t0) / DAY_MS / 365);
  if (spec.hasBlackFriday) row.push(isBlackFriday(s.day) ? 1 : 0);
  return row;
}

/** The regression of one product: column names, rows and log demand. */
export function designMatrix(sales: readonly DailySales[]): { names: string[]; x: number[][]; y: number[] } {
  const spec = designSpec(sales);
  return {
    names: spec.names,
    x: sales.map((s) => designRow(s, spec)),
    y: sales.map((s) => Math.log(s.lines)),
  };
}

/**
 * Expected order lines on a day from a fitted estimate: exp(x·b) × exp(σ²/2), the mean of a log-normal
 * (the fit is on log lines). NaN when the day lacks what the fit used (a competitor price).
 */
export function predictLines(estimate: ElasticityEstimate, spec: DesignSpec, day: DailySales): number {
  const fit = estimate.fit;
  if (!fit) return Number.NaN;
  const row = designRow(day, spec);
  let eta = 0;
  for (let j = 0; j < row.length; j++) eta += (row[j] as number) * (fit.coef[j] as number);
  return Math.exp(eta + fit.sigma2 / 2);
}

/** Estimates one product's elasticity from its daily sales over a window of `windowDays` days. */
export function estimateElasticity(
  sales: readonly DailySales[],
  windowDays: number,
  level: number,
): ElasticityEstimate {
  const empty = { elasticity: null, low: null, high: null, se: null, competitorEffect: null, fit: null };
  const days = sales.length;
  if (days < MIN_DAYS || days < MIN_DAY_SHARE * windowDays)
    return { status: 'too few sales', days, ...empty };
  const logs = sales.map((s) => Math.log(s.price));
  const mean = logs.reduce((a, b) => a + b, 0) / days;
  const sd = Math.sqrt(logs.reduce((a, b) => a + (b - mean) ** 2, 0) / (days - 1));
  const distinct = new Set(sales.map((s) => Math.round(s.price * 100))).size;
  if (sd < MIN_LOG_PRICE_SD || distinct < MIN_DISTINCT_PRICES)
    return { status: 'insufficient variation', days, ...empty };
  const { names, x, y } = designMatrix(sales);
  const fit = fitOls(names, x, y);
  if (!fit || fit.df < 10) return { status: 'insufficient variation', days, ...empty };
  const [lo, hi] = confidenceInterval(fit, 'log_price', level);
  const c = names.indexOf('log_competitor_price');
  return {
    status: 'estimated',
    days,
    // Demand falls with price, so the elasticity is the negated log-price coefficient.
    elasticity: -(fit.coef[1] as number),
    low: -hi,
    high: -lo,
    se: fit.se[1] as number,
    competitorEffect: c < 0 ? null : (fit.coef[c] as number),
    fit,
  };
}
