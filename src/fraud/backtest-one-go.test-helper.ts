/**
 * The backtest as it was before it streamed (every order loaded at once, kept with its features, then
 * scored, and the curves computed by metrics.ts over per-order arrays), kept for backtest.test.ts to
 * check the streaming backtest against: an independent way to the same report. Small lakes only.
 */
import type { Engine } from '../engines/index.js';
import type { BacktestReport, ScorerFigures } from './backtest.js';
import { FEATURES } from './features.js';
import { loadLabels, loadOrderFacts, loadProfiles } from './load.js';
import { atThreshold, averagePrecision, type CurvePoint, prCurve, recallAtPrecision } from './metrics.js';
import { FraudModel, type ModelWeights } from './model.js';
import { growForest, replayFeatures } from './train.js';

const BANDS = [0, 0.1, 0.3, 0.5, 0.7, 0.9, 1.0000001];

function calibration(scores: readonly number[], labels: readonly boolean[]): BacktestReport['calibration'] {
  return BANDS.slice(0, -1).map((from, b) => {
    const to = BANDS[b + 1] as number;
    let n = 0;
    let sum = 0;
    let fraud = 0;
    scores.forEach((s, i) => {
      if (s < from || s >= to) return;
      n++;
      sum += s;
      if (labels[i]) fraud++;
    });
    return {
      from,
      to: Math.min(1, to),
      orders: n,
      meanScore: n ? sum / n : 0,
      fraudShare: n ? fraud / n : 0,
    };
  });
}

export async function oneGoBacktest(
  engine: Engine,
  dataDir: string,
  weights: ModelWeights,
): Promise<BacktestReport> {
  const [facts, profiles, labelMap] = await Promise.all([
    loadOrderFacts(engine),
    loadProfiles(engine),
    loadLabels(engine, dataDir),
  ]);
  const replay = replayFeatures(facts, profiles);
  const model = new FraudModel(replay.state, growForest(replay.sample), weights);
  const labels = facts.map((o) => labelMap.get(o.orderId) === true);
  const scores = replay.kept.map((k) => model.scoreVector(k.o, k.x, k.context));
  const modelScores = scores.map((s) => s.score);
  const forestScores = scores.map((s) => s.anomaly);
  const figures = (name: string, s: number[]): ScorerFigures => ({
    name,
    averagePrecision: averagePrecision(s, labels),
    recallAtPrecision50: recallAtPrecision(prCurve(s, labels), 0.5),
  });
  // Each feature alone, ranking orders by its value (a rule with every threshold tried at once).
  const rules = FEATURES.map((f, j) =>
    figures(
      f,
      replay.rows.map((r) => r[j] as number),
    ),
  );
  const best = rules.reduce((a, b) => (b.averagePrecision > a.averagePrecision ? b : a));
  const first = facts[0]?.t ?? 0;
  const last = facts.at(-1)?.t ?? 0;
  const days = Math.max(1, (last - first) / 86_400_000);
  const at = atThreshold(modelScores, labels, weights.threshold);
  const curve = prCurve(modelScores, labels);
  return {
    orders: facts.length,
    fraud: labels.filter(Boolean).length,
    days,
    model: { ...figures('model', modelScores), atThreshold: at, alertsPerDay: at.flagged / days },
    forestAlone: figures('isolation forest', forestScores),
    bestRule: best,
    rules,
    curve: thin(curve, 50),
    calibration: calibration(modelScores, labels),
  };
}

/** At most n points of the curve, evenly spaced by recall, as the backtest prints it. */
export function thin(curve: CurvePoint[], n: number): CurvePoint[] {
  const out: CurvePoint[] = [];
  let next = 0;
  for (const p of curve) {
    if (p.recall >= next) {
      out.push(p);
      next = p.recall + 1 / n;
    }
  }
  return out;
}
