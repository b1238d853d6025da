/**
 * A map that remembers at least the last `generation` keys set, in two generations: keys go into the young
 * map; when it holds `generation` keys, the old one is dropped whole and the young one becomes old. Evicting
 * one key at a time from the front of a large Map or Set (`keys().next()`) is not O(1) in V8: deleted
 * entries stay as holes that every later `next()` walks over until the table is rebuilt, so at 200,000
 * entries each eviction took 40–360 µs (docs/BENCHMARKS.md, fraud section).
 */
export class RecentMap<V> {
  private young = new Map<string, V>();
  private old = new Map<string, V>();

  constructor(private readonly generation: number) {}

  has(key: string): boolean {
    return this.young.has(key) || this.old.has(key);
  }

  get(key: string): V | undefined {
    return this.young.get(key) ?? this.old.get(key);
  }

  set(key: string, value: V): void {
    this.old.delete(key);
    this.young.set(key, value);
    if (this.young.size >= this.generation) {
      this.old = this.young;
      this.young = new Map();
    }
  }

  delete(key: string): void {
    this.young.delete(key);
    this.old.delete(key);
  }

  /** Keys held: between the last `generation` set and twice that. */
  get size(): number {
    return this.young.size + this.old.size;
  }
}

/**
 * The set form of RecentMap, for the live queue's order ids (read for every order line): Sets' entries
 * are a third smaller than a Map's, and `add` answers whether the key was new with the two lookups that
 * `has` then `set` made three, then four, of. At 200,000 to 400,000 ids, 230–330 ns an id against
 * 360–410 (docs/BENCHMARKS.md, "Fraud scoring: fewer, larger hand-overs").
 */
export class RecentSet {
  private young = new Set<string>();
  private old = new Set<string>();

  constructor(private readonly generation: number) {}

  has(key: string): boolean {
    return this.young.has(key) || this.old.has(key);
  }

  /** Adds a key; false (and nothing changes) when it is held already, in either generation. */
  add(key: string): boolean {
    if (this.old.has(key)) return false;
    // Two lookups, not three: whether the key was in the young set already shows in its size.
    const before = this.young.size;
    this.young.add(key);
    if (this.young.size === before) return false;
    if (this.young.size >= this.generation) {
      this.old = this.young;
      this.young = new Set();
    }
    return true;
  }

  /** Keys held: between the last `generation` added and twice that. */
  get size(): number {
    return this.young.size + this.old.size;
  }
}
