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
 * The set form of RecentMap, for the live queue's order ids (read for every order line); `add` answers
 * whether the key was new. The ids are held as their characters in typed arrays (IdTable), not as strings
 * in a Set: 200,000 to 400,000 strings and their Set entries were most of what the scoring worker's heap
 * held for good, and what made its full garbage collections frequent and long (each of them marks every
 * live object; typed arrays' contents are not looked into); docs/BENCHMARKS.md, "Fraud scoring: per-thread
 * CPU". Two tables swap roles, so a generation costs no allocation once both exist.
 */
export class RecentSet {
  private young: IdTable;
  private old: IdTable;

  constructor(private readonly generation: number) {
    this.young = new IdTable(generation);
    this.old = new IdTable(generation);
  }

  has(key: string): boolean {
    const h = hashOf(key);
    return this.young.find(key, h) || this.old.find(key, h);
  }

  /** Adds a key; false (and nothing changes) when it is held already, in either generation. */
  add(key: string): boolean {
    const h = hashOf(key);
    if (this.old.find(key, h) || this.young.find(key, h)) return false;
    this.young.insert(key, h);
    if (this.young.size >= this.generation) {
      const emptied = this.old;
      this.old = this.young;
      this.young = emptied;
      this.young.clear();
    }
    return true;
  }

  /** Keys held: between the last `generation` added and twice that. */
  get size(): number {
    return this.young.size + this.old.size;
  }
}

/** FNV-1a over a text's UTF-16 code units. */
function hashOf(key: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < key.length; i++) h = Math.imul(h ^ key.charCodeAt(i), 0x01000193);
  return h | 0;
}

/**
 * Up to `capacity` distinct texts in an open-addressing hash table (linear probing, at most half full)
 * whose entries point into one array of UTF-16 code units: a lookup compares the key's characters, so the
 * answer is exact whatever the hashes. Written here because no npm package keeps strings outside the
 * garbage-collected heap with exact lookups; recent-map.test.ts checks it against a Set.
 */
class IdTable {
  private readonly slots: Int32Array;
  private readonly mask: number;
  private readonly hashes: Int32Array;
  /** Entry i's characters are units[starts[i]] … units[starts[i + 1] − 1]. */
  private readonly starts: Int32Array;
  private units: Uint16Array;
  size = 0;

  constructor(capacity: number) {
    let slots = 2;
    while (slots < capacity * 2) slots *= 2;
    this.slots = new Int32Array(slots);
    this.mask = slots - 1;
    this.hashes = new Int32Array(capacity);
    this.starts = new Int32Array(capacity + 1);
    this.units = new Uint16Array(Math.max(16, capacity * 16));
  }

  find(key: string, h: number): boolean {
    const { slots, mask, hashes, starts, units } = this;
    for (let i = h & mask; ; i = (i + 1) & mask) {
      const e = (slots[i] as number) - 1;
      if (e < 0) return false;
      if (hashes[e] !== h) continue;
      const from = starts[e] as number;
      if ((starts[e + 1] as number) - from !== key.length) continue;
      let k = 0;
      while (k < key.length && units[from + k] === key.charCodeAt(k)) k++;
      if (k === key.length) return true;
    }
  }

  /** Adds a key known not to be held (the caller asked `find`), while size < capacity. */
  insert(key: string, h: number): void {
    const e = this.size++;
    const from = this.starts[e] as number;
    if (from + key.length > this.units.length) {
      const grown = new Uint16Array(Math.max(this.units.length * 2, from + key.length));
      grown.set(this.units.subarray(0, from));
      this.units = grown;
    }
    for (let k = 0; k < key.length; k++) this.units[from + k] = key.charCodeAt(k);
    this.starts[e + 1] = from + key.length;
    this.hashes[e] = h;
    let i = h & this.mask;
    while (this.slots[i] !== 0) i = (i + 1) & this.mask;
    this.slots[i] = e + 1;
  }

  clear(): void {
    this.slots.fill(0);
    this.size = 0;
  }
}
