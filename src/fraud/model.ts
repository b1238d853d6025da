import { z } from 'zod';
import { emptyContext, FEATURES, type FeatureContext, type FraudState } from './features.js';
import type { IsolationForest } from './isolation-forest.js';
import { sigmoid } from './logistic.js';
import type { OrderFacts } from './order-facts.js';
import { reasonFor } from './reasons.js';

/** Default alert threshold on the calibrated score (docs/FRAUD.md "Thresholds"). */
export const DEFAULT_THRESHOLD = 0.5;
/** A feature must add at least this much to the log-odds to be named as a reason. */
const REASON_MIN_LOGIT = 0.4;
const MAX_REASONS = 3;
/** Below this score no reasons are worded (they cost more than the score itself, and nobody reads them). */
export const REASONS_FROM = 0.1;
/** The reasons of every score below REASONS_FROM: one empty list, not a new one per order. */
const NO_REASONS: string[] = [];
/**
 * Orders whose forest walks `scoreAndLearnBatch` gathers before walking them together: 64 rows of features
 * (10 KB) stay in L1 beside the tree being walked; the walk measured as fast from 64 rows as from 500.
 */
const BATCH_ROWS = 64;
/** Below this log-odds a score is below REASONS_FROM whatever its rounding (logit(0.1) less a margin). */
const NO_REASONS_LOGIT = Math.log(REASONS_FROM / (1 - REASONS_FROM)) - 1e-6;

/** The supervised part of the model: one weight per feature plus one for the anomaly score, and a bias. */
export const modelWeightsSchema = z.object({
  version: z.string().regex(/^[A-Za-z0-9_.:-]+$/),
  features: z.array(z.string()),
  weights: z.array(z.number()),
  anomalyWeight: z.number(),
  bias: z.number(),
  threshold: z.number().min(0).max(1),
});
export type ModelWeights = z.infer<typeof modelWeightsSchema>;

/** One order's score: a calibrated probability of fraud in [0, 1], the anomaly score, and why. */
export interface FraudScore {
  orderId: string;
  customerId: string | null;
  t: number;
  score: number;
  anomaly: number;
  alert: boolean;
  reasons: string[];
}

/**
 * The fraud model: behaviour state (features.ts), an isolation forest grown on the lake's own orders
 * (unsupervised), and logistic weights that turn both into one calibrated probability.
 */
export class FraudModel {
  private readonly scratch = new Float64Array(FEATURES.length);
  private readonly context = emptyContext();
  /** scoreAndLearnBatch's feature rows, packed, and a view of each (made once: no view per order). */
  private readonly rows = new Float64Array(BATCH_ROWS * FEATURES.length);
  private readonly rowViews = Array.from({ length: BATCH_ROWS }, (_, r) =>
    this.rows.subarray(r * FEATURES.length, (r + 1) * FEATURES.length),
  );
  private readonly anomalies = new Float64Array(BATCH_ROWS);

  constructor(
    readonly state: FraudState,
    public forest: IsolationForest | null,
    readonly weights: ModelWeights,
  ) {
    if (weights.features.join() !== FEATURES.join())
      throw new Error(`model weights were fitted on other features (${weights.version}): refit them`);
  }

  /** Scores an order against the state before it, then adds it to the state. */
  scoreAndLearn(o: OrderFacts, threshold = this.weights.threshold): FraudScore {
    const s = this.score(o, threshold);
    this.state.update(o);
    return s;
  }

  /**
   * scoreAndLearn into `out`, a score object the caller reuses order after order (the live scorer writes each
   * score's line before the next order): a new FraudScore per order, and the arrays gathering them, were the
   * largest share of what the scoring worker allocated per order once its order reading was allocation-free.
   */
  scoreAndLearnInto(o: OrderFacts, threshold: number, out: FraudScore): void {
    this.state.featuresInto(o, this.scratch, this.context);
    this.fill(o, this.scratch, this.context, threshold, out);
    this.state.update(o);
  }

  /**
   * scoreAndLearnInto for `n` orders in turn, `each(o)` called with each one's score in `out` in the same
   * order, every score, reason and state the same as order by order, but the forest walked for up to
   * BATCH_ROWS orders together (IsolationForest.scoreRows: a tree stays in cache for all of them). Features
   * are still computed and the state updated order by order. An order's reasons read the state before it
   * (its customer's recent orders), so only an order whose score cannot reach REASONS_FROM whatever its
   * anomaly score (≤ 1) waits for the batch's walk; one that might closes the batch and is scored, with its
   * reasons, before the state learns from it.
   */
  scoreAndLearnBatch(
    orders: readonly OrderFacts[],
    n: number,
    threshold: number,
    out: FraudScore,
    each: (o: OrderFacts) => void,
  ): void {
    const forest = this.forest;
    if (forest === null) {
      for (let k = 0; k < n; k++) {
        const o = orders[k] as OrderFacts;
        this.scoreAndLearnInto(o, threshold, out);
        each(o);
      }
      return;
    }
    const { rowViews, anomalies } = this;
    let from = 0;
    for (let k = 0; k < n; k++) {
      const o = orders[k] as OrderFacts;
      const slot = k - from;
      const x = rowViews[slot] as Float64Array;
      this.state.featuresInto(o, x, this.context);
      const words = this.mayWord(x);
      if (!words) this.state.update(o);
      if (!words && slot + 1 < BATCH_ROWS && k + 1 < n) continue;
      // The batch's walk, then its scores in order; an order that may be worded is the batch's last, and
      // this.context is still its own.
      forest.scoreRows(this.rows, FEATURES.length, slot + 1, anomalies);
      for (let r = 0; r <= slot; r++) {
        const b = orders[from + r] as OrderFacts;
        this.fillWith(b, rowViews[r] as Float64Array, this.context, threshold, out, anomalies[r] as number);
        each(b);
      }
      if (words) this.state.update(o);
      from = k + 1;
    }
  }

  /** A score object to pass to scoreAndLearnInto (its fields are all written there). */
  static emptyScore(): FraudScore {
    return { orderId: '', customerId: null, t: 0, score: 0, anomaly: 0, alert: false, reasons: NO_REASONS };
  }

  /** Scores an order against the current state without learning from it. */
  score(o: OrderFacts, threshold = this.weights.threshold): FraudScore {
    // Neither the vector nor the context outlives the score: one of each is reused.
    this.state.featuresInto(o, this.scratch, this.context);
    return this.scoreVector(o, this.scratch, this.context, threshold);
  }

  /** Scores an order from features computed earlier (a rebuild computes them before the forest exists). */
  scoreVector(
    o: OrderFacts,
    x: Float64Array,
    context: FeatureContext,
    threshold = this.weights.threshold,
  ): FraudScore {
    const out = FraudModel.emptyScore();
    this.fill(o, x, context, threshold, out);
    // A score handed out keeps a list of its own (a caller may add to it).
    if (out.reasons === NO_REASONS) out.reasons = [];
    return out;
  }

  private fill(
    o: OrderFacts,
    x: Float64Array,
    context: FeatureContext,
    threshold: number,
    out: FraudScore,
  ): void {
    this.fillWith(o, x, context, threshold, out, this.forest ? this.forest.score(x) : 0.5);
  }

  /**
   * Whether the score of features `x` might reach REASONS_FROM: its log-odds summed as fillWith sums them,
   * with the anomaly score at its most (1). Rounding is monotone, so that sum bounds the real one from
   * above; a NaN counts as might.
   */
  private mayWord(x: Float64Array): boolean {
    const w = this.weights;
    let z = w.bias + Math.max(w.anomalyWeight, 0);
    for (let i = 0; i < x.length; i++) z += (w.weights[i] ?? 0) * (x[i] as number);
    return !(z < NO_REASONS_LOGIT);
  }

  private fillWith(
    o: OrderFacts,
    x: Float64Array,
    context: FeatureContext,
    threshold: number,
    out: FraudScore,
    anomaly: number,
  ): void {
    const w = this.weights;
    let z = w.bias + w.anomalyWeight * anomaly;
    for (let i = 0; i < x.length; i++) z += (w.weights[i] ?? 0) * (x[i] as number);
    const score = sigmoid(z);
    out.orderId = o.orderId;
    out.customerId = o.customerId;
    out.t = o.t;
    out.score = score;
    out.anomaly = anomaly;
    out.alert = score >= threshold;
    out.reasons =
      score >= REASONS_FROM
        ? reasons(w.weights, x, o, context, w.anomalyWeight * (anomaly - 0.5))
        : NO_REASONS;
  }
}

// Each feature's contribution to the log-odds, computed again only for the few orders worth wording.
function reasons(
  weights: readonly number[],
  x: Float64Array,
  o: OrderFacts,
  context: FeatureContext,
  anomalyLogit: number,
): string[] {
  const out: [number, string][] = [];
  const seen = new Set<string>();
  for (let i = 0; i < x.length; i++) {
    const c = (weights[i] ?? 0) * (x[i] as number);
    if (c < REASON_MIN_LOGIT) continue;
    const text = reasonFor(FEATURES[i] ?? 'no_history', x[i] as number, o, context);
    if (text && !seen.has(text)) {
      seen.add(text);
      out.push([c, text]);
    }
  }
  if (anomalyLogit >= REASON_MIN_LOGIT)
    out.push([anomalyLogit, 'unusual combination of features for this shop']);
  return out
    .sort((a, b) => b[0] - a[0])
    .slice(0, MAX_REASONS)
    .map(([, t]) => t);
}
