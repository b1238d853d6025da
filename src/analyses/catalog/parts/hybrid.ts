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
  let total = 0;
  let top = 0;
  const byCategory = new Map<string, number>();
  for (const [p, n] of stats.sold) {
    total += n;
    top = Math.max(top, n);
    const c = stats.category.get(p) ?? '';
    byCategory.set(c, (byCategory.get(c) ?? 0) + n);
  }
  let weight = 0;
  const interest = new Map<string, number>();
  for (const [p, w] of taste.weights) {
    const c = stats.category.get(p) ?? '';
    interest.set(c, (interest.get(c) ?? 0) + w);
    weight += w;
  }
  const out: HybridScore[] = [];
  const scored = new Set<string>();
  for (const [p, n] of stats.sold) {
    if (exclude.has(p)) continue;
    const c = stats.category.get(p) ?? '';
    const share =
      ((interest.get(c) ?? 0) + (CATEGORY_PRIOR * (byCategory.get(c) ?? 0)) / total) /
      (weight + CATEGORY_PRIOR);
    const k = knnPart.get(p) ?? 0;
    scored.add(p);
    out.push({ item: p, knn: k, score: k + ((POPULARITY_WEIGHT + CATEGORY_WEIGHT * share) * n) / top });
  }
  // Items the neighbourhoods know but nobody ordered before the cut-off (only added to carts).
  for (const [p, k] of knnPart) if (!scored.has(p)) out.push({ item: p, knn: k, score: k });
  return out.sort((a, b) => b.score - a.score || (a.item < b.item ? -1 : 1)).slice(0, limit);
}
