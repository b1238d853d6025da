import { z } from 'zod';
import { UserError } from '../../errors/index.js';
import { type Interaction, ItemKnn } from '../models/index.js';
import { isoDate } from '../params.js';
import { defineAnalysis } from '../types.js';
import { fitHybrid, hybridRecommend } from './parts/hybrid.js';
import {
  fillFrom,
  interactionNotes,
  interactionsSql,
  popularity,
  tasteOf,
  toTastes,
} from './parts/interactions.js';

/** Neighbours kept per item by the item-kNN recommender. */
export const NEIGHBOURS = 50;
/** Customer id that stands for visitors without an account: they get the popular products. */
export const GUEST = 'GUEST';

/**
 * Personalised top-N products per customer from purchases and adds to cart (item-kNN mixed with
 * the customer's category taste, parts/hybrid.ts), with a cold-start fallback.
 */
export default defineAnalysis({
  name: 'recommend',
  description:
    "Top-N products for a customer by item-kNN on purchases and adds to cart, mixed with their category taste (a latent favourite category, by popularity within it), without what they already bought; new customers and GUEST get their region's (or overall) best sellers",
  params: z.object({
    customer: z.string().min(1).describe('customer id (GUEST: a visitor without an account)'),
    limit: z.coerce.number().int().min(1).max(1000).default(10).describe('number of products (default 10)'),
    asOf: isoDate.optional().describe('use data before this day (default: all)'),
  }),
  row: z.object({
    rank: z.number().int(),
    product_id: z.string(),
    score: z.number(),
    source: z.enum(['similar-items', 'category-taste', 'popular-in-region', 'popular']),
  }),
  unbound: { customer: 'transform', limit: 'transform' },
  sql: () => interactionsSql(false),
  notes: () => interactionNotes(),
  transform: (rows, p) => {
    const tastes = toTastes(rows);
    const pop = popularity(tastes, rows);
    const guest = p.customer === GUEST;
    const taste = guest ? undefined : tasteOf(tastes, p.customer);
    const exclude = taste?.bought ?? new Set<string>();
    const out: {
      product_id: string;
      score: number;
      source: 'similar-items' | 'category-taste' | 'popular-in-region' | 'popular';
    }[] = [];
    const taken = new Set<string>();
    if (taste && taste.weights.size > 0) {
      const interactions: Interaction[] = [];
      for (const [user, t] of tastes)
        for (const [item, weight] of t.weights) interactions.push({ user, item, weight });
      const knn = new ItemKnn(interactions, NEIGHBOURS);
      const model = fitHybrid(
        pop.stats,
        [...tastes.values()].map((t) => t.weights),
      );
      for (const r of hybridRecommend(knn, p.customer, taste, model, p.limit, exclude)) {
        taken.add(r.item);
        out.push({
          product_id: r.item,
          score: r.score,
          source: r.knn > 0 ? 'similar-items' : 'category-taste',
        });
      }
    }
    if (taste)
      for (const id of fillFrom(pop.byRegion.get(taste.region) ?? [], p.limit - out.length, exclude, taken))
        out.push({ product_id: id, score: 0, source: 'popular-in-region' });
    for (const id of fillFrom(pop.overall, p.limit - out.length, exclude, taken))
      out.push({ product_id: id, score: 0, source: 'popular' });
    // Nothing ordered before --as-of (a day before the data starts): no product to rank, which was an
    // empty answer without a word.
    if (out.length === 0 && pop.overall.length === 0)
      throw new UserError(
        `recommend: no order${p.asOf ? ` before ${p.asOf}` : ''} to recommend from` +
          (p.asOf ? '; use a later --as-of' : ''),
      );
    return out.map((r, i) => ({ rank: i + 1, ...r, score: Math.round(r.score * 1e6) / 1e6 }));
  },
});
