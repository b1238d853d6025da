/** Daily demand of one series (a product in a region) from its first day with a sale to the history's end. */
export interface DemandSeries {
  product: string;
  region: string;
  /** Epoch day number (days since 1970-01-01, UTC) of units[0]. */
  start: number;
  /** Units sold each day, start … end − 1 (0 on a day without a sale). */
  units: number[];
  /**
   * Days whose sales do not show the demand (e.g. out of stock: demand censored), aligned with units;
   * left out of the fit and of backtest scores. Absent: every day counts.
   */
  censored?: readonly boolean[];
}

/** What the model knows about a day besides its demand: the price cut and whether it is a store-wide sale. */
export interface DemandCalendar {
  /** Discount of a product on a day as a fraction of its list price (0 = full price). */
  discount: (product: string, day: number) => number;
  /** Store-wide sale days (Black Friday and the like), as epoch day numbers. */
  saleDays: ReadonlySet<number>;
}

/** A demand history: the series and, for the days it covers, their calendar. */
export interface DemandHistory extends DemandCalendar {
  /** Epoch day after the last day of history: the first day forecast. */
  end: number;
  series: DemandSeries[];
}

/** One forecast day of one series: mean units, the variance the model expects, and the interval. */
export interface DemandForecast {
  product: string;
  region: string;
  day: number;
  mean: number;
  variance: number;
  lower: number;
  upper: number;
  /** Probability of [lower, upper] under the model: the closest whole units get to the level asked for. */
  probability: number;
  /** The discount and sale-day flag the forecast assumed (from the plan). */
  discount: number;
  saleDay: boolean;
}

/** Epoch day number of a UTC date written YYYY-MM-DD. */
export function dayOf(date: string): number {
  return Math.floor(Date.parse(`${date}T00:00:00Z`) / 86_400_000);
}

/** The UTC date YYYY-MM-DD of an epoch day number. */
export function dateOf(day: number): string {
  return new Date(day * 86_400_000).toISOString().slice(0, 10);
}

/** Weekday of an epoch day number, 0 = Sunday (1970-01-01 was a Thursday). */
export function weekdayOf(day: number): number {
  return (((day + 4) % 7) + 7) % 7;
}
