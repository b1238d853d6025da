import type { CurvePoint } from './metrics.js';

/** Distinct values counted in a Map at most; beyond, every value is kept in a Float64Array. */
const MAX_DISTINCT = 4096;

/** A Float64Array that grows by doubling (values outside the JS heap: 8 bytes each). */
class Float64List {
  private data = new Float64Array(1024);
  length = 0;

  push(v: number): void {
    if (this.length === this.data.length) {
      const grown = new Float64Array(this.data.length * 2);
      grown.set(this.data);
      this.data = grown;
    }
    this.data[this.length++] = v;
  }

  /** The values sorted ascending, in place (no copy: the list is only read after this). */
  sorted(): Float64Array {
    return this.data.subarray(0, this.length).sort();
  }
}

/** What a precision-recall curve gives: the scorer's average precision, recall at precision ≥ 0.5, and the curve thinned. */
export interface RankedFigures {
  averagePrecision: number;
  recallAtPrecision50: number;
  /** At most `points` points of the curve, evenly spaced by recall (metrics.ts prCurve's, thinned). */
  curve: CurvePoint[];
}

/**
 * One scorer's value for every order, with the order's label, held compactly for a precision-recall
 * curve over millions of orders: a count per distinct value and label while there are few distinct values
 * (a rule's 0/1 feature), else every value in a Float64Array per label (8 bytes an order, not an index
 * array and an object per curve point). The curve needs no more: all orders scoring ≥ a value are flagged
 * together, so a point depends only on how many orders and positives score ≥ it, never on which ones.
 * Gives exactly metrics.ts's averagePrecision, recallAtPrecision and prCurve (same points, same sums in
 * the same order): checked in labelled-values.test.ts.
 */
export class LabelledValues {
  private counts: Map<number, { negatives: number; positives: number }> | null = new Map();
  private readonly negatives = new Float64List();
  private readonly positives = new Float64List();

  /** Adds one order's value and whether it is labelled fraud. */
  add(value: number, label: boolean): void {
    // NaN has no place in a ranking (prCurve's comparison would order it arbitrarily): a bug upstream.
    if (Number.isNaN(value)) throw new Error('a fraud scorer gave NaN: it cannot be ranked');
    if (this.counts === null) {
      (label ? this.positives : this.negatives).push(value);
      return;
    }
    const c = this.counts.get(value);
    if (c === undefined) this.counts.set(value, { negatives: label ? 0 : 1, positives: label ? 1 : 0 });
    else if (label) c.positives++;
    else c.negatives++;
    if (this.counts.size > MAX_DISTINCT) this.spill();
  }

  /** The curve's figures; `points` bounds the thinned curve (metrics' thin, 50 in the backtest). */
  figures(points = 50): RankedFigures {
    let positives = 0;
    const groups = this.groups();
    for (const g of groups()) positives += g.positives;
    let ap = 0;
    let lastRecall = 0;
    let best = 0;
    let next = 0;
    const curve: CurvePoint[] = [];
    let flagged = 0;
    let tp = 0;
    for (const g of groups()) {
      flagged += g.negatives + g.positives;
      tp += g.positives;
      const precision = tp / flagged;
      const recall = positives ? tp / positives : 0;
      ap += (recall - lastRecall) * precision;
      lastRecall = recall;
      if (precision >= 0.5 && recall > best) best = recall;
      if (recall >= next) {
        curve.push({ threshold: g.value, precision, recall });
        next = recall + 1 / points;
      }
    }
    return { averagePrecision: ap, recallAtPrecision50: best, curve };
  }

  // From counts to every value: too many distinct values for a Map to be the smaller.
  private spill(): void {
    const counts = this.counts;
    this.counts = null;
    for (const [value, c] of counts ?? []) {
      for (let i = 0; i < c.negatives; i++) this.negatives.push(value);
      for (let i = 0; i < c.positives; i++) this.positives.push(value);
    }
  }

  /** The distinct values, highest first, each with its counts of negatives and positives (iterable twice). */
  private groups(): () => Iterable<{ value: number; negatives: number; positives: number }> {
    if (this.counts !== null) {
      const entries = [...this.counts].sort((a, b) => (b[0] > a[0] ? 1 : b[0] < a[0] ? -1 : 0));
      return () => entries.map(([value, c]) => ({ value, ...c }));
    }
    const neg = this.negatives.sorted();
    const pos = this.positives.sorted();
    return () => mergeDescending(neg, pos);
  }
}

// Walks two ascending arrays from their ends, one group per distinct value (−0 and 0 are one, as in
// prCurve's comparison).
function* mergeDescending(
  neg: Float64Array,
  pos: Float64Array,
): Generator<{ value: number; negatives: number; positives: number }> {
  let i = neg.length - 1;
  let j = pos.length - 1;
  while (i >= 0 || j >= 0) {
    const a = i >= 0 ? (neg[i] as number) : Number.NEGATIVE_INFINITY;
    const b = j >= 0 ? (pos[j] as number) : Number.NEGATIVE_INFINITY;
    const value = j < 0 || (i >= 0 && a > b) ? a : b;
    let negatives = 0;
    let positives = 0;
    while (i >= 0 && neg[i] === value) {
      negatives++;
      i--;
    }
    while (j >= 0 && pos[j] === value) {
      positives++;
      j--;
    }
    yield { value, negatives, positives };
  }
}
