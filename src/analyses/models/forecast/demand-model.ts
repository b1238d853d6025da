import { UserError } from '../../../errors/index.js';
import { countInterval } from './count-interval.js';
import { fitPooledPoisson, linear, type PoissonGroup } from './pooled-poisson.js';
import {
  type DemandCalendar,
  type DemandForecast,
  type DemandHistory,
  type DemandSeries,
  dateOf,
  weekdayOf,
} from './types.js';

/** Design columns: weekday dummies (Sunday is the base), trend in weeks, promotion, store-wide sale day. */
export const DEMAND_FEATURES = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'trend', 'promo', 'sale'] as const;
const P = DEMAND_FEATURES.length;
/** Least history a forecast needs: two of each weekday. */
export const MIN_HISTORY_DAYS = 14;
/** Pseudo-days of the region-adjusted product rate each series' level is shrunk towards (sparse series). */
const SHRINK_DAYS = 7;
/** Discounts are capped here so that −log(1 − d) stays finite. */
const MAX_DISCOUNT = 0.95;
/**
 * Damping of the trend per day ahead (Holt's damped trend, φ): day h after the history gets
 * φ + φ² + … + φ^h days of trend instead of h, so the trend's whole future effect is bounded by
 * φ ÷ (1 − φ) = 49 days of it however long the horizon (a lead time may be longer than the history).
 * 0.98 halves the trend's daily step in 34 days: a 14-day forecast keeps 12.1 of its 14 days of trend.
 * A documented default rather than a fitted one: a backtest over a few weeks cannot tell φ from 1.
 */
export const TREND_DAMPING = 0.98;

/** A fitted demand model: shared effects, each series' level, and the dispersion of daily units. */
export interface DemandModel {
  /** First day after the training history (trend is counted in weeks from it). */
  end: number;
  /** Coefficients in DEMAND_FEATURES order (log scale; promo is the price elasticity). */
  coef: number[];
  /** Log level of each series (key product␟region), shrunk towards its product's rate for sparse series. */
  level: Map<string, number>;
  /** Var(units) = phi·μ + alpha·μ² (quasi-Poisson and negative-binomial parts, fitted on residuals). */
  phi: number;
  alpha: number;
  /** Trend damping per day ahead used by its forecasts (TREND_DAMPING unless asked otherwise; 1 = none). */
  damping: number;
}

const keyOf = (s: { product: string; region: string }) => `${s.product}\u241f${s.region}`;

/**
 * Weeks of trend on a day, 0 at `end` (the first day forecast): (day − end) ÷ 7 over the history, and for
 * the forecast days h = day − end + 1 ≥ 1 after the last day of history (end − 1) its level there plus
 * damped steps, (−1 + φ + φ² + … + φ^h) ÷ 7 with φ = TREND_DAMPING (h at φ = 1: the undamped line).
 */
export function trendWeeks(day: number, end: number, damping = TREND_DAMPING): number {
  if (day < end || damping === 1) return (day - end) / 7;
  const h = day - end + 1;
  return (-1 + (damping * (1 - damping ** h)) / (1 - damping)) / 7;
}

/**
 * One design row: the day's weekday dummies, trend (damped after the history, trendWeeks), promotion
 * (−log(1 − discount)) and sale flag.
 */
export function featureRow(
  day: number,
  end: number,
  discount: number,
  sale: boolean,
  damping = TREND_DAMPING,
): number[] {
  const w = weekdayOf(day);
  const row = new Array<number>(P).fill(0);
  if (w > 0) row[w - 1] = 1;
  row[6] = trendWeeks(day, end, damping);
  row[7] = -Math.log(1 - Math.min(Math.max(discount, 0), MAX_DISCOUNT));
  row[8] = sale ? 1 : 0;
  return row;
}

function design(s: DemandSeries, end: number, cal: DemandCalendar): PoissonGroup {
  const days = s.units.map((_, i) => i).filter((i) => !s.censored?.[i]);
  const x = new Float64Array(days.length * P);
  days.forEach((i, r) => {
    const day = s.start + i;
    x.set(featureRow(day, end, cal.discount(s.product, day), cal.saleDays.has(day)), r * P);
  });
  return { x, y: days.map((i) => s.units[i] as number) };
}

/** Says what is missing when a history cannot support a forecast of `horizon` days. */
export function checkHistory(history: DemandHistory, horizon: number): void {
  if (history.series.length === 0)
    throw new UserError(
      'forecast: no order line with a positive quantity that was not cancelled in the history',
      {
        code: 'too_little_history',
      },
    );
  const first = Math.min(...history.series.map((s) => s.start));
  const days = history.end - first;
  if (days < MIN_HISTORY_DAYS)
    throw new UserError(
      `forecast: needs at least ${MIN_HISTORY_DAYS} days of order history, the orders cover ${days} (${dateOf(first)} to ${dateOf(history.end - 1)})`,
      { code: 'too_little_history' },
    );
  if (horizon > days)
    throw new UserError(
      `forecast: a ${horizon}-day horizon needs at least ${horizon} days of history, the orders cover ${days}: use --horizon ${days} or less`,
      { code: 'horizon_beyond_data' },
    );
}

/**
 * Fits the pooled model: log E[units] = level(series) + weekday + trend·weeks + elasticity·(−log(1 − discount))
 * + sale-day lift, by Poisson maximum likelihood over all series at once (the shape is shared, so a series
 * with few sales borrows it), then the dispersion of units around it.
 */
export function fitDemandModel(history: DemandHistory, damping = TREND_DAMPING): DemandModel {
  const groups = history.series.map((s) => design(s, history.end, history));
  const fit = fitPooledPoisson(groups, P);
  // Shrinkage: level = log((Y + K·prior) / (E + K)), prior = the product's rate × the region's relative rate.
  const sum = (m: Map<string, [number, number]>, k: string, y: number, e: number) => {
    const v = m.get(k) ?? [0, 0];
    m.set(k, [v[0] + y, v[1] + e]);
  };
  const byProduct = new Map<string, [number, number]>();
  const byRegion = new Map<string, [number, number]>();
  let yAll = 0;
  let eAll = 0;
  const totals = history.series.map((s, i) => {
    // Units of the days fitted only: a censored day's sales are not its demand, and its exposure is not in e.
    const y = Array.from((groups[i] as PoissonGroup).y).reduce((a, b) => a + b, 0);
    const e = fit.exposure[i] as number;
    sum(byProduct, s.product, y, e);
    sum(byRegion, s.region, y, e);
    yAll += y;
    eAll += e;
    return [y, e] as const;
  });
  const rate = (v: [number, number] | undefined) => (v && v[1] > 0 ? v[0] / v[1] : 0);
  const level = new Map<string, number>();
  // The region's rate relative to all: 1 when the totals cannot say (no exposure, or an exposure that
  // overflowed — a history whose sales all lie weeks before its end fits a trend so steep that its early
  // days' exp(x·β) reach the top of the double range, and Σ becomes Infinity; the rates then are 0 and
  // 0/0 made every level, so every forecast, NaN).
  const overall = yAll / eAll;
  const relative = (r: string) =>
    overall > 0 && Number.isFinite(overall) ? rate(byRegion.get(r)) / overall : 1;
  history.series.forEach((s, i) => {
    const [y, e] = totals[i] as readonly [number, number];
    const prior = rate(byProduct.get(s.product)) * relative(s.region);
    level.set(keyOf(s), Math.log((y + SHRINK_DAYS * prior) / (e + SHRINK_DAYS)));
  });
  const { phi, alpha } = dispersion(groups, fit.coef, fit.intercepts);
  return { end: history.end, coef: fit.coef, level, phi, alpha, damping };
}

/**
 * Var(y) = φμ + αμ², by least squares of (y − μ)²/μ on [1, μ] over the training days, scaled by n/(n − k)
 * for the k fitted parameters. Units are overdispersed (an order holds 1–5 units, promotions vary).
 */
function dispersion(groups: readonly PoissonGroup[], coef: number[], intercepts: number[]) {
  let n = 0;
  let s1 = 0;
  let sm = 0;
  let smm = 0;
  let sz = 0;
  let szm = 0;
  let live = 0;
  groups.forEach((g, gi) => {
    const a = intercepts[gi] as number;
    if (!Number.isFinite(a)) return;
    live++;
    const e = linear(g.x, coef, P);
    for (let i = 0; i < g.y.length; i++) {
      const mu = Math.exp(a) * (e[i] as number);
      const z = ((g.y[i] as number) - mu) ** 2 / mu;
      n++;
      s1 += 1;
      sm += mu;
      smm += mu * mu;
      sz += z;
      szm += z * mu;
    }
  });
  const dof = n - live - P;
  if (dof <= 0) return { phi: 1, alpha: 0 };
  const scale = n / dof;
  const det = s1 * smm - sm * sm;
  let phi = det > 0 ? (sz * smm - szm * sm) / det : sz / s1;
  let alpha = det > 0 ? (s1 * szm - sm * sz) / det : 0;
  if (alpha < 0 || phi < 0) {
    alpha = Math.max(alpha, 0);
    phi = alpha === 0 ? sz / s1 : Math.max((sz - alpha * sm) / s1, 0);
  }
  return { phi: phi * scale, alpha: alpha * scale };
}

/** Expected units of a series on a day under a plan (discount, sale day); undefined for an unknown series. */
export function predictMean(
  model: DemandModel,
  series: { product: string; region: string },
  day: number,
  plan: DemandCalendar,
): number | undefined {
  const level = model.level.get(keyOf(series));
  if (level === undefined) return undefined;
  const x = featureRow(
    day,
    model.end,
    plan.discount(series.product, day),
    plan.saleDays.has(day),
    model.damping,
  );
  return Math.exp(level + x.reduce((s, v, j) => s + v * (model.coef[j] as number), 0));
}

/** Options of forecastDemand. */
export interface ForecastOptions {
  /** Days forecast, from history.end on. */
  horizon: number;
  /** Probability inside each interval (default 0.8). */
  level?: number;
  /** Planned discounts and sale days of the forecast days (default: none). */
  plan?: DemandCalendar;
  /** Trend damping per day ahead (default TREND_DAMPING; 1: the undamped line, for comparison). */
  damping?: number;
}

const NO_PLAN: DemandCalendar = { discount: () => 0, saleDays: new Set() };

/**
 * Daily demand of every series of the history for the `horizon` days after it, with intervals: the API
 * other models (reorder points) call. Throws a UserError when the history is too short for the horizon.
 */
export function forecastDemand(history: DemandHistory, options: ForecastOptions): DemandForecast[] {
  checkHistory(history, options.horizon);
  const model = fitDemandModel(history, options.damping);
  const plan = options.plan ?? NO_PLAN;
  const level = options.level ?? 0.8;
  const out: DemandForecast[] = [];
  for (const s of history.series)
    for (let day = history.end; day < history.end + options.horizon; day++) {
      const mean = predictMean(model, s, day, plan) ?? 0;
      const variance = model.phi * mean + model.alpha * mean * mean;
      out.push({
        product: s.product,
        region: s.region,
        day,
        mean,
        variance,
        ...countInterval(mean, variance, level),
        discount: plan.discount(s.product, day),
        saleDay: plan.saleDays.has(day),
      });
    }
  return out;
}
