/** Evaluation metrics of the prediction analyses (ranking and probability quality). */

/**
 * Area under the ROC curve by the rank-sum (Mann–Whitney) formula, ties counted half: the chance that a
 * random positive scores above a random negative. NaN without both classes.
 */
export function rocAuc(scores: readonly number[], labels: readonly number[]): number {
  const idx = scores.map((_, i) => i).sort((a, b) => (scores[a] as number) - (scores[b] as number));
  let rankSum = 0;
  let positives = 0;
  for (let i = 0; i < idx.length; ) {
    let j = i;
    while (j + 1 < idx.length && scores[idx[j + 1] as number] === scores[idx[i] as number]) j++;
    const midRank = (i + j) / 2 + 1;
    for (let k = i; k <= j; k++) {
      if (labels[idx[k] as number] === 1) {
        rankSum += midRank;
        positives++;
      }
    }
    i = j + 1;
  }
  const negatives = idx.length - positives;
  if (positives === 0 || negatives === 0) return Number.NaN;
  return (rankSum - (positives * (positives + 1)) / 2) / (positives * negatives);
}

/**
 * Average precision as scikit-learn defines it: Σ (recall_k − recall_{k−1}) · precision_k over the
 * distinct score thresholds, highest first (tied scores enter together). NaN without positives.
 */
export function averagePrecision(scores: readonly number[], labels: readonly number[]): number {
  const idx = scores.map((_, i) => i).sort((a, b) => (scores[b] as number) - (scores[a] as number));
  const positives = labels.filter((l) => l === 1).length;
  if (positives === 0) return Number.NaN;
  let tp = 0;
  let seen = 0;
  let ap = 0;
  let lastRecall = 0;
  for (let i = 0; i < idx.length; ) {
    let j = i;
    while (j + 1 < idx.length && scores[idx[j + 1] as number] === scores[idx[i] as number]) j++;
    for (let k = i; k <= j; k++) if (labels[idx[k] as number] === 1) tp++;
    seen = j + 1;
    const recall = tp / positives;
    ap += (recall - lastRecall) * (tp / seen);
    lastRecall = recall;
    i = j + 1;
  }
  return ap;
}

/** Share of positives among the top `share` (e.g. 0.1) of scores, at least one item. */
export function precisionAtTop(scores: readonly number[], labels: readonly number[], share: number): number {
  const n = Math.max(1, Math.round(scores.length * share));
  const idx = scores.map((_, i) => i).sort((a, b) => (scores[b] as number) - (scores[a] as number) || a - b);
  let tp = 0;
  for (let k = 0; k < Math.min(n, idx.length); k++) if (labels[idx[k] as number] === 1) tp++;
  return tp / n;
}

/** Mean squared error of probabilities against 0/1 outcomes. */
export function brierScore(probs: readonly number[], labels: readonly number[]): number {
  let s = 0;
  for (let i = 0; i < probs.length; i++) s += ((probs[i] as number) - (labels[i] as number)) ** 2;
  return probs.length > 0 ? s / probs.length : Number.NaN;
}

/**
 * Expected calibration error over `bins` equal-width probability bins: Σ (n_b / n) · |mean predicted −
 * observed rate| — 0 for a perfectly calibrated model.
 */
export function calibrationError(probs: readonly number[], labels: readonly number[], bins = 10): number {
  const sumP = new Float64Array(bins);
  const sumY = new Float64Array(bins);
  const count = new Float64Array(bins);
  probs.forEach((p, i) => {
    const b = Math.min(bins - 1, Math.floor(p * bins));
    sumP[b] = (sumP[b] as number) + p;
    sumY[b] = (sumY[b] as number) + (labels[i] as number);
    count[b] = (count[b] as number) + 1;
  });
  let e = 0;
  for (let b = 0; b < bins; b++) {
    const c = count[b] as number;
    if (c > 0) e += (c / probs.length) * Math.abs(((sumP[b] as number) - (sumY[b] as number)) / c);
  }
  return probs.length > 0 ? e : Number.NaN;
}

/** Precision@k, recall@k and NDCG@k (binary relevance) of one ranked list against a relevant set. */
export function rankingAtK(
  ranked: readonly string[],
  relevant: ReadonlySet<string>,
  k: number,
): { precision: number; recall: number; ndcg: number } {
  let hits = 0;
  let dcg = 0;
  ranked.slice(0, k).forEach((item, i) => {
    if (relevant.has(item)) {
      hits++;
      dcg += 1 / Math.log2(i + 2);
    }
  });
  let ideal = 0;
  for (let i = 0; i < Math.min(k, relevant.size); i++) ideal += 1 / Math.log2(i + 2);
  return {
    precision: hits / k,
    recall: relevant.size > 0 ? hits / relevant.size : 0,
    ndcg: ideal > 0 ? dcg / ideal : 0,
  };
}
