/** One customer's interaction strength with one product (implicit feedback: purchases, adds to cart). */
export interface Interaction {
  user: string;
  item: string;
  weight: number;
}

interface Neighbour {
  item: number;
  sim: number;
}

/**
 * Item-based k-nearest-neighbour recommender on implicit feedback: item–item cosine similarity of the
 * user × item weight matrix, each item keeping its `k` most similar items; a user's score for an item is
 * Σ over the items they interacted with of weight × similarity. Written here because npm has no maintained
 * implicit-feedback recommender; the similarity is checked against scikit-learn's cosine_similarity on
 * the same matrix (reference.test.ts). An item's neighbours are computed when first needed, from the
 * users who have it (an inverted index) into one scratch array: recommending for one customer touches
 * only their items' neighbourhoods, and memory stays linear in the items.
 */
export class ItemKnn {
  readonly items: string[];
  private readonly index = new Map<string, number>();
  private readonly byUser = new Map<string, Map<number, number>>();
  /** Per item: the users who have it, as their item maps (ids and weights in parallel arrays). */
  private readonly holders: { ids: Int32Array; ws: Float64Array; w: number }[][];
  private readonly norm2: Float64Array;
  private readonly cache = new Map<number, Neighbour[]>();
  private readonly scratch: Float64Array;
  private readonly seen: Uint8Array;

  constructor(
    interactions: readonly Interaction[],
    private readonly k = 50,
  ) {
    for (const r of interactions) {
      if (!(r.weight > 0)) continue;
      let i = this.index.get(r.item);
      if (i === undefined) {
        i = this.index.size;
        this.index.set(r.item, i);
      }
      let u = this.byUser.get(r.user);
      if (!u) {
        u = new Map();
        this.byUser.set(r.user, u);
      }
      u.set(i, (u.get(i) ?? 0) + r.weight);
    }
    this.items = [...this.index.keys()];
    const n = this.items.length;
    this.norm2 = new Float64Array(n);
    this.holders = Array.from({ length: n }, () => []);
    for (const u of this.byUser.values()) {
      const ids = Int32Array.from(u.keys());
      const ws = Float64Array.from(u.values());
      for (let a = 0; a < ids.length; a++) {
        const i = ids[a] as number;
        const w = ws[a] as number;
        this.norm2[i] = (this.norm2[i] as number) + w * w;
        this.holders[i]?.push({ ids, ws, w });
      }
    }
    this.scratch = new Float64Array(n);
    this.seen = new Uint8Array(n);
  }

  /** The k items most similar to item j (cosine), most similar first, ties by item order; cached. */
  private neighbours(j: number): Neighbour[] {
    const hit = this.cache.get(j);
    if (hit) return hit;
    const dot = this.scratch;
    const touched: number[] = [];
    for (const h of this.holders[j] ?? []) {
      for (let b = 0; b < h.ids.length; b++) {
        const i = h.ids[b] as number;
        if (i === j) continue;
        if (this.seen[i] === 0) {
          this.seen[i] = 1;
          touched.push(i);
        }
        dot[i] = (dot[i] as number) + h.w * (h.ws[b] as number);
      }
    }
    const nj = this.norm2[j] as number;
    const list = touched.map((i) => ({
      item: i,
      sim: (dot[i] as number) / Math.sqrt((this.norm2[i] as number) * nj),
    }));
    for (const i of touched) {
      dot[i] = 0;
      this.seen[i] = 0;
    }
    const top = list.sort((a, b) => b.sim - a.sim || a.item - b.item).slice(0, this.k);
    this.cache.set(j, top);
    return top;
  }

  /** The `k` items most similar to `item` with their cosine similarity (empty for an unknown item). */
  similar(item: string): { item: string; sim: number }[] {
    const i = this.index.get(item);
    if (i === undefined) return [];
    return this.neighbours(i).map((n) => ({ item: this.items[n.item] as string, sim: n.sim }));
  }

  /** Whether the user has any interaction in the training data. */
  knows(user: string): boolean {
    return this.byUser.has(user);
  }

  /**
   * The user's top `limit` items by score, leaving out the items in `exclude`; fewer when the user's
   * neighbourhood is small (the caller fills up from a fallback).
   */
  recommend(user: string, limit: number, exclude: ReadonlySet<string>): { item: string; score: number }[] {
    const history = this.byUser.get(user);
    if (!history) return [];
    const scores = new Map<number, number>();
    for (const [j, w] of history)
      for (const n of this.neighbours(j)) scores.set(n.item, (scores.get(n.item) ?? 0) + w * n.sim);
    return [...scores.entries()]
      .filter(([i]) => !exclude.has(this.items[i] as string))
      .sort((a, b) => b[1] - a[1] || a[0] - b[0])
      .slice(0, limit)
      .map(([i, score]) => ({ item: this.items[i] as string, score }));
  }
}
