import type { Engine } from '../engines/index.js';
import { FEATURES, type FeatureContext, FraudState } from './features.js';
import { IsolationForest } from './isolation-forest.js';
import { loadLabels, loadOrderFacts, loadProfiles, scoredOrders } from './load.js';
import { fitLogistic } from './logistic.js';
import { DEFAULT_THRESHOLD, FraudModel, type FraudScore, type ModelWeights } from './model.js';
import type { CustomerProfile, OrderFacts } from './order-facts.js';
import { seededRandom } from './random.js';

/** Rows kept (reservoir sample) to grow the isolation forest from, whatever the lake's size. */
export const FOREST_SAMPLE = 20_000;
/** L2 penalty of the weights' fit. */
export const WEIGHT_PENALTY = 1;

/** Every order's features in time order (each against the state before it), and the state afterwards. */
export function replayFeatures(
  facts: readonly OrderFacts[],
  profiles: Map<string, CustomerProfile>,
  keep: (o: OrderFacts, i: number) => boolean = () => true,
): {
  state: FraudState;
  rows: Float64Array[];
  kept: { o: OrderFacts; x: Float64Array; context: FeatureContext }[];
  sample: Float64Array[];
} {
  const state = new FraudState(profiles);
  const rows: Float64Array[] = [];
  const kept: { o: OrderFacts; x: Float64Array; context: FeatureContext }[] = [];
  const sample: Float64Array[] = [];
  const random = seededRandom(7);
  facts.forEach((o, i) => {
    const { x, context } = state.features(o);
    if (sample.length < FOREST_SAMPLE) sample.push(x);
    else {
      const j = Math.floor(random() * (i + 1));
      if (j < FOREST_SAMPLE) sample[j] = x;
    }
    if (keep(o, i)) kept.push({ o, x, context });
    rows.push(x);
    state.update(o);
  });
  return { state, rows, kept, sample };
}

/** The isolation forest of the model, grown on a sample of feature rows. */
export function growForest(sample: readonly Float64Array[]): IsolationForest | null {
  return sample.length < 16 ? null : IsolationForest.fit(sample, { trees: 100, sampleSize: 256, seed: 1 });
}

/** Fits the weights on labelled orders: features plus the forest's anomaly score against fraud / not. */
export function fitWeights(
  rows: readonly Float64Array[],
  anomalies: readonly number[],
  labels: readonly number[],
  version: string,
): ModelWeights {
  const x = rows.map((r, i) => {
    const v = new Float64Array(r.length + 1);
    v.set(r);
    v[r.length] = anomalies[i] as number;
    return v;
  });
  const fit = fitLogistic(x, labels, WEIGHT_PENALTY);
  return {
    version,
    features: [...FEATURES],
    weights: fit.weights.slice(0, FEATURES.length).map(round),
    anomalyWeight: round(fit.weights[FEATURES.length] ?? 0),
    bias: round(fit.bias),
    threshold: DEFAULT_THRESHOLD,
  };
}

const round = (v: number) => Math.round(v * 1e4) / 1e4;

/** A model rebuilt from the lake, and the scores of the lake's orders that had none. */
export interface Rebuilt {
  model: FraudModel;
  /** Scores of the orders fraud_scores did not hold (each against the state before it), in time order. */
  unscored: FraudScore[];
  /** The facts of those orders, in the same order (an alert names the amount). */
  unscoredFacts: OrderFacts[];
  /** Every order id the model's state holds (the lake's orders when it was read). */
  known: string[];
}

/**
 * The model rebuilt from the lake: state from every order, the forest from a sample of their features,
 * and the scores of the orders fraud_scores does not hold yet (each against the state before it).
 */
export async function rebuildFromLake(
  engine: Engine,
  weights: ModelWeights,
  threshold = weights.threshold,
): Promise<Rebuilt> {
  const [facts, profiles, scored] = await Promise.all([
    loadOrderFacts(engine),
    loadProfiles(engine),
    scoredOrders(engine),
  ]);
  const replay = replayFeatures(facts, profiles, (o) => !scored.has(o.orderId));
  const model = new FraudModel(replay.state, growForest(replay.sample), weights);
  const unscored = replay.kept.map((k) => model.scoreVector(k.o, k.x, k.context, threshold));
  return { model, unscored, unscoredFacts: replay.kept.map((k) => k.o), known: facts.map((o) => o.orderId) };
}

/** Fits new weights on the lake's orders and labels (labels/fraud.csv and fraud_labels). */
export async function trainWeights(engine: Engine, dataDir: string, version: string): Promise<ModelWeights> {
  const [facts, profiles, labels] = await Promise.all([
    loadOrderFacts(engine),
    loadProfiles(engine),
    loadLabels(engine, dataDir),
  ]);
  const replay = replayFeatures(facts, profiles);
  const forest = growForest(replay.sample);
  const anomalies = replay.rows.map((r) => (forest ? forest.score(r) : 0.5));
  return fitWeights(
    replay.rows,
    anomalies,
    facts.map((o) => (labels.get(o.orderId) ? 1 : 0)),
    version,
  );
}
