import { z } from 'zod';
import { UserError } from '../../../errors/index.js';
import { contributions, fitLogistic, type LogisticModel, predictLogistic } from '../../models/index.js';
import { BASE_FROM, BASE_TO } from './churn-features.js';
import { type CustomerHistory, fitClv, predictValue } from './clv.js';

const DAY = 86400;
/** L2 penalty of the churn model (scikit-learn's C = 1 / CHURN_L2) on standardised features. */
export const CHURN_L2 = 1;
/** Days of predicted value (the clv model's) that a churn puts at risk. */
export const VALUE_DAYS = 90;
/** Days of visits the usual-visits window needs before it is trusted over the last 60 days. */
export const MIN_BASE_DAYS = 30;
/** Least customers, and least of each outcome, the training cut-off must have. */
export const MIN_TRAIN = 30;

/** The model's features, in column order; docs/ANALYSES.md defines each. */
export const CHURN_FEATURES = [
  'recency_days',
  'recency_vs_gap',
  'orders_per_30d',
  'order_trend',
  'avg_order_value_log',
  'tenure_days_log',
  'sessions_30d',
  'session_trend',
  'sessions_14d_vs_usual',
  'sessions_30d_vs_usual',
  'cart_abandon_rate',
  'abandoned_carts_30d',
  'days_since_visit',
  'tier_platinum',
  'tier_gold',
  'tier_silver',
] as const;

/**
 * What counts as churn in the horizon: 'order' = no completed order (the default, the definition),
 * 'activity' = neither an order nor a visit (a customer who stops ordering but keeps visiting has not left).
 */
export type ChurnTarget = 'activity' | 'order';
export const CHURN_TARGETS = ['order', 'activity'] as const;

/** The parameters churn-risk and churn-backtest share (asOf's wording is each one's own). */
export const churnParams = {
  horizon: z.coerce.number().int().min(1).max(365).default(30).describe('days ahead (default 30)'),
  activeDays: z.coerce
    .number()
    .int()
    .min(1)
    .max(3650)
    .default(180)
    .describe('active = an order in this many days before (default 180)'),
  target: z
    .enum(CHURN_TARGETS)
    .default('order')
    .describe(
      'churn = no completed order (order, default) or no order and no visit (activity) in the horizon',
    ),
};

/** One customer at one cut-off: features, the outcome when known, and what reasons are worded from. */
export interface ChurnCase {
  role: string;
  customerId: string;
  tier: string;
  x: number[];
  /** 1: churned in the horizon after the cut-off (see ChurnTarget). */
  y: number;
  /** 1: neither an order nor a visit in the horizon (what the leave model learns). */
  yGone: number;
  /** 1: no completed order in the horizon. */
  yNoOrder: number;
  facts: {
    recency: number;
    gap: number;
    orders90: number;
    before90: number;
    sessions30: number;
    sessionsBefore: number;
    usualSessions: number;
    abandoned: number;
    carts: number;
    sinceVisit: number;
    aov: number;
    tenure: number;
  };
  history: CustomerHistory;
}

const num = (v: unknown) => (v === null || v === undefined ? Number.NaN : Number(v));

/** Turns churnFeaturesSql rows into cases. */
export function toCases(rows: readonly Record<string, unknown>[], target: ChurnTarget): ChurnCase[] {
  return rows.map((r) => {
    const c = num(r.c);
    const signup = num(r.signup);
    const start = Math.max(num(r.s0), Number.isFinite(signup) ? signup : num(r.s0));
    const exposure = Math.max(30, (c - start) / DAY);
    const orders = num(r.orders_before);
    const value = num(r.value_before);
    const recency = (c - num(r.last_order)) / DAY;
    const gap = exposure / orders;
    const orders90 = num(r.orders_90);
    // Orders expected in 90 days at the rate before those 90 days (the whole exposure when it is shorter).
    const earlier = Math.max(0, orders - orders90);
    const earlierDays = Math.max(1, exposure - 90);
    const expected90 = exposure > 90 ? (earlier / earlierDays) * 90 : orders;
    const sessions30 = num(r.sessions_30);
    const sessionsBefore = num(r.sessions_prev_60) / 2;
    const sessions14 = num(r.sessions_14);
    // The usual visits per 30 days, from a window before most fades begin (else the 60 days before).
    const firstVisit = num(r.first_visit);
    const baseStart = Number.isFinite(firstVisit) ? Math.max(firstVisit, c - BASE_FROM * DAY) : c;
    const baseDays = (c - BASE_TO * DAY - baseStart) / DAY;
    const usualSessions = baseDays >= MIN_BASE_DAYS ? (num(r.sessions_base) / baseDays) * 30 : sessionsBefore;
    const carts = num(r.carts_30);
    const abandoned = num(r.abandoned_30);
    const firstEvent = num(r.first_event);
    const lastVisit = num(r.last_visit);
    const seenFor = Number.isFinite(firstEvent) ? Math.max(0, (c - firstEvent) / DAY) : 0;
    const sinceVisit = Number.isFinite(lastVisit) ? (c - lastVisit) / DAY : seenFor;
    const tier = String(r.tier);
    const tenure = Number.isFinite(signup) ? Math.max(0, (c - signup) / DAY) : exposure;
    // Net of refunds the value can be 0 or below (refunds of orders placed before the lake's window):
    // log1p of −1 or less was −Infinity or NaN, which made every probability NaN and the backtest's
    // metrics depend on the order rows arrived in (Spark and DuckDB disagreed). Floored at 0.
    const aov = orders > 0 ? Math.max(0, value / orders) : 0;
    return {
      role: String(r.role),
      customerId: String(r.customer_id),
      tier,
      x: [
        recency,
        Math.log1p(recency / gap),
        (orders / exposure) * 30,
        Math.log((orders90 + 0.5) / (expected90 + 0.5)),
        Math.log1p(aov),
        Math.log1p(tenure),
        sessions30,
        Math.log((sessions30 + 0.5) / (sessionsBefore + 0.5)),
        Math.log(((sessions14 * 30) / 14 + 0.5) / (usualSessions + 0.5)),
        Math.log((sessions30 + 0.5) / (usualSessions + 0.5)),
        carts > 0 ? abandoned / carts : 0,
        abandoned,
        sinceVisit,
        tier === 'PLATINUM' ? 1 : 0,
        tier === 'GOLD' ? 1 : 0,
        tier === 'SILVER' ? 1 : 0,
      ],
      y: num(r.orders_next) > 0 || (target === 'activity' && num(r.sessions_next) > 0) ? 0 : 1,
      yGone: num(r.orders_next) > 0 || num(r.sessions_next) > 0 ? 0 : 1,
      yNoOrder: num(r.orders_next) > 0 ? 0 : 1,
      facts: {
        recency,
        gap,
        orders90,
        before90: expected90,
        sessions30,
        sessionsBefore,
        usualSessions,
        abandoned,
        carts,
        sinceVisit,
        aov,
        tenure,
      },
      history: {
        customerId: String(r.customer_id),
        tier,
        lifetimeValue: num(r.lifetime_value),
        t: exposure,
        x: orders,
        value,
        future: 0,
      },
    };
  });
}

/**
 * The fitted churn models, trained on the 'train' cases. `leave` = P(neither an order nor a visit in the
 * horizon): who is leaving. `quiet` = P(no order | some order or visit in the horizon), only for the
 * 'order' target: then P(no order) = P(leave) + (1 − P(leave)) × P(quiet), an identity, so each part is an
 * ordinary logistic regression on an outcome that means one thing. Trained on "no order" directly, one
 * model mostly learns who orders rarely (docs/BENCHMARKS.md). `recencyOnly` predicts the target from
 * recency alone (the baseline).
 */
export interface ChurnModels {
  target: ChurnTarget;
  leave: LogisticModel;
  quiet?: LogisticModel;
  recencyOnly: LogisticModel;
}

/** Fits the models on the train cut-off, or says (user error) that the data is too short for them. */
export function fitChurn(cases: readonly ChurnCase[], horizon: number, target: ChurnTarget): ChurnModels {
  const train = cases.filter((k) => k.role === 'train');
  const positives = train.filter((k) => k.y === 1).length;
  const gone = train.filter((k) => k.yGone === 1).length;
  if (train.length < MIN_TRAIN || positives < 5 || train.length - positives < 5 || gone < 5)
    throw new UserError(
      `too little history for churn: the training cut-off ${horizon} day(s) before the end has ${train.length} active customer(s), ${positives} without a later order, ${gone} without a later order or visit; needs at least ${MIN_TRAIN} with both outcomes and 5 of each (generate --history-days, or a shorter --horizon)`,
      { code: 'too_little_history' },
    );
  const fit = (rows: readonly ChurnCase[], y: (k: ChurnCase) => number) =>
    fitLogistic(
      [...CHURN_FEATURES],
      rows.map((k) => k.x),
      rows.map(y),
      CHURN_L2,
    );
  return {
    target,
    leave: fit(train, (k) => k.yGone),
    quiet:
      target === 'order'
        ? fitQuiet(
            train.filter((k) => k.yGone === 0),
            fit,
          )
        : undefined,
    recencyOnly: fitLogistic(
      ['recency_days'],
      train.map((k) => [k.x[0] as number]),
      train.map((k) => k.y),
      CHURN_L2,
    ),
  };
}

/**
 * The quiet part, fitted on those who stayed; when they hold fewer than 5 of either outcome (e.g. no
 * clickstream in the horizon, so everyone who stayed ordered) the fit has no finite optimum, and the part
 * is the smoothed share (quiet + 0.5) / (stayed + 1) for everyone instead.
 */
function fitQuiet(
  stayed: readonly ChurnCase[],
  fit: (rows: readonly ChurnCase[], y: (k: ChurnCase) => number) => LogisticModel,
): LogisticModel {
  const quiet = stayed.filter((k) => k.yNoOrder === 1).length;
  if (quiet >= 5 && stayed.length - quiet >= 5) return fit(stayed, (k) => k.yNoOrder);
  const share = (quiet + 0.5) / (stayed.length + 1);
  const d = CHURN_FEATURES.length;
  return {
    features: [...CHURN_FEATURES],
    mean: new Array<number>(d).fill(0),
    sd: new Array<number>(d).fill(1),
    intercept: Math.log(share / (1 - share)),
    coef: new Array<number>(d).fill(0),
    iterations: 0,
  };
}

/**
 * Probability of churn (the target: no order, or no order and no visit) in the horizon by the model, the
 * model's probability of leaving (no order and no visit), and the target by recency alone.
 */
export function predictChurn(m: ChurnModels, k: ChurnCase): { p: number; pLeave: number; pRecency: number } {
  const pLeave = predictLogistic(m.leave, k.x);
  const p = m.quiet ? pLeave + (1 - pLeave) * predictLogistic(m.quiet, k.x) : pLeave;
  return { p, pLeave, pRecency: predictLogistic(m.recencyOnly, [k.x[0] as number]) };
}

const d = (x: number) => Math.round(x);
const one = (x: number) => (Math.round(x * 10) / 10).toString();

/**
 * A feature's contribution in plain words, from the customer's own figures; `above` = the customer's value
 * is above the training mean (the same feature can push risk up from either side, e.g. a frequent buyer
 * gone quiet).
 */
function say(feature: string, f: ChurnCase['facts'], tier: string, above: boolean): string {
  switch (feature) {
    case 'recency_days':
    case 'recency_vs_gap':
      return `no order in ${d(f.recency)} days, usually every ${d(f.gap)}`;
    case 'orders_per_30d':
      return above
        ? `used to order often: about one every ${d(f.gap)} days`
        : `orders rarely: about one every ${d(f.gap)} days`;
    case 'order_trend':
      return `orders down: ${f.orders90} in the last 90 days, ${one(f.before90)} expected from before`;
    case 'avg_order_value_log':
      return `${above ? 'large' : 'small'} orders: $${f.aov.toFixed(2)} on average`;
    case 'tenure_days_log':
      return above ? `customer for ${d(f.tenure)} days` : `new customer: ${d(f.tenure)} days`;
    case 'sessions_14d_vs_usual':
    case 'sessions_30d_vs_usual':
      return `${f.sessions30} visit(s) in the last 30 days, usually ${one(f.usualSessions)}`;
    case 'sessions_30d':
    case 'session_trend':
      if (f.sessions30 === 0 && f.sessionsBefore === 0) return 'no visits in the last 90 days';
      return `${f.sessions30} visit(s) in the last 30 days, was ${one(f.sessionsBefore)} per 30 days`;
    case 'cart_abandon_rate':
    case 'abandoned_carts_30d':
      return `${f.abandoned} of ${f.carts} cart(s) abandoned in the last 30 days`;
    case 'days_since_visit':
      return `no visit in ${d(f.sinceVisit)} days`;
    default:
      return `tier ${tier}`;
  }
}

/**
 * The three reasons for this customer's churn probability, from the part of the model that gives most of
 * it: leaving (fading visits, a long silence) or, for the 'order' target, staying but not ordering.
 */
export function churnReasons(m: ChurnModels, k: ChurnCase): string[] {
  const leave = predictLogistic(m.leave, k.x);
  const quiet = m.quiet ? (1 - leave) * predictLogistic(m.quiet, k.x) : 0;
  return reasons(m.quiet && quiet > leave ? m.quiet : m.leave, k);
}

/** The three features that push this customer's churn probability up most, in plain words (distinct). */
export function reasons(m: LogisticModel, k: ChurnCase): string[] {
  const parts = contributions(m, k.x)
    .map((c, j) => ({
      c,
      feature: m.features[j] as string,
      above: (k.x[j] as number) > (m.mean[j] as number),
    }))
    .filter((x) => x.c > 0)
    .sort((a, b) => b.c - a.c);
  const out: string[] = [];
  for (const x of parts) {
    const text = say(x.feature, k.facts, k.tier, x.above);
    if (!out.includes(text)) out.push(text);
    if (out.length === 3) break;
  }
  return out;
}

/** Predicted value over VALUE_DAYS per customer by the clv model, fitted on these cases' histories. */
export function predictedValues(cases: readonly ChurnCase[]): Map<string, number> {
  const model = fitClv(cases.map((k) => k.history));
  return new Map(cases.map((k) => [k.customerId, predictValue(model, k.history, VALUE_DAYS)]));
}
