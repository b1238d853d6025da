import type { Engine } from '../engines/index.js';
import { FEATURES, FraudState } from './features.js';
import { LabelledValues } from './labelled-values.js';
import { countOrders, loadLabels, loadProfiles, streamOrderFacts } from './load.js';
import type { AtThreshold, CurvePoint } from './metrics.js';
import { FraudModel, type ModelWeights } from './model.js';
import { forestOfLake, type ReplayProgress, replayProgress } from './train.js';

/** One scorer's figures against the labels. */
export interface ScorerFigures {
  name: string;
  averagePrecision: number;
  recallAtPrecision50: number;
}

/** What `shoplake query fraud-backtest` reports. */
export interface BacktestReport {
  orders: number;
  fraud: number;
  days: number;
  model: ScorerFigures & { atThreshold: AtThreshold; alertsPerDay: number };
  forestAlone: ScorerFigures;
  bestRule: ScorerFigures;
  rules: ScorerFigures[];
  curve: CurvePoint[];
  /** Reliability: per score band, the mean score against the share of labelled fraud (calibrated: close). */
  calibration: { from: number; to: number; orders: number; meanScore: number; fraudShare: number }[];
}

const BANDS = [0, 0.1, 0.3, 0.5, 0.7, 0.9, 1.0000001];

/** Per score band: orders, the sum of their scores (added in time order) and the fraud among them. */
class Calibration {
  private readonly n = new Float64Array(BANDS.length - 1);
  private readonly sum = new Float64Array(BANDS.length - 1);
  private readonly fraud = new Float64Array(BANDS.length - 1);

  add(score: number, label: boolean): void {
    for (let b = 0; b < BANDS.length - 1; b++) {
      if (score < (BANDS[b] as number) || score >= (BANDS[b + 1] as number)) continue;
      this.n[b] = (this.n[b] as number) + 1;
      this.sum[b] = (this.sum[b] as number) + score;
      if (label) this.fraud[b] = (this.fraud[b] as number) + 1;
      return;
    }
  }

  report(): BacktestReport['calibration'] {
    return BANDS.slice(0, -1).map((from, b) => {
      const n = this.n[b] as number;
      return {
        from,
        to: Math.min(1, BANDS[b + 1] as number),
        orders: n,
        meanScore: n ? (this.sum[b] as number) / n : 0,
        fraudShare: n ? (this.fraud[b] as number) / n : 0,
      };
    });
  }
}

/**
 * Replays every order of the lake through the model in time order (each scored against the state before
 * it, as online) and compares its scores, the isolation forest's alone, and each single feature used as a
 * rule, with the labels (labels/fraud.csv and people's labels in fraud_labels).
 *
 * In bounded memory, whatever the lake's size: the lake is streamed twice as `fraud score` reads it
 * (train.ts: the first read grows the forest from its sample, the second scores each order with a fresh
 * state), and of each order only what the curves need is kept: per scorer its value by label, as counts
 * per distinct value or in Float64Arrays (labelled-values.ts: at most 8 bytes an order and scorer); the
 * calibration, the figures at the threshold and the span of days are summed on the way. The report is
 * exactly the one-go replay's (backtest.test.ts checks it against that, kept as a test helper).
 */
export async function backtest(
  engine: Engine,
  dataDir: string,
  weights: ModelWeights,
  onProgress?: ReplayProgress,
): Promise<BacktestReport> {
  const [total, profiles, labelMap] = await Promise.all([
    countOrders(engine),
    loadProfiles(engine),
    loadLabels(engine, dataDir),
  ]);
  const { forest, orders: read } = await forestOfLake(engine, profiles, total, onProgress);
  const model = new FraudModel(new FraudState(profiles), forest, weights);
  const modelValues = new LabelledValues();
  const forestValues = new LabelledValues();
  const ruleValues = FEATURES.map(() => new LabelledValues());
  const calibration = new Calibration();
  const threshold = weights.threshold;
  const x = new Float64Array(FEATURES.length);
  const progress = replayProgress(onProgress);
  let orders = 0;
  let fraud = 0;
  let flagged = 0;
  let truePositives = 0;
  let first: number | null = null;
  let last = 0;
  for await (const { facts } of streamOrderFacts(engine)) {
    for (const o of facts) {
      const label = labelMap.get(o.orderId) === true;
      const { context } = model.state.features(o, x);
      const s = model.scoreVector(o, x, context, threshold);
      model.state.update(o);
      modelValues.add(s.score, label);
      forestValues.add(s.anomaly, label);
      for (let j = 0; j < ruleValues.length; j++) ruleValues[j]?.add(x[j] as number, label);
      calibration.add(s.score, label);
      if (label) fraud++;
      if (s.score >= threshold) {
        flagged++;
        if (label) truePositives++;
      }
      first ??= o.t;
      last = o.t;
      orders++;
    }
    progress('scoring orders', orders, read, 0.5, 0.5);
  }
  const figures = (name: string, values: LabelledValues): ScorerFigures => {
    const f = values.figures();
    return { name, averagePrecision: f.averagePrecision, recallAtPrecision50: f.recallAtPrecision50 };
  };
  const rules = FEATURES.map((f, j) => figures(f, ruleValues[j] as LabelledValues));
  const best = rules.reduce((a, b) => (b.averagePrecision > a.averagePrecision ? b : a));
  const days = Math.max(1, (last - (first ?? 0)) / 86_400_000);
  const precision = flagged ? truePositives / flagged : 0;
  const recall = fraud ? truePositives / fraud : 0;
  const f1 = precision + recall > 0 ? (2 * precision * recall) / (precision + recall) : 0;
  const at: AtThreshold = { threshold, flagged, precision, recall, f1 };
  const curve = modelValues.figures(50);
  return {
    orders,
    fraud,
    days,
    model: {
      name: 'model',
      averagePrecision: curve.averagePrecision,
      recallAtPrecision50: curve.recallAtPrecision50,
      atThreshold: at,
      alertsPerDay: at.flagged / days,
    },
    forestAlone: figures('isolation forest', forestValues),
    bestRule: best,
    rules,
    curve: curve.curve,
    calibration: calibration.report(),
  };
}
