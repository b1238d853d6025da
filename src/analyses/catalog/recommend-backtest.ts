import { z } from 'zod';
import { UserError } from '../../errors/index.js';
import { type Interaction, ItemKnn, rankingAtK } from '../models/index.js';
import { isoDate } from '../params.js';
import { defineAnalysis } from '../types.js';
import { fitHybrid, hybridRecommend } from './parts/hybrid.js';
import {
  type CustomerTaste,
  fillFrom,
  interactionNotes,
  interactionsSql,
  popularity,
  toTastes,
} from './parts/interactions.js';
import { NEIGHBOURS } from './recommend.js';

const r4 = (x: number) => Math.round(x * 10000) / 10000;

/**
 * Time-split check of `recommend`: train on everything before the last :holdoutDays, recommend k products
 * (the hybrid `recommend` serves, and item-kNN alone) per customer who has a history before the cut-off and buys a product new to them after it, and score
 * the list against those products, next to most-popular and most-popular-in-region on the same split.
 */
export default defineAnalysis({
  name: 'recommend-backtest',
  description:
    'Backtest of recommend: precision, recall and NDCG at k on the held-out last days (hybrid, item-kNN alone), vs most-popular and most-popular-in-region',
  params: z.object({
    asOf: isoDate.optional().describe('end of the holdout (default: the day after the last order)'),
    holdoutDays: z.coerce.number().int().min(1).max(3650).default(7).describe('days held out (default 7)'),
    k: z.coerce.number().int().min(1).max(100).default(10).describe('list length scored (default 10)'),
  }),
  row: z.object({
    method: z.string(),
    customers: z.number().int(),
    k: z.number().int(),
    precision_at_k: z.number(),
    recall_at_k: z.number(),
    ndcg_at_k: z.number(),
  }),
  unbound: { k: 'transform' },
  sql: () => interactionsSql(true),
  notes: () => interactionNotes(),
  transform: (rows, p) => {
    const tastes = toTastes(rows);
    const pop = popularity(tastes, rows);
    const interactions: Interaction[] = [];
    for (const [user, t] of tastes)
      for (const [item, weight] of t.weights) interactions.push({ user, item, weight });
    const knn = new ItemKnn(interactions, NEIGHBOURS);
    const model = fitHybrid(
      pop.stats,
      [...tastes.values()].map((t) => t.weights),
    );
    // Scored: customers with a history before the cut-off who buy something new to them after it.
    const scored: [string, CustomerTaste, Set<string>][] = [];
    for (const [id, t] of tastes) {
      const fresh = new Set([...t.after].filter((x) => !t.bought.has(x)));
      if (t.weights.size > 0 && fresh.size > 0) scored.push([id, t, fresh]);
    }
    if (scored.length === 0)
      throw new UserError(
        `recommend-backtest: no customer with a history before the cut-off buys a new product in the last ${p.holdoutDays} day(s); use a longer --holdout-days or more data`,
        { code: 'too_little_history' },
      );
    const methods: Record<string, (id: string, t: CustomerTaste) => string[]> = {
      // What `recommend` serves: item-kNN mixed with the customer's category taste (a latent favourite).
      hybrid: (id, t) => {
        const list = hybridRecommend(knn, id, t, model, p.k, t.bought).map((r) => r.item);
        return [...list, ...fillFrom(pop.overall, p.k - list.length, t.bought, new Set(list))];
      },
      'item-knn': (id, t) => {
        const taken = new Set<string>();
        const list = knn.recommend(id, p.k, t.bought).map((r) => r.item);
        for (const x of list) taken.add(x);
        return [...list, ...fillFrom(pop.byRegion.get(t.region) ?? [], p.k - list.length, t.bought, taken)];
      },
      'most-popular': (_id, t) => fillFrom(pop.overall, p.k, t.bought, new Set()),
      'most-popular-in-region': (_id, t) =>
        fillFrom(pop.byRegion.get(t.region) ?? [], p.k, t.bought, new Set()),
    };
    return Object.entries(methods).map(([method, recommend]) => {
      let precision = 0;
      let recall = 0;
      let ndcg = 0;
      for (const [id, t, fresh] of scored) {
        const m = rankingAtK(recommend(id, t), fresh, p.k);
        precision += m.precision;
        recall += m.recall;
        ndcg += m.ndcg;
      }
      const n = scored.length;
      return {
        method,
        customers: n,
        k: p.k,
        precision_at_k: r4(precision / n),
        recall_at_k: r4(recall / n),
        ndcg_at_k: r4(ndcg / n),
      };
    });
  },
});
