import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { isUserError } from '../../../errors/index.js';
import { lcg } from '../../../testing/index.js';
import {
  backtestDemand,
  countInterval,
  type DemandHistory,
  type DemandSeries,
  dayOf,
  fitDemandModel,
  forecastDemand,
  TREND_DAMPING,
  trendWeeks,
  weekdayOf,
} from './index.js';

// 2026-11-01 is a Sunday; the fixtures start there so weekday w of day i is i mod 7.
const START = dayOf('2026-11-01');
/** Units by weekday, Sunday first: a pure weekly pattern. */
const WEEK = [20, 8, 10, 10, 12, 16, 24];

function series(product: string, region: string, days: number, unit: (day: number) => number): DemandSeries {
  return { product, region, start: START, units: Array.from({ length: days }, (_, i) => unit(START + i)) };
}

function history(s: DemandSeries[], extra: Partial<DemandHistory> = {}): DemandHistory {
  const end = START + (s[0]?.units.length ?? 0);
  return { end, series: s, saleDays: new Set(), discount: () => 0, ...extra };
}

describe('demand model on hand-built fixtures', () => {
  it('a pure weekly pattern is forecast exactly, for each series at its own level', () => {
    assert.equal(weekdayOf(START), 0);
    const h = history([
      series('A', 'EU', 28, (d) => WEEK[weekdayOf(d)] as number),
      series('B', 'EU', 28, (d) => 3 * (WEEK[weekdayOf(d)] as number)),
    ]);
    const out = forecastDemand(h, { horizon: 14 });
    assert.equal(out.length, 28);
    for (const f of out) {
      const want = (f.product === 'B' ? 3 : 1) * (WEEK[weekdayOf(f.day)] as number);
      assert.ok(Math.abs(f.mean - want) < 1e-6, `${f.product} day ${f.day}: ${f.mean} vs ${want}`);
    }
    // No residual at all: the interval is a Poisson one. Monday of A has mean 8: P(Y ≤ 4) = 0.0996,
    // P(Y ≤ 5) = 0.1912, P(Y ≤ 11) = 0.8881, P(Y ≤ 12) = 0.9362. The 0.1 and 0.9 quantiles give [5, 12],
    // holding 0.9362 − 0.0996 = 0.8366; the next central one, [5, 11], holds 0.8881 − 0.0996 = 0.7884,
    // 0.0116 from 0.8 against 0.0366 → [5, 11].
    const monday = out.find((f) => f.product === 'A' && weekdayOf(f.day) === 1);
    assert.deepEqual([monday?.lower, monday?.upper], [5, 11]);
    assert.ok(Math.abs((monday?.probability ?? 0) - 0.7884) < 1e-4, `probability ${monday?.probability}`);
  });

  it('forecasts about 0, not NaN, for sales that all lie weeks before the end (a gap of weeks)', () => {
    // The t1 audit lake: a product sold on days 0 (Sunday) and 3 (Wednesday), another on day 1 and in a
    // second region on day 3, then 30 weeks without a sale. Weekdays without any sale and a steep
    // falling trend have no finite maximum; the fit overflowed exp() and every forecast was NaN.
    const days = 211;
    const on = (units: Record<number, number>) => (d: number) => units[d - START] ?? 0;
    const h = history([
      series('P1', 'EU', days, on({ 0: 3 })),
      series('P1', 'LATAM', days, on({ 3: 1 })),
      series('P2', 'EU', days, on({ 1: 1 })),
      series('P2', 'LATAM', days, on({ 3: 1 })),
    ]);
    const out = forecastDemand(h, { horizon: 14 });
    assert.equal(out.length, 4 * 14);
    for (const f of out) {
      assert.ok(Number.isFinite(f.mean) && f.mean >= 0 && f.mean < 0.01, `${f.product} ${f.day}: ${f.mean}`);
      assert.deepEqual([f.lower, f.upper], [0, 0]);
    }
  });

  it('leaves censored days (out of stock) out of the fit', () => {
    // Days 3–6 sold nothing because the product was out of stock: the forecast keeps the pattern.
    const s = series('A', 'EU', 28, (d) =>
      d - START >= 3 && d - START <= 6 ? 0 : (WEEK[weekdayOf(d)] as number),
    );
    const censored = s.units.map((_, i) => i >= 3 && i <= 6);
    const out = forecastDemand(history([{ ...s, censored }]), { horizon: 7 });
    for (const f of out) assert.ok(Math.abs(f.mean - (WEEK[weekdayOf(f.day)] as number)) < 1e-6);
    // The same zeros taken as demand distort it (an early dip reads as growth: about 143 a week, not 100).
    const week = forecastDemand(history([s]), { horizon: 7 }).reduce((sum, f) => sum + f.mean, 0);
    assert.ok(Math.abs(week - 100) > 10, `uncensored week ${week}`);
  });

  it("a censored day's partial sales do not raise the series' level", () => {
    // Regression: the level summed every day's units but only the fitted days' exposure, so the 2 units
    // sold on each censored day (a partial day in stock) lifted the forecast above the weekly pattern.
    const s = series('A', 'EU', 28, (d) =>
      d - START >= 10 && d - START <= 16 ? 2 : (WEEK[weekdayOf(d)] as number),
    );
    const censored = s.units.map((_, i) => i >= 10 && i <= 16);
    const out = forecastDemand(history([{ ...s, censored }]), { horizon: 7 });
    for (const f of out) assert.ok(Math.abs(f.mean - (WEEK[weekdayOf(f.day)] as number)) < 1e-6, `${f.mean}`);
  });

  it('recovers a planted promotion elasticity, sale-day lift and trend exactly', () => {
    const discount = (_p: string, day: number) => ((day - START) % 5 === 2 ? 0.2 : 0);
    const sale = START + 17;
    const unit = (day: number) =>
      (WEEK[weekdayOf(day)] as number) *
      (1 - discount('A', day)) ** -1.5 *
      (day === sale ? 3 : 1) *
      Math.exp((0.05 * (day - START)) / 7);
    const h = history([series('A', 'EU', 35, unit)], { discount, saleDays: new Set([sale]) });
    const m = fitDemandModel(h);
    const [, , , , , , trend, promo, saleLift] = m.coef;
    assert.ok(Math.abs((promo as number) - 1.5) < 1e-6, `elasticity ${promo}`);
    assert.ok(Math.abs((saleLift as number) - Math.log(3)) < 1e-6, `sale ${saleLift}`);
    assert.ok(Math.abs((trend as number) - 0.05) < 1e-6, `trend ${trend}`);
    assert.ok(Math.abs((m.coef[0] as number) - Math.log(8 / 20)) < 1e-6, 'Monday vs Sunday');
  });

  it('damps the trend over long horizons: a 60-day forecast follows φ + … + φ^h, not h (hand-computed)', () => {
    assert.equal(TREND_DAMPING, 0.98);
    // 70 days of 10·e^(0.01·i), no weekday pattern: the fit is exact (β_trend = 0.07 a week) and the last
    // day of history (i = 69) is 10·e^0.69. Day h after it gets 0.01 × S_h with S_h = Σ_{i=1..h} 0.98^i =
    // 49·(1 − 0.98^h): S_1 = 0.98, S_14 = 49·(1 − 0.753642) = 12.07154, S_60 = 49·(1 − 0.297553) = 34.41990;
    // undamped it would be h: at 60 days e^0.6 = 1.822× the last day instead of e^0.344199 = 1.410859×.
    const h = history([series('A', 'EU', 70, (d) => 10 * Math.exp(0.01 * (d - START)))]);
    const out = forecastDemand(h, { horizon: 60 });
    const last = 10 * Math.exp(0.69);
    const at = (k: number) => out.find((f) => f.day === h.end - 1 + k)?.mean ?? Number.NaN;
    for (const [k, s] of [
      [1, 0.98],
      [14, 12.07154],
      [60, 34.4199],
    ] as const)
      assert.ok(Math.abs(at(k) / last - Math.exp(0.01 * s)) < 1e-5, `day ${k}: ${at(k) / last}`);
    assert.ok(Math.abs(at(60) / last - 1.410859) < 1e-5);
    // However far ahead, never beyond 49 days of trend: e^0.49 = 1.632316.
    assert.ok(
      out.every((f) => f.mean / last < 1.632316),
      'bounded',
    );
    assert.ok(Math.abs(trendWeeks(h.end + 1000, h.end) - (-1 + 49 * (1 - 0.98 ** 1001)) / 7) < 1e-9);
    assert.equal(trendWeeks(h.end - 14, h.end), -2, 'history days are not damped');
  });

  it('a trend that stops does not run away over 60 days', () => {
    // 28 days rising as 10·e^(0.02·i), then 42 days flat at 10·e^0.54 = 17.16. statsmodels' GLM(Poisson)
    // on the same design (weekday dummies, trend in weeks to the end) gives β_trend = 0.0435636 and a
    // fitted 19.1605 on the last day (above the flat 17.16: one line through a kink); day 60 after it is a
    // Wednesday (β_wed = 0.0013292, intercept 2.9590749), so by hand the damped mean is
    // e^(2.9590749 + 0.0013292 + 0.0435636·(−1 + 34.4199)/7) = 23.7691, against
    // e^(2.9590749 + 0.0013292 + 0.0435636·59/7) = 27.8709 undamped (1.62× the flat level).
    const h = history([series('A', 'EU', 70, (d) => 10 * Math.exp(0.02 * Math.min(d - START, 27)))]);
    const out = forecastDemand(h, { horizon: 60 });
    const day60 = out.find((f) => f.day === h.end + 59)?.mean ?? Number.NaN;
    assert.equal(weekdayOf(h.end + 59), 3);
    assert.ok(Math.abs(day60 - 23.7691) < 1e-3, `day 60: ${day60}`);
    assert.ok(
      out.every((f) => f.mean < 24),
      'no day above 1.4× the flat level',
    );
  });

  it('a flat series gets no trend: 60 days ahead is the weekly pattern', () => {
    const h = history([series('A', 'EU', 70, (d) => WEEK[weekdayOf(d)] as number)]);
    assert.ok(Math.abs(fitDemandModel(h).coef[6] as number) < 1e-9);
    const out = forecastDemand(h, { horizon: 60 });
    assert.equal(out.length, 60);
    for (const f of out)
      assert.ok(Math.abs(f.mean - (WEEK[weekdayOf(f.day)] as number)) < 1e-6, `day ${f.day}: ${f.mean}`);
  });

  it('a sparse series borrows the shared weekly shape and is pulled towards its product', () => {
    // C sells 2 units on Saturdays only (day 6 of each week) in one region: its level is shrunk towards
    // the product's rate elsewhere, but its weekday shape comes from the dense series.
    const h = history([
      series('C', 'EU', 28, (d) => 10 * (WEEK[weekdayOf(d)] as number)),
      series('C', 'US', 28, (d) => (weekdayOf(d) === 6 ? 2 : 0)),
    ]);
    const out = forecastDemand(h, { horizon: 7 }).filter((f) => f.region === 'US');
    assert.ok(out.every((f) => f.mean > 0));
    const sat = out.find((f) => weekdayOf(f.day) === 6)?.mean ?? 0;
    const mon = out.find((f) => weekdayOf(f.day) === 1)?.mean ?? 0;
    // A model of US alone would say 0 on a Monday; the shared shape says less than on a Saturday.
    assert.ok(mon > 0 && sat > 2 * mon, `Saturday ${sat}, Monday ${mon}`);
  });

  it('says what is missing: too little history, a horizon beyond it', () => {
    const short = history([series('A', 'EU', 13, () => 5)]);
    assert.throws(
      () => forecastDemand(short, { horizon: 7 }),
      (e: unknown) =>
        isUserError(e) && /at least 14 days of order history, the orders cover 13/.test(e.message),
    );
    const month = history([series('A', 'EU', 20, () => 5)]);
    assert.throws(
      () => forecastDemand(month, { horizon: 21 }),
      (e: unknown) => isUserError(e) && /--horizon 20 or less/.test(e.message),
    );
  });
});

describe('count intervals', () => {
  const near = (
    got: { lower: number; upper: number; probability: number },
    want: [number, number, number],
  ) => {
    assert.deepEqual([got.lower, got.upper], [want[0], want[1]]);
    assert.ok(Math.abs(got.probability - want[2]) < 1e-6, `probability ${got.probability} vs ${want[2]}`);
  };

  it('Poisson and negative binomial intervals worked out by hand: the central one closest to the level', () => {
    // Poisson 8: P(Y ≤ k) for k = 4, 5, 11, 12 is 0.099632, 0.191236, 0.888077, 0.936204. The quantile
    // interval [5, 12] holds 0.836572; shrinking the central interval moves the upper end first (at
    // t = 1 − 0.888077 = 0.1119, before the lower end at t = 0.1912): [5, 11] holds 0.788445, closer to 0.8.
    // Exactly: e^−8 · Σ_{k=5..11} 8^k / k!.
    let term = (Math.exp(-8) * 8 ** 5) / 120;
    let held = 0;
    for (let k = 5; k <= 11; k++, term *= 8 / k) held += term;
    near(countInterval(8, 8, 0.8), [5, 11, held]);
    // Mean 4, variance 12: r = 2, P(k) = (k + 1)/9 · (2/3)^k; CDF 0.111, 0.259, 0.407, 0.539, 0.649,
    // 0.737, 0.805. Quantiles 0.25 → 1, 0.75 → 6: [1, 6] holds 0.694. Shrinking: the lower end moves first
    // (t = 0.2593 < 1 − 0.7366 = 0.2634): [2, 6] holds 0.546 ≥ 0.5; then the upper end: [2, 5] holds
    // P(2) + … + P(5) = (324 + 288 + 240 + 192)/2187 = 1044/2187 = 0.477366, 0.0226 below 0.5 against
    // 0.0456 above → [2, 5].
    near(countInterval(4, 12, 0.5), [2, 5, 1044 / 2187]);
    near(countInterval(0, 0, 0.8), [0, 0, 1]);
    // Above a mean of 5,000, the normal one: Poisson 10,000, sd 100, z(0.9) = 1.28155 → [⌈9871.3⌉, ⌈10127.7⌉]
    // = [9872, 10128], holding 2Φ((10128.5 − 10000)/100) − 1 = 2Φ(1.285) − 1 ≈ 2 · 0.90060 − 1 = 0.8012
    // (Φ(1.28) = 0.89973, Φ(1.29) = 0.90147 from the table, interpolated).
    const big = countInterval(10_000, 10_000, 0.8);
    assert.deepEqual([big.lower, big.upper], [9872, 10128]);
    assert.ok(Math.abs(big.probability - 0.8012) < 5e-4, `probability ${big.probability}`);
  });

  it('a low count: mean 1 gets [0, 1] (2/e = 73.6 %), not the 0.1–0.9 quantiles [0, 2] (92 %)', () => {
    // Poisson 1: P(0) = P(1) = 1/e, P(2) = 1/(2e). [0, 2] holds 5/(2e) = 0.9197, [0, 1] holds 2/e = 0.7358:
    // 0.064 below 0.8 against 0.120 above.
    near(countInterval(1, 1, 0.8), [0, 1, 2 / Math.E]);
    // Poisson 0.5: [0, 1] holds 1.5·e^−0.5 = 0.9098, [0, 0] holds e^−0.5 = 0.6065: 0.110 above against
    // 0.193 below, so the quantile interval stays.
    near(countInterval(0.5, 0.5, 0.8), [0, 1, 1.5 * Math.exp(-0.5)]);
  });

  it('low counts by simulation: coverage matches the stated probability, and is within 80 % ± 5 points', () => {
    // 20,000 Poisson draws (by inversion, a seeded LCG) with means spread over 0.2–3, a long tail's range.
    // The standard error of a coverage share is below √(0.25/20,000) = 0.0035; 0.015 is over 4 of them.
    // The 0.1–0.9 quantile interval fails this: at these means it holds 92.4 % on average (SciPy).
    const rand = lcg(11);
    let covered = 0;
    let held = 0;
    const n = 20_000;
    for (let i = 0; i < n; i++) {
      const mean = 0.2 + 2.8 * rand();
      const u = rand();
      let y = 0;
      let p = Math.exp(-mean);
      let cdf = p;
      while (cdf < u) {
        y++;
        p *= mean / y;
        cdf += p;
      }
      const c = countInterval(mean, mean, 0.8);
      if (y >= c.lower && y <= c.upper) covered++;
      held += c.probability;
    }
    assert.ok(Math.abs(covered / n - held / n) < 0.015, `coverage ${covered / n}, probability ${held / n}`);
    assert.ok(covered / n >= 0.75 && covered / n <= 0.85, `coverage ${covered / n}`);
  });

  it('a tie goes to the shorter interval', () => {
    // Poisson 1 at level (2/e + 5/(2e))/2 = 9/(4e): [0, 2] and [0, 1] are 1/(4e) above and below it.
    near(countInterval(1, 1, 9 / (4 * Math.E)), [0, 1, 2 / Math.E]);
  });
});

describe('backtest on a hand-built fixture', () => {
  it('the model knows a planned promotion that seasonal naive misses: WAPE by hand', () => {
    // 28 days of the weekly pattern, then 14 test days; on test day 30 (a Tuesday, base 10) product A
    // is 50 % off, and sells 10 · 0.5^-1 = 20. Training has promotions on days 2, 9, 16 so the model
    // learns the elasticity (1).
    const promo = new Set([START + 2, START + 9, START + 16, START + 30]);
    const discount = (_p: string, day: number) => (promo.has(day) ? 0.5 : 0);
    const unit = (day: number) => (WEEK[weekdayOf(day)] as number) * (promo.has(day) ? 2 : 1);
    const h = history([series('A', 'EU', 42, unit)], { discount });
    const { cutoffs, scores } = backtestDemand(h, {
      horizon: 14,
      origins: 1,
      step: 7,
      level: 0.8,
      strict: true,
    });
    assert.deepEqual(cutoffs, [START + 28]);
    const model = scores.find((s) => s.method === 'model');
    const naive = scores.find((s) => s.method === 'seasonal-naive');
    // Actuals: two weeks of the pattern (2 · 100) plus the promotion's extra 10 = 210. Naive repeats
    // the last training week (no promotion in it): off by 10 on day 30 only, so WAPE = 10 / 210.
    assert.equal(model?.actualUnits, 210);
    assert.ok(Math.abs((model?.wape ?? 1) - 0) < 1e-6, `model WAPE ${model?.wape}`);
    assert.ok(Math.abs((naive?.wape ?? 0) - 10 / 210) < 1e-12, `naive WAPE ${naive?.wape}`);
    // MASE scale: in-sample |y_t − y_{t−7}| over days 7..27 is 0 except day 23 (plain, 10) against day
    // 16 (promoted, 20): 10 / 21. Naive's test MAE is 10 / 14, so its MASE is 1.5.
    assert.ok(Math.abs((naive?.mase ?? 0) - 1.5) < 1e-12, `naive MASE ${naive?.mase}`);
    // Three cut-offs a week apart fit (28, 21, 14 with 14 days of training before each); four do not.
    assert.equal(
      backtestDemand(h, { horizon: 14, origins: 3, step: 7, level: 0.8, strict: true }).cutoffs.length,
      3,
    );
    assert.throws(
      () => backtestDemand(h, { horizon: 14, origins: 4, step: 7, level: 0.8, strict: true }),
      (e: unknown) => isUserError(e) && /need 49 days/.test(e.message),
    );
  });
});
