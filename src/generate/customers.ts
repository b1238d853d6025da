import { formatDate } from './calendar.js';
import { CITIES, FIRST_NAMES, LAST_NAMES, REGION_WEIGHTS, REGIONS } from './catalog.js';
import { AliasTable, cumulative, Rng } from './rng.js';
import { type CsvWriter, money } from './writer.js';

const DAY = 86400;
const YEAR = 365.25 * DAY;
/** Signup cohorts start here (or a year before the window, whichever is earlier). */
const COHORT_START = Date.UTC(2019, 0, 1) / 1000;
/** Yearly growth of the signup rate: each year's cohort is 40 % larger than the previous one. */
export const SIGNUP_GROWTH = 0.4;
/** Log-normal sigma of the per-customer purchase propensity (heavy tail). */
export const ACTIVITY_SIGMA = 1.3;
/** Share of customers who churn, and how far before the window their churn date may lie. */
export const CHURN_SHARE = 0.25;
export const CHURN_LOOKBACK_DAYS = 180;
/** With --history-days, churn dates start this many days into the window (so a history precedes them). */
export const CHURN_LEAD_DAYS = 90;
/** Median days (log-normal spread FADE_SIGMA) over which a churner's activity fades before churning. */
export const FADE_MEDIAN_DAYS = 90;
export const FADE_SIGMA = 0.5;
/** Share of churners who stop abruptly, without fading first. */
export const ABRUPT_CHURN_SHARE = 0.1;
/** Floor of engagement while fading. */
export const MIN_ENGAGEMENT = 0.05;
/** Share of customers who never churn but have a lull of LULL_DAYS at LULL_ENGAGEMENT. */
export const LULL_SHARE = 0.1;
export const LULL_DAYS = 30;
export const LULL_ENGAGEMENT = 0.35;
/** Chance (× (1 − engagement)) that a fading customer's browsing session ends with an abandoned cart. */
export const ABANDON_BOOST = 0.5;
/** Pre-window spend per year of tenure for a customer of average propensity, in cents. */
export const HISTORY_CENTS_PER_YEAR = 90000;

export { CUSTOMER_HEADER } from '../seed/index.js';

/** Zero-padded id: width is max(5, digits of the count). */
export function idFormatter(prefix: string, count: number): (n: number) => string {
  const width = Math.max(5, String(count).length);
  return (n) => prefix + String(n).padStart(width, '0');
}

export function tierOf(ltvCents: number): string {
  if (ltvCents > 500000) return 'PLATINUM';
  if (ltvCents > 200000) return 'GOLD';
  if (ltvCents > 50000) return 'SILVER';
  return 'BRONZE';
}

/** The customer base, held as typed arrays so millions of customers stay cheap. */
export class Customers {
  readonly count: number;
  readonly ids: string[];
  /** Signup and churn instants in epoch seconds (churn = Infinity for active customers). */
  readonly signup: Float64Array;
  readonly churn: Float64Array;
  readonly region: Uint8Array;
  readonly historyCents: Float64Array;
  /** Sum of COMPLETED order totals inside the window, filled while orders are generated. */
  readonly completedCents: Float64Array;
  private readonly city: Uint8Array;
  private readonly first: Uint8Array;
  private readonly last: Uint8Array;
  private readonly alias: AliasTable;
  /** Days over which a churner's activity fades to nothing before the churn date (see engagement). */
  private readonly fadeDays: Float32Array;
  /** Start of a temporary lull (epoch seconds, -Infinity: none) of a customer who does not churn. */
  private readonly lullStart: Float64Array;
  /** Only with a history (historyDays > 0) do customers fade and lull: the seed-sized data stays as it was. */
  private readonly fades: boolean;

  /**
   * `historyDays` > 0 (generate --history-days) draws churn dates inside the window's last
   * historyDays − 60 days, so the disengagement before each churn is visible in the data.
   */
  constructor(count: number, windowStart: number, windowEnd: number, seed: number, historyDays = 0) {
    const rng = new Rng(seed, 2);
    this.count = count;
    const fmt = idFormatter('CUST', count);
    this.ids = Array.from({ length: count }, (_, i) => fmt(i + 1));
    // Ids follow signup order, so draw all signup days first and sort them.
    const s0 = Math.floor(Math.min(COHORT_START, windowStart - 365 * DAY) / DAY) * DAY;
    const s1 = Math.floor((windowEnd - DAY) / DAY) * DAY;
    const g = Math.log(1 + SIGNUP_GROWTH);
    const span = (s1 - s0) / YEAR;
    this.signup = new Float64Array(count);
    for (let i = 0; i < count; i++) {
      const u = rng.float();
      const t = s0 + (Math.log(1 + u * (Math.exp(g * span) - 1)) / g) * YEAR;
      this.signup[i] = Math.floor(t / DAY) * DAY;
    }
    this.signup.sort();
    // The first customer always exists before the window: the fallback buyer when no one else is eligible.
    if (count > 0)
      this.signup[0] = Math.min(this.signup[0] as number, Math.floor(windowStart / DAY - 1) * DAY);

    this.churn = new Float64Array(count).fill(Number.POSITIVE_INFINITY);
    this.region = new Uint8Array(count);
    this.city = new Uint8Array(count);
    this.first = new Uint8Array(count);
    this.last = new Uint8Array(count);
    this.historyCents = new Float64Array(count);
    this.completedCents = new Float64Array(count);
    const weight = new Float64Array(count);
    const regionCum = cumulative(REGION_WEIGHTS);
    for (let i = 0; i < count; i++) {
      const signup = this.signup[i] as number;
      if (i > 0 && rng.chance(CHURN_SHARE)) {
        const from =
          historyDays > 0 ? windowStart + CHURN_LEAD_DAYS * DAY : windowStart - CHURN_LOOKBACK_DAYS * DAY;
        let c = from + rng.float() * (windowEnd - from);
        // Nobody churns within their first month.
        if (c < signup + 30 * DAY) c = signup + 30 * DAY + rng.float() * 335 * DAY;
        this.churn[i] = Math.floor(c);
      }
      this.region[i] = rng.pickCumulative(regionCum);
      this.city[i] = rng.int(5);
      this.first[i] = rng.int(FIRST_NAMES.length);
      this.last[i] = rng.int(LAST_NAMES.length);
      // Mean-one log-normal propensity: a few customers place most orders.
      const w = rng.lognormal(-(ACTIVITY_SIGMA * ACTIVITY_SIGMA) / 2, ACTIVITY_SIGMA);
      weight[i] = w;
      const activeYears = Math.max(0, Math.min(this.churn[i] as number, windowStart) - signup) / YEAR;
      this.historyCents[i] = Math.round(activeYears * HISTORY_CENTS_PER_YEAR * w * rng.lognormal(0, 0.4));
    }
    this.alias = new AliasTable(weight);
    // Its own stream, so the draws above (and so the seed's data) do not shift.
    this.fades = historyDays > 0;
    const fade = new Rng(seed, 12);
    this.fadeDays = new Float32Array(count);
    this.lullStart = new Float64Array(count).fill(Number.NEGATIVE_INFINITY);
    for (let i = 0; i < count; i++) {
      const abrupt = fade.chance(ABRUPT_CHURN_SHARE);
      const days = FADE_MEDIAN_DAYS * fade.lognormal(0, FADE_SIGMA);
      this.fadeDays[i] = abrupt ? 1 : days;
      if (!Number.isFinite(this.churn[i] as number) && fade.chance(LULL_SHARE))
        this.lullStart[i] = windowStart + fade.float() * (windowEnd - windowStart);
    }
  }

  /**
   * How engaged customer i is at sec, from 1 (as usual) to near 0: a churner fades linearly over
   * fadeDays before the churn date (fewer orders and sessions, more abandoned carts, fewer add-ons),
   * an abrupt churner (ABRUPT_CHURN_SHARE) does not; some who never churn have a lull of LULL_DAYS
   * at LULL_ENGAGEMENT. Noise on both sides, as in life, so no single signal gives churn away.
   */
  engagement(i: number, sec: number): number {
    if (!this.fades) return 1;
    const left = ((this.churn[i] as number) - sec) / DAY;
    const fade = this.fadeDays[i] as number;
    if (left < fade) return Math.max(MIN_ENGAGEMENT, left / fade);
    const lull = (sec - (this.lullStart[i] as number)) / DAY;
    return lull >= 0 && lull < LULL_DAYS ? LULL_ENGAGEMENT : 1;
  }

  /** A browsing session's furthest stage, moved from browsing to an abandoned cart more often as engagement fades. */
  abandonStage(rng: Rng, i: number, sec: number, stage: number): number {
    const e = this.engagement(i, sec);
    if (e >= 1 || stage !== 0) return stage;
    return rng.chance(ABANDON_BOOST * (1 - e)) ? 1 : stage;
  }

  /** Whether customer i has signed up and not churned at time sec. */
  active(i: number, sec: number): boolean {
    return (this.signup[i] as number) <= sec && (this.churn[i] as number) > sec;
  }

  /** A customer drawn by propensity among those active at sec (rejection sampling, bounded). */
  pick(rng: Rng, sec: number): number {
    for (let tries = 0; tries < 64; tries++) {
      const i = this.alias.draw(rng);
      if (!this.active(i, sec)) continue;
      // A fading customer is passed over in proportion: only draws a second number when fading.
      const e = this.engagement(i, sec);
      if (e >= 1 || rng.chance(e)) return i;
    }
    return 0;
  }

  /** Writes labels/churn.csv: customers who stop ordering, with the instant they stop (UTC). */
  async writeChurn(out: CsvWriter): Promise<number> {
    let churned = 0;
    for (let i = 0; i < this.count; i++) {
      const churn = this.churn[i] as number;
      if (!Number.isFinite(churn)) continue;
      out.line(`${this.ids[i]},${new Date(churn * 1000).toISOString().slice(0, 19).replace('T', ' ')}`);
      churned++;
      if ((churned & 4095) === 0) await out.ready();
    }
    return churned;
  }

  /** Writes customers.csv; call after all orders so lifetime_value includes them. */
  async write(out: CsvWriter): Promise<void> {
    for (let i = 0; i < this.count; i++) {
      const first = FIRST_NAMES[this.first[i] as number] ?? 'Alex';
      const last = LAST_NAMES[this.last[i] as number] ?? 'Doe';
      const r = this.region[i] as number;
      const ltv = (this.historyCents[i] as number) + (this.completedCents[i] as number);
      out.line(
        `${this.ids[i]},${first},${last},${first.toLowerCase()}.${last.toLowerCase()}${i + 1}@example.com,` +
          `${CITIES[r]?.[this.city[i] as number]},${REGIONS[r]},${formatDate(this.signup[i] as number)},` +
          `${money(ltv)},${tierOf(ltv)}`,
      );
      if ((i & 4095) === 0) await out.ready();
    }
  }
}
