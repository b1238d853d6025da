import type { ItemKnn } from '../../models/index.js';
import { type CategoryTasteModel, fitCategoryTaste, nextCategory } from './category-taste.js';
import type { CustomerTaste } from './interactions.js';

/**
 * Share of the item-kNN distribution in the blend; the rest is the category-taste model's. Chosen on
 * seeds 42 and 7 (0.3–0.5 within 0.01 of recall@10 there) and checked on 5, 11 and 3 (docs/BENCHMARKS.md).
 */
export const KNN_SHARE = 0.4;

/** What the hybrid recommender knows of the catalog: orders per product before the cut-off, categories. */
export interface CatalogStats {
  /** Product → orders before the cut-off (products never ordered are left out). */
  sold: ReadonlyMap<string, number>;
  /** Product → category ('' when the products table has none). */
  category: ReadonlyMap<string, string>;
}

/** One scored product of the hybrid: its score and the part item-kNN gave it (0: taste and popularity only). */
export interface HybridScore {
  item: string;
  score: number;
  knn: number;
}

/** The catalog's numbers and the category-taste model fitted on every customer: built once per query. */
export interface HybridModel {
  stats: CatalogStats;
  taste: CategoryTasteModel;
  categoryIndex: Map<string, number>;
  categorySold: Float64Array;
  products: { id: string; sold: number; category: number }[];
}

/**
 * Fits what the hybrid needs besides item-kNN: category shares of the order lines before the cut-off, and
 * the latent favourite-category model (parts/category-taste.ts) on every customer's implicit weights.
 */
export function fitHybrid(stats: CatalogStats, weights: Iterable<ReadonlyMap<string, number>>): HybridModel {
  let total = 0;
  const categoryIndex = new Map<string, number>();
  const sold: number[] = [];
  const products: HybridModel['products'] = [];
  const indexOf = (name: string) => {
    let c = categoryIndex.get(name);
    if (c === undefined) {
      c = sold.length;
      categoryIndex.set(name, c);
      sold.push(0);
    }
    return c;
  };
  for (const [id, n] of stats.sold) {
    total += n;
    const category = indexOf(stats.category.get(id) ?? '');
    sold[category] = (sold[category] as number) + n;
    products.push({ id, sold: n, category });
  }
  const categorySold = Float64Array.from(sold);
  const share = categorySold.map((x) => (total > 0 ? x / total : 0));
  const counts: Float64Array[] = [];
  for (const w of weights) counts.push(countsOf(w, stats, categoryIndex));
  return { stats, taste: fitCategoryTaste(counts, share), categoryIndex, categorySold, products };
}

/** A customer's implicit weights summed per category (products of a category nobody ordered are left out). */
function countsOf(
  weights: ReadonlyMap<string, number>,
  stats: CatalogStats,
  categoryIndex: ReadonlyMap<string, number>,
): Float64Array {
  const n = new Float64Array(categoryIndex.size);
  for (const [p, w] of weights) {
    const c = categoryIndex.get(stats.category.get(p) ?? '');
    if (c !== undefined) n[c] = (n[c] as number) + w;
  }
  return n;
}

/**
 * The customer's top `limit` products, leaving out `exclude`, by a mixture of two next-purchase
 * distributions: KNN_SHARE × item-kNN score ÷ Σ of the customer's item-kNN scores + (1 − KNN_SHARE) ×
 * P(next purchase in category c) × sold(i) ÷ sold(c), c = i's category, P from the category-taste model
 * (the customer's favourite as a latent class; within a category by popularity). Ties by product id.
 */
export function hybridRecommend(
  knn: ItemKnn,
  user: string,
  taste: CustomerTaste,
  model: HybridModel,
  limit: number,
  exclude: ReadonlySet<string>,
): HybridScore[] {
  const near = knn.recommend(user, knn.items.length, exclude);
  const sum = near.reduce((m, r) => m + r.score, 0);
  const knnPart = new Map(near.map((r) => [r.item, sum > 0 ? (KNN_SHARE * r.score) / sum : 0]));
  const next = nextCategory(model.taste, countsOf(taste.weights, model.stats, model.categoryIndex));
  // Per category once per customer: P(next in c) ÷ sold(c), times sold(i) below.
  const factor = next.map((p, c) => {
    const n = model.categorySold[c] as number;
    return n > 0 ? ((1 - KNN_SHARE) * p) / n : 0;
  });
  const out: HybridScore[] = [];
  for (const { id, sold, category } of model.products) {
    if (exclude.has(id)) continue;
    const k = knnPart.get(id) ?? 0;
    keepTop(out, { item: id, knn: k, score: k + (factor[category] as number) * sold }, limit);
  }
  // Items the neighbourhoods know but nobody ordered before the cut-off (only added to carts).
  for (const [p, k] of knnPart)
    if (!model.stats.sold.has(p)) keepTop(out, { item: p, knn: k, score: k }, limit);
  return out;
}

const before = (a: HybridScore, b: HybridScore) =>
  a.score > b.score || (a.score === b.score && a.item < b.item);

/** Inserts x into `top` (best first, at most `limit` long): sorting every product per customer made the backtest 6× slower at 5,000 products. */
function keepTop(top: HybridScore[], x: HybridScore, limit: number): void {
  if (top.length >= limit && !before(x, top[top.length - 1] as HybridScore)) return;
  let i = top.length;
  while (i > 0 && before(x, top[i - 1] as HybridScore)) i--;
  top.splice(i, 0, x);
  if (top.length > limit) top.pop();
}
