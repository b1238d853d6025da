import { UserError } from '../../../errors/index.js';
import { checkHistory, forecastDemand, MIN_HISTORY_DAYS } from './demand-model.js';
import { type DemandHistory, type DemandSeries, dateOf } from './types.js';

/** Options of backtestDemand. */
export interface BacktestOptions {
  horizon: number;
  /** Cut-offs wanted: end − horizon, then every `step` days earlier. */
  origins: number;
  step: number;
  /** Probability inside each interval (coverage is measured against it). */
  level: number;
  /** true: fewer cut-offs than `origins` with MIN_HISTORY_DAYS of training before them is a UserError. */
  strict: boolean;
  /** Trend damping of the model's forecasts (default TREND_DAMPING; 1: undamped, for comparison). */
  damping?: number;
}

/** Accuracy of one method over every cut-off, series and day of the backtest. */
export interface BacktestScore {
  method: 'model' | 'seasonal-naive';
  series: number;
  points: number;
  actualUnits: number;
  absError: number;
  /** Σ|actual − forecast| / Σ actual. */
  wape: number;
  /** Mean over (series, cut-off) of the test MAE ÷ the in-sample MAE of the same-weekday-last-week forecast. */
  mase: number | null;
  /** Share of actuals inside the interval (the model only). */
  coverage: number | null;
  /**
   * Mean probability the model gave its intervals over the same points (the model only): what coverage
   * should be. Whole units cannot hold exactly the level, so this is near it, not at it.
   */
  intervalProbability: number | null;
}

/** The cut-off days (epoch days) of a backtest, latest first. */
export function cutoffs(history: DemandHistory, o: BacktestOptions): number[] {
  // An empty history has no first day: the forecast's own check says what is missing.
  if (history.series.length === 0) checkHistory(history, o.horizon);
  const first = Math.min(...history.series.map((s) => s.start));
  const out: number[] = [];
  for (let k = 0; k < o.origins; k++) {
    const c = history.end - o.horizon - k * o.step;
    if (c - first >= MIN_HISTORY_DAYS) out.push(c);
  }
  if (out.length === 0 || (o.strict && out.length < o.origins)) {
    // Without a number asked for (strict false), one cut-off is enough: say what one needs.
    const wanted = o.strict ? o.origins : 1;
    const need = MIN_HISTORY_DAYS + o.horizon + (wanted - 1) * o.step;
    const what = wanted === 1 ? 'one cut-off' : `${wanted} cut-offs ${o.step} day(s) apart`;
    throw new UserError(
      `forecast-backtest: ${what} with a ${o.horizon}-day horizon ${wanted === 1 ? 'needs' : 'need'} ${need} days of order history (${MIN_HISTORY_DAYS} to train before the first), the orders cover ${history.end - first} from ${dateOf(first)}: use fewer --origins, a smaller --step or --horizon`,
      { code: 'too_little_history' },
    );
  }
  return out;
}

/** The history as known before day `cut`: series that had started, cut at it. */
export function historyBefore(history: DemandHistory, cut: number): DemandHistory {
  const series: DemandSeries[] = history.series
    .filter((s) => s.start < cut)
    .map((s) => ({
      ...s,
      units: s.units.slice(0, cut - s.start),
      ...(s.censored ? { censored: s.censored.slice(0, cut - s.start) } : {}),
    }));
  return { ...history, end: cut, series };
}

/** Same weekday last week: the forecast for cut + h is the actual of cut − 7 + (h mod 7). */
export function seasonalNaive(s: DemandSeries, cut: number, h: number): number {
  return s.units[cut - 7 + (h % 7) - s.start] ?? 0;
}

/**
 * Rolling-origin backtest: at each cut-off the model is fitted on the days before it and forecasts the
 * next `horizon` days, with the discounts and sale days that really happened as its plan (a shop plans
 * its promotions); seasonal naive forecasts the same days. Scored on the series with at least a week of
 * history before the cut-off (seasonal naive needs one).
 */
export function backtestDemand(
  history: DemandHistory,
  o: BacktestOptions,
): {
  cutoffs: number[];
  scores: BacktestScore[];
} {
  const cuts = cutoffs(history, o);
  const acc = {
    model: { abs: 0, mase: [] as number[], covered: 0, probability: 0 },
    naive: { abs: 0, mase: [] as number[] },
  };
  let actual = 0;
  let points = 0;
  const seen = new Set<string>();
  for (const cut of cuts) {
    const past = historyBefore(history, cut);
    const forecasts = forecastDemand(past, {
      horizon: o.horizon,
      level: o.level,
      plan: history,
      ...(o.damping === undefined ? {} : { damping: o.damping }),
    });
    const byKey = new Map(forecasts.map((f) => [`${f.product}\u241f${f.region}\u241f${f.day}`, f]));
    for (const s of history.series) {
      if (s.start > cut - 7) continue;
      seen.add(`${s.product}\u241f${s.region}`);
      let scale = 0;
      let pairs = 0;
      for (let d = s.start + 7; d < cut; d++) {
        if (s.censored?.[d - s.start] || s.censored?.[d - 7 - s.start]) continue;
        scale += Math.abs((s.units[d - s.start] as number) - (s.units[d - 7 - s.start] as number));
        pairs++;
      }
      scale = pairs > 0 ? scale / pairs : 0;
      let modelAbs = 0;
      let naiveAbs = 0;
      for (let h = 0; h < o.horizon; h++) {
        const day = cut + h;
        if (s.censored?.[day - s.start]) continue;
        const y = s.units[day - s.start] ?? 0;
        const f = byKey.get(`${s.product}\u241f${s.region}\u241f${day}`);
        const mean = f?.mean ?? 0;
        modelAbs += Math.abs(y - mean);
        naiveAbs += Math.abs(y - seasonalNaive(s, cut, h));
        if (f && y >= f.lower && y <= f.upper) acc.model.covered++;
        // No forecast (a series the model does not know) counts as a miss above, so as probability 0 here.
        acc.model.probability += f?.probability ?? 0;
        actual += y;
        points++;
      }
      acc.model.abs += modelAbs;
      acc.naive.abs += naiveAbs;
      const scored = s.units
        .slice(cut - s.start, cut - s.start + o.horizon)
        .filter((_, h) => !s.censored?.[cut - s.start + h]).length;
      if (scale > 0 && scored > 0) {
        acc.model.mase.push(modelAbs / scored / scale);
        acc.naive.mase.push(naiveAbs / scored / scale);
      }
    }
  }
  const mean = (v: number[]) => (v.length > 0 ? v.reduce((a, b) => a + b, 0) / v.length : null);
  const base = { series: seen.size, points, actualUnits: actual };
  return {
    cutoffs: cuts,
    scores: [
      {
        method: 'model',
        ...base,
        absError: acc.model.abs,
        wape: acc.model.abs / actual,
        mase: mean(acc.model.mase),
        coverage: points > 0 ? acc.model.covered / points : null,
        intervalProbability: points > 0 ? acc.model.probability / points : null,
      },
      {
        method: 'seasonal-naive',
        ...base,
        absError: acc.naive.abs,
        wape: acc.naive.abs / actual,
        mase: mean(acc.naive.mase),
        coverage: null,
        intervalProbability: null,
      },
    ],
  };
}
