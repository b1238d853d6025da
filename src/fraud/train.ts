import type { Engine } from '../engines/index.js';
import { FEATURES, type FeatureContext, FraudState } from './features.js';
import { IsolationForest } from './isolation-forest.js';
import { countOrders, loadLabels, loadProfiles, streamOrderFacts } from './load.js';
import { fitLogistic, fitLogisticPacked } from './logistic.js';
import { DEFAULT_THRESHOLD, FraudModel, type FraudScore, type ModelWeights } from './model.js';
import type { CustomerProfile, OrderFacts } from './order-facts.js';
import { OrderIdList } from './order-ids.js';
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
  return fittedWeights(fitLogistic(x, labels, WEIGHT_PENALTY), version);
}

const round = (v: number) => Math.round(v * 1e4) / 1e4;

function fittedWeights(fit: { weights: number[]; bias: number }, version: string): ModelWeights {
  return {
    version,
    features: [...FEATURES],
    weights: fit.weights.slice(0, FEATURES.length).map(round),
    anomalyWeight: round(fit.weights[FEATURES.length] ?? 0),
    bias: round(fit.bias),
    threshold: DEFAULT_THRESHOLD,
  };
}

/** Scores handed to a consumer per call (each call of scoreUnscored's is one ingest batch). */
export const SCORE_BATCH = 100_000;
/**
 * Unscored orders whose features a single pass keeps until the forest exists (about 0.6 KB each with
 * their facts and context: 200,000 are ~120 MB). Beyond that the lake is read a second time instead.
 */
export const KEEP_UNSCORED = 200_000;
/** Progress lines at most this many orders apart. */
const PROGRESS_EVERY = 500_000;

/** Told how a long replay advances: what it does now, and the share of the whole job done (0 to 1). */
export type ReplayProgress = (phase: string, done: number) => void;

/** Options of scoreLake. */
export interface LakeScoring {
  /** Alert threshold (default: the weights'). */
  threshold?: number;
  /** Scores per onScores call at most (default SCORE_BATCH). */
  batch?: number;
  /** Unscored orders a single pass may keep in memory (default KEEP_UNSCORED; 0: always two passes). */
  keepUnscored?: number;
  /** Receives the scores of the orders fraud_scores did not hold, in time order, batch by batch. */
  onScores: (scores: FraudScore[], facts: OrderFacts[]) => Promise<void> | void;
  onProgress?: ReplayProgress;
  /**
   * When given, every order id the returned model's state holds is added to it, in time order (with two
   * reads, those of the second: orders loaded between the reads are in the state too).
   */
  known?: OrderIdList;
}

/** What scoreLake did. */
export interface LakeScored {
  model: FraudModel;
  orders: number;
  unscored: number;
  /** 1: the unscored orders were kept from the first read; 2: the lake was read again to score them. */
  passes: 1 | 2;
}

/** The reservoir sample of feature rows the forest grows from: the same rows whatever the batches. */
class Reservoir {
  readonly sample: Float64Array[] = [];
  private readonly random = seededRandom(7);
  private seen = 0;

  offer(x: Float64Array): void {
    const i = this.seen++;
    if (this.sample.length < FOREST_SAMPLE) this.sample.push(x);
    else {
      const j = Math.floor(this.random() * (i + 1));
      if (j < FOREST_SAMPLE) this.sample[j] = x;
    }
  }
}

/**
 * Which rows the reservoir sample ends with, known before any row is seen: its random draws depend on
 * the row count only, never on the rows. A replay that knows how many orders come (countOrders, just
 * before) then computes the features of those 20,000 rows alone (plus the orders it scores), not of
 * every order: computing features costs more than the rest of a read. Orders loaded between the count
 * and the read (serve's compaction) only shift which rows are sampled; counting in the read itself
 * (count(*) OVER ()) made DuckDB hold the whole result in memory.
 */
class SamplePlan {
  private readonly slots = new Map<number, number>();
  readonly sample: (Float64Array | undefined)[];

  constructor(total: number) {
    const random = seededRandom(7);
    const size = Math.min(total, FOREST_SAMPLE);
    const rowOf = new Int32Array(size);
    for (let i = 0; i < total; i++) {
      if (i < FOREST_SAMPLE) rowOf[i] = i;
      else {
        const j = Math.floor(random() * (i + 1));
        if (j < FOREST_SAMPLE) rowOf[j] = i;
      }
    }
    rowOf.forEach((row, slot) => {
      this.slots.set(row, slot);
    });
    this.sample = new Array(size);
  }

  /** The sample's slot of row i, or undefined when the sample does not keep it. */
  slot(i: number): number | undefined {
    return this.slots.get(i);
  }

  /** The sample (a row count other than the planned one, from a load meanwhile, leaves gaps: left out). */
  rows(): Float64Array[] {
    return this.sample.filter((x): x is Float64Array => x !== undefined);
  }
}

/** An order kept with its features until the forest exists. */
interface Kept {
  o: OrderFacts;
  x: Float64Array;
  context: FeatureContext;
}

// The context as it is now: its customer's recent timestamps (which a reason counts) keep changing as
// later orders are added, and a reason must count the orders before this one only, as online.
function frozen(context: FeatureContext): FeatureContext {
  const c = context.customer;
  return c === undefined ? context : { ...context, customer: { ...c, recent: c.recent.slice() } };
}

/**
 * A progress reporter for a replay: called after each batch with the orders done, the total, and the
 * share of the whole job the phase starts at and spans; tells onProgress every PROGRESS_EVERY orders.
 */
export function replayProgress(onProgress: ReplayProgress | undefined) {
  let next = PROGRESS_EVERY;
  const millions = (n: number) => `${(n / 1e6).toFixed(1)} M`;
  return (label: string, done: number, total: number, from: number, share: number) => {
    if (!onProgress || done < next) return;
    next = done + PROGRESS_EVERY;
    const of = Math.max(total, done);
    onProgress(
      `${label}: ${millions(done)} of ${millions(of)} orders`,
      from + (share * done) / Math.max(1, of),
    );
  };
}

/** The first read of the lake: the forest's sample and, while they fit, the unscored orders with the state. */
async function firstRead(
  engine: Engine,
  profiles: Map<string, CustomerProfile>,
  keepLimit: number,
  total: number,
  known: OrderIdList | undefined,
  progress: ReturnType<typeof replayProgress>,
): Promise<{
  sample: Float64Array[];
  orders: number;
  unscored: number;
  /** The unscored orders and the state after every order; null once they outgrew keepLimit. */
  kept: { orders: Kept[]; state: FraudState } | null;
}> {
  const state = new FraudState(profiles);
  const plan = new SamplePlan(total);
  let kept: Kept[] | null = [];
  let orders = 0;
  let unscored = 0;
  for await (const { facts, scored } of streamOrderFacts(engine)) {
    for (let k = 0; k < facts.length; k++) {
      const o = facts[k] as OrderFacts;
      const slot = plan.slot(orders + k);
      const keep = !scored[k] && kept !== null && kept.length < keepLimit;
      if (!scored[k]) {
        unscored++;
        if (!keep) kept = null;
      }
      if (slot !== undefined || keep) {
        const { x, context } = state.features(o);
        if (slot !== undefined) plan.sample[slot] = x;
        if (keep) kept?.push({ o, x, context: frozen(context) });
      }
      state.update(o);
      known?.push(o.orderId);
    }
    orders += facts.length;
    progress('reading orders', orders, total, 0, 0.5);
  }
  return {
    sample: plan.rows(),
    orders,
    unscored,
    kept: kept === null ? null : { orders: kept, state },
  };
}

/**
 * The isolation forest scoreLake grows (from the same sample of the lake's orders' features), read once in
 * bounded memory: the replays that score every order (backtest) use it for their second read.
 */
export async function forestOfLake(
  engine: Engine,
  profiles: Map<string, CustomerProfile>,
  total: number,
  onProgress?: ReplayProgress,
): Promise<{ forest: IsolationForest | null; orders: number }> {
  const first = await firstRead(engine, profiles, 0, total, undefined, replayProgress(onProgress));
  return { forest: growForest(first.sample), orders: first.orders };
}

/**
 * Replays the lake's orders in time order in bounded memory and scores those fraud_scores does not
 * hold, each against the state every earlier order left (as online scoring does), in batches.
 *
 * The forest grows from a sample of every order's features, so it exists only once every order was
 * seen, and an order can be scored only then. Two ways, chosen by how many orders need a score:
 * - few (at most keepUnscored, the usual case: a daily file, a restart): one read, keeping those orders'
 *   features and context (~0.6 KB each) until the forest exists;
 * - many (a first build: 8.7 M orders would be ~5 GB kept): a second read of the lake with a fresh state
 *   and the forest ready, scoring on the way and handing scores over every `batch`.
 * Either way memory is the model's state, one batch of orders, the 20,000-row sample and at most
 * keepUnscored kept orders; no list of every order. The second read costs 1.3× the one-go time at 1 M
 * orders (docs/BENCHMARKS.md), against ~1.4 KB held per unscored order; the first read computes
 * features only for the sample's rows and the kept orders (SamplePlan).
 */
export async function scoreLake(
  engine: Engine,
  weights: ModelWeights,
  options: LakeScoring,
): Promise<LakeScored> {
  const threshold = options.threshold ?? weights.threshold;
  const batch = options.batch ?? SCORE_BATCH;
  const keepLimit = options.keepUnscored ?? KEEP_UNSCORED;
  const [total, profiles] = await Promise.all([countOrders(engine), loadProfiles(engine)]);
  const progress = replayProgress(options.onProgress);

  const first = await firstRead(engine, profiles, keepLimit, total, options.known, progress);
  const forest = growForest(first.sample);
  const { orders, kept } = first;
  if (kept !== null) {
    const model = new FraudModel(kept.state, forest, weights);
    for (let i = 0; i < kept.orders.length; i += batch) {
      const part = kept.orders.slice(i, i + batch);
      await options.onScores(
        part.map((k) => model.scoreVector(k.o, k.x, k.context, threshold)),
        part.map((k) => k.o),
      );
    }
    return { model, orders, unscored: first.unscored, passes: 1 };
  }

  // Second read: a fresh state (the first one was let go), scoring the unscored orders on the way.
  options.known?.clear();
  const model = new FraudModel(new FraudState(profiles), forest, weights);
  let scores: FraudScore[] = [];
  let pending: OrderFacts[] = [];
  let seen = 0;
  let unscored = 0;
  const progressTwo = replayProgress(options.onProgress);
  for await (const { facts, scored } of streamOrderFacts(engine)) {
    for (let k = 0; k < facts.length; k++) {
      const o = facts[k] as OrderFacts;
      if (!scored[k]) {
        scores.push(model.score(o, threshold));
        pending.push(o);
      }
      model.state.update(o);
      options.known?.push(o.orderId);
      if (scores.length === batch) {
        unscored += scores.length;
        await options.onScores(scores, pending);
        scores = [];
        pending = [];
      }
    }
    seen += facts.length;
    progressTwo('scoring orders', seen, orders, 0.5, 0.5);
  }
  if (scores.length > 0) {
    unscored += scores.length;
    await options.onScores(scores, pending);
  }
  return { model, orders: seen, unscored, passes: 2 };
}

/** A model rebuilt from the lake (its unscored orders' scores went to onScores on the way). */
export interface Rebuilt {
  model: FraudModel;
  /** How many orders fraud_scores did not hold (each scored against the state before it). */
  unscored: number;
  /** Every order id the model's state holds (the lake's orders when it was read), in time order. */
  known: OrderIdList;
}

/** Options of rebuildFromLake: scoreLake's, with the scores handed over batch by batch. */
export type RebuildOptions = Pick<LakeScoring, 'keepUnscored' | 'onProgress' | 'batch' | 'onScores'>;

/**
 * The model rebuilt from the lake (serve's start): state from every order, the forest from a sample of
 * their features, and the scores of the orders fraud_scores does not hold yet (each against the state
 * before it), handed to onScores in batches as scoreLake makes them (a lake never scored holds millions:
 * the same streaming reads as `fraud score`, never every score at once). Besides the state only the
 * order ids are kept (OrderIdList, ~16 bytes an order), for the live queue to skip them.
 */
export async function rebuildFromLake(
  engine: Engine,
  weights: ModelWeights,
  threshold: number,
  options: RebuildOptions,
): Promise<Rebuilt> {
  const known = new OrderIdList();
  const { model, unscored } = await scoreLake(engine, weights, { ...options, threshold, known });
  return { model, unscored, known };
}

/** Rows per block of the training matrix (~11 MB each). */
const TRAIN_BLOCK = 65_536;

/** Every order's features packed in blocks (the last column left for the anomaly score), and its label. */
async function readTraining(
  engine: Engine,
  profiles: Map<string, CustomerProfile>,
  labelMap: Map<string, boolean>,
  total: number,
  onProgress: ReplayProgress | undefined,
): Promise<{ blocks: Float64Array[]; labels: Uint8Array; n: number; sample: Float64Array[] }> {
  const progress = replayProgress(onProgress);
  const width = FEATURES.length + 1;
  const blocks: Float64Array[] = [];
  let labels = new Uint8Array(Math.max(16, total));
  const state = new FraudState(profiles);
  const reservoir = new Reservoir();
  let n = 0;
  for await (const { facts } of streamOrderFacts(engine)) {
    for (const o of facts) {
      const { x } = state.features(o);
      reservoir.offer(x);
      const at = (n % TRAIN_BLOCK) * width;
      if (at === 0) blocks.push(new Float64Array(TRAIN_BLOCK * width));
      blocks[blocks.length - 1]?.set(x, at);
      if (n >= labels.length) {
        const grown = new Uint8Array(labels.length * 2);
        grown.set(labels);
        labels = grown;
      }
      labels[n] = labelMap.get(o.orderId) ? 1 : 0;
      state.update(o);
      n++;
    }
    progress('reading orders', n, total, 0, 0.8);
  }
  return { blocks, labels, n, sample: reservoir.sample };
}

/**
 * Fits new weights on the lake's orders and labels (labels/fraud.csv and fraud_labels), reading the
 * lake once in batches. The fit (Newton's method, 25 passes over the rows) needs every order's features
 * at hand: they are packed in Float64Array blocks (168 bytes an order, outside the JS heap: 1.5 GB at
 * 8.7 M orders), not held as one object per order.
 */
export async function trainWeights(
  engine: Engine,
  dataDir: string,
  version: string,
  onProgress?: ReplayProgress,
): Promise<ModelWeights> {
  const [total, profiles, labelMap] = await Promise.all([
    countOrders(engine),
    loadProfiles(engine),
    loadLabels(engine, dataDir),
  ]);
  const { blocks, labels, n, sample } = await readTraining(engine, profiles, labelMap, total, onProgress);
  const width = FEATURES.length + 1;
  const forest = growForest(sample);
  // The anomaly score goes in each row's last column, read through one reusable row.
  const row = new Float64Array(FEATURES.length);
  for (let i = 0; i < n; i++) {
    const block = blocks[Math.floor(i / TRAIN_BLOCK)] as Float64Array;
    const at = (i % TRAIN_BLOCK) * width;
    for (let j = 0; j < FEATURES.length; j++) row[j] = block[at + j] as number;
    block[at + FEATURES.length] = forest ? forest.score(row) : 0.5;
  }
  onProgress?.(`fitting the weights on ${n} orders`, 0.8);
  // The last block is cut to its rows: the fit walks whole rows of every block.
  const last = blocks.length - 1;
  if (last >= 0) blocks[last] = (blocks[last] as Float64Array).subarray(0, (n - last * TRAIN_BLOCK) * width);
  const fit = fitLogisticPacked({ blocks, width }, labels.subarray(0, n), WEIGHT_PENALTY);
  return fittedWeights(fit, version);
}
