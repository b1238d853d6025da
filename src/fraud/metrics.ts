/** Precision, recall and F1 of flagging every score ≥ threshold. */
export interface AtThreshold {
  threshold: number;
  flagged: number;
  precision: number;
  recall: number;
  f1: number;
}

/** One point of a precision-recall curve. */
export interface CurvePoint {
  threshold: number;
  precision: number;
  recall: number;
}

/** Orders by score, highest first; ties keep their input order (a rule's 0/1 scores tie a lot). */
function ranked(scores: readonly number[]): number[] {
  return Array.from(scores, (_, i) => i).sort(
    (a, b) => (scores[b] as number) - (scores[a] as number) || a - b,
  );
}

/**
 * The precision-recall curve with one point per distinct score (all orders scoring ≥ it flagged), as
 * scikit-learn's precision_recall_curve computes it.
 */
export function prCurve(scores: readonly number[], labels: readonly boolean[]): CurvePoint[] {
  const positives = labels.filter(Boolean).length;
  const order = ranked(scores);
  const out: CurvePoint[] = [];
  let tp = 0;
  for (let k = 0; k < order.length; k++) {
    const i = order[k] as number;
    if (labels[i]) tp++;
    const next = order[k + 1];
    // Only where the score changes: tied orders are flagged together.
    if (next !== undefined && scores[next] === scores[i]) continue;
    out.push({
      threshold: scores[i] as number,
      precision: tp / (k + 1),
      recall: positives ? tp / positives : 0,
    });
  }
  return out;
}

/** Average precision: Σ (R_n − R_{n−1}) · P_n over the curve (scikit-learn's average_precision_score). */
export function averagePrecision(scores: readonly number[], labels: readonly boolean[]): number {
  let ap = 0;
  let lastRecall = 0;
  for (const p of prCurve(scores, labels)) {
    ap += (p.recall - lastRecall) * p.precision;
    lastRecall = p.recall;
  }
  return ap;
}

/** Precision, recall and F1 at one threshold. */
export function atThreshold(
  scores: readonly number[],
  labels: readonly boolean[],
  threshold: number,
): AtThreshold {
  let flagged = 0;
  let tp = 0;
  let positives = 0;
  scores.forEach((s, i) => {
    if (labels[i]) positives++;
    if (s >= threshold) {
      flagged++;
      if (labels[i]) tp++;
    }
  });
  const precision = flagged ? tp / flagged : 0;
  const recall = positives ? tp / positives : 0;
  const f1 = precision + recall > 0 ? (2 * precision * recall) / (precision + recall) : 0;
  return { threshold, flagged, precision, recall, f1 };
}

/** The highest recall reached on the curve at precision ≥ minPrecision (0 if never). */
export function recallAtPrecision(curve: readonly CurvePoint[], minPrecision: number): number {
  return curve.reduce((best, p) => (p.precision >= minPrecision && p.recall > best ? p.recall : best), 0);
}
