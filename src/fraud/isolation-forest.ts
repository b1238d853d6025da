import { CompleteTrees, type GrownTrees } from './forest-layout.js';
import { seededRandom } from './random.js';

/*
 * Written here rather than taken from npm: the two packages there (isolation-forest, ml-isolation-forest)
 * draw from Math.random (a model could not be rebuilt the same twice, nor tested), and build every tree
 * on the whole training set instead of a subsample, which costs minutes on a lake's orders. This follows
 * Liu, Ting and Zhou (2008) and scikit-learn's defaults: 100 trees, 256 rows each, depth limit
 * ceil(log2(256)); isolation-forest.test.ts checks its scores against scikit-learn's IsolationForest.
 */

/** Trees, rows per tree and seed of an isolation forest. */
export interface ForestOptions {
  trees?: number;
  sampleSize?: number;
  seed?: number;
}

const EULER = 0.5772156649015329;

/** Average path length of an unsuccessful search in a binary search tree of n nodes: c(n) in the paper. */
export function averagePath(n: number): number {
  if (n <= 1) return 0;
  if (n === 2) return 1;
  return 2 * (Math.log(n - 1) + EULER) - (2 * (n - 1)) / n;
}

/** Largest subsample per tree: each tree is laid out complete to its depth limit, 2^depth leaves. */
const MAX_SAMPLE = 4096;

/** An isolation forest: anomalies are isolated by few random splits, so their paths are short. */
export class IsolationForest {
  /** The trees as scoring reads them (forest-layout.ts). */
  private readonly complete: CompleteTrees;
  /** The grown trees node by node, for `walkScore`. */
  private readonly feature: Int32Array;
  private readonly split: Float64Array;
  private readonly left: Int32Array;
  private readonly right: Int32Array;
  private readonly leafPath: Float64Array;

  private constructor(
    flat: GrownTrees,
    private readonly roots: readonly number[],
    private readonly sampleSize: number,
    maxDepth: number,
  ) {
    this.complete = new CompleteTrees(flat, roots, maxDepth);
    this.feature = Int32Array.from(flat.feature);
    this.split = Float64Array.from(flat.split);
    this.left = Int32Array.from(flat.left);
    this.right = Int32Array.from(flat.right);
    this.leafPath = Float64Array.from(flat.leafPath);
  }

  /** Grows the forest on rows (each an array of the same features). */
  static fit(rows: readonly ArrayLike<number>[], options: ForestOptions = {}): IsolationForest {
    const random = seededRandom(options.seed ?? 1);
    const trees = options.trees ?? 100;
    const sampleSize = Math.min(options.sampleSize ?? 256, rows.length);
    if (sampleSize > MAX_SAMPLE) throw new Error(`isolation forest: at most ${MAX_SAMPLE} rows a tree`);
    const maxDepth = Math.ceil(Math.log2(Math.max(2, sampleSize)));
    const flat: GrownTrees = { feature: [], split: [], left: [], right: [], leafPath: [] };
    const roots: number[] = [];
    const index = Array.from(rows, (_, i) => i);
    for (let t = 0; t < trees; t++) {
      // A partial Fisher–Yates shuffle draws the subsample without replacement.
      for (let i = 0; i < sampleSize; i++) {
        const j = i + Math.floor(random() * (index.length - i));
        const swap = index[i] as number;
        index[i] = index[j] as number;
        index[j] = swap;
      }
      const sample = index.slice(0, sampleSize).map((i) => rows[i] as ArrayLike<number>);
      roots.push(grow(flat, sample, 0, maxDepth, random));
    }
    return new IsolationForest(flat, roots, sampleSize, maxDepth);
  }

  /** Anomaly score in (0, 1]: 2^(−mean path / c(sample size)); around 0.5 is ordinary, near 1 anomalous. */
  score(row: ArrayLike<number>): number {
    return 2 ** (-(this.complete.totalPath(row) / this.roots.length) / averagePath(this.sampleSize));
  }

  /**
   * `score` of `n` rows of `width` features packed in `rows`, into `out[0..n)`: the same numbers bit for bit,
   * the forest walked tree by tree over the whole batch (forest-layout.ts `totalPaths`). `out` holds the
   * rows' total path lengths on the way.
   */
  scoreRows(rows: Float64Array, width: number, n: number, out: Float64Array): void {
    this.complete.totalPaths(rows, width, n, out);
    const trees = this.roots.length;
    const c = averagePath(this.sampleSize);
    for (let r = 0; r < n; r++) out[r] = 2 ** (-((out[r] as number) / trees) / c);
  }

  /** The same score walking each grown tree node by node (slower: tests check `score` against it). */
  walkScore(row: ArrayLike<number>): number {
    let total = 0;
    const { feature, split, left, right, leafPath } = this;
    for (const root of this.roots) {
      let n = root;
      let depth = 0;
      while ((feature[n] as number) >= 0) {
        n =
          (row[feature[n] as number] as number) < (split[n] as number)
            ? (left[n] as number)
            : (right[n] as number);
        depth++;
      }
      total += depth + (leafPath[n] as number);
    }
    return 2 ** (-(total / this.roots.length) / averagePath(this.sampleSize));
  }
}

function node(flat: GrownTrees, feature: number, split: number, leafPath: number): number {
  flat.feature.push(feature);
  flat.split.push(split);
  flat.left.push(-1);
  flat.right.push(-1);
  flat.leafPath.push(leafPath);
  return flat.feature.length - 1;
}

// A leaf still holding several rows stands for the subtree that would have isolated them: c(size).
function grow(
  flat: GrownTrees,
  rows: ArrayLike<number>[],
  depth: number,
  maxDepth: number,
  random: () => number,
): number {
  if (depth >= maxDepth || rows.length <= 1) return node(flat, -1, 0, averagePath(rows.length));
  const width = (rows[0] as ArrayLike<number>).length;
  // Only features that vary in this node can split it; pick one of them at random.
  const varying: [number, number, number][] = [];
  for (let f = 0; f < width; f++) {
    let lo = Number.POSITIVE_INFINITY;
    let hi = Number.NEGATIVE_INFINITY;
    for (const r of rows) {
      const v = r[f] as number;
      if (v < lo) lo = v;
      if (v > hi) hi = v;
    }
    if (hi > lo) varying.push([f, lo, hi]);
  }
  if (varying.length === 0) return node(flat, -1, 0, averagePath(rows.length));
  const [feature, lo, hi] = varying[Math.floor(random() * varying.length)] as [number, number, number];
  const split = lo + random() * (hi - lo);
  const left: ArrayLike<number>[] = [];
  const right: ArrayLike<number>[] = [];
  for (const r of rows) ((r[feature] as number) < split ? left : right).push(r);
  const id = node(flat, feature, split, 0);
  flat.left[id] = grow(flat, left, depth + 1, maxDepth, random);
  flat.right[id] = grow(flat, right, depth + 1, maxDepth, random);
  return id;
}
