import type { ItemKnn } from '../../models/index.js';
import type { CustomerTaste } from './interactions.js';

/**
 * Weight of overall popularity beside the item-kNN score (scaled to 1 for the customer's best item):
 * item-kNN alone ranks a rarely bought neighbour of one past purchase above a best seller, and popularity
 * fixes that ordering among candidates of similar strength.
 */
export const POPULARITY_WEIGHT = 0.3;
/** Weight of category taste × popularity: the customer's share of interest in a product's category. */
export const CATEGORY_WEIGHT = 2;
/** Pseudo-interactions spread over categories by their share of sales, so one purchase is not a taste. */
export const CATEGORY_PRIOR = 1;

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

/**
 * The customer's top `limit` products, leaving out `exclude`: item-kNN score / the customer's best
 * item-kNN score + POPULARITY_WEIGHT × sold / best seller's sold + CATEGORY_WEIGHT × taste(category) ×
 * sold / best seller's sold, where taste(category) = (the customer's implicit weight in the category +
 * CATEGORY_PRIOR × the category's share of sales) / (their total weight + CATEGORY_PRIOR). Tuned on two
 * seeds and checked on a third (docs/BENCHMARKS.md); ties by product id.
 */
export function hybridRecommend(
  knn: ItemKnn,
  user: string,
  taste: CustomerTaste,
  stats: CatalogStats,
  limit: number,
  exclude: ReadonlySet<string>,
): HybridScore[] {
  const near = knn.recommend(user, knn.items.length, exclude);
  const best = near.reduce((m, r) => Math.max(m, r.score), 0);
  const knnPart = new Map(near.map((r) => [r.item, best > 0 ? r.score / best : 0]));
  const { total, top, products, categoryIndex, categorySold } = totals(stats);
  let weight = 0;
  const interest = new Float64Array(categorySold.length);
  for (const [p, w] of taste.weights) {
    const c = categoryIndex.get(stats.category.get(p) ?? '');
    if (c !== undefined) interest[c] = (interest[c] as number) + w;
    weight += w;
  }
  // Taste × popularity weight per category, once per customer rather than once per product.
  const factor = Float64Array.from(
    categorySold,
    (sold, c) =>
      (POPULARITY_WEIGHT +
        (CATEGORY_WEIGHT * ((interest[c] as number) + (CATEGORY_PRIOR * sold) / total)) /
          (weight + CATEGORY_PRIOR)) /
      top,
  );
  const out: HybridScore[] = [];
  for (const { id, sold, category } of products) {
    if (exclude.has(id)) continue;
    const k = knnPart.get(id) ?? 0;
    keepTop(out, { item: id, knn: k, score: k + (factor[category] as number) * sold }, limit);
  }
  // Items the neighbourhoods know but nobody ordered before the cut-off (only added to carts).
  for (const [p, k] of knnPart) if (!stats.sold.has(p)) keepTop(out, { item: p, knn: k, score: k }, limit);
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

interface Totals {
  total: number;
  top: number;
  products: { id: string; sold: number; category: number }[];
  categoryIndex: Map<string, number>;
  categorySold: number[];
}
const totalsOf = new WeakMap<CatalogStats, Totals>();

/** Orders in all, of the best seller, and per category, with products by category number: once per catalog. */
function totals(stats: CatalogStats): Totals {
  const hit = totalsOf.get(stats);
  if (hit) return hit;
  let total = 0;
  let top = 0;
  const categoryIndex = new Map<string, number>();
  const categorySold: number[] = [];
  const products: Totals['products'] = [];
  for (const [id, sold] of stats.sold) {
    total += sold;
    top = Math.max(top, sold);
    const name = stats.category.get(id) ?? '';
    let category = categoryIndex.get(name);
    if (category === undefined) {
      category = categorySold.length;
      categoryIndex.set(name, category);
      categorySold.push(0);
    }
    categorySold[category] = (categorySold[category] as number) + sold;
    products.push({ id, sold, category });
  }
  const out = { total, top, products, categoryIndex, categorySold };
  totalsOf.set(stats, out);
  return out;
}
