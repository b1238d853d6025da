/** Items up to which co-occurrence is kept in a dense n × n matrix (9M doubles = 72 MB). */
const DENSE_LIMIT = 9_000_000;

/** One customer's interaction strength with one product (implicit feedback: purchases, views). */
export interface Interaction {
  user: string;
  item: string;
  weight: number;
}

/**
 * Item-based k-nearest-neighbour recommender on implicit feedback: item–item cosine similarity of the
 * user × item weight matrix, each item keeping its `k` most similar items; a user's score for an item is
 * Σ over the items they interacted with of weight × similarity. Written here because npm has no maintained
 * implicit-feedback recommender; the similarity is checked against scikit-learn's cosine_similarity on
 * the same matrix (reference.test.ts). Built from sparse co-occurrence, so cost grows with Σ (items per
 * user)², not with items².
 */
export class ItemKnn {
  readonly items: string[];
  private readonly index = new Map<string, number>();
  private readonly neighbours: { item: number; sim: number }[][];
  private readonly byUser = new Map<string, Map<number, number>>();

  constructor(interactions: readonly Interaction[], k = 50) {
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
    const norm2 = new Float64Array(n);
    // Co-occurrence dot products: a dense matrix while it stays small (fast), else one map per item.
    const dense = n * n <= DENSE_LIMIT ? new Float64Array(n * n) : undefined;
    const co: Map<number, number>[] = dense ? [] : Array.from({ length: n }, () => new Map());
    for (const u of this.byUser.values()) {
      const ids = Int32Array.from(u.keys());
      const ws = Float64Array.from(u.values());
      for (let a = 0; a < ids.length; a++) {
        const i = ids[a] as number;
        const wi = ws[a] as number;
        norm2[i] = (norm2[i] as number) + wi * wi;
        if (dense) {
          const base = i * n;
          for (let b = 0; b < ids.length; b++)
            if (b !== a) {
              const at = base + (ids[b] as number);
              dense[at] = (dense[at] as number) + wi * (ws[b] as number);
            }
        } else {
          const row = co[i] as Map<number, number>;
          for (let b = 0; b < ids.length; b++)
            if (b !== a) row.set(ids[b] as number, (row.get(ids[b] as number) ?? 0) + wi * (ws[b] as number));
        }
      }
    }
    const rowOf = (i: number): [number, number][] => {
      if (!dense) return [...(co[i] as Map<number, number>).entries()];
      const out: [number, number][] = [];
      for (let j = 0; j < n; j++)
        if ((dense[i * n + j] as number) !== 0) out.push([j, dense[i * n + j] as number]);
      return out;
    };
    this.neighbours = Array.from({ length: n }, (_, i) =>
      rowOf(i)
        .map(([j, dot]) => ({ item: j, sim: dot / Math.sqrt((norm2[i] as number) * (norm2[j] as number)) }))
        .sort((a, b) => b.sim - a.sim || a.item - b.item)
        .slice(0, k),
    );
  }

  /** The `k` items most similar to `item` with their cosine similarity (empty for an unknown item). */
  similar(item: string): { item: string; sim: number }[] {
    const i = this.index.get(item);
    if (i === undefined) return [];
    return (this.neighbours[i] ?? []).map((n) => ({ item: this.items[n.item] as string, sim: n.sim }));
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
      for (const n of this.neighbours[j] ?? []) scores.set(n.item, (scores.get(n.item) ?? 0) + w * n.sim);
    return [...scores.entries()]
      .filter(([i]) => !exclude.has(this.items[i] as string))
      .sort((a, b) => b[1] - a[1] || a[0] - b[0])
      .slice(0, limit)
      .map(([i, score]) => ({ item: this.items[i] as string, score }));
  }
}
