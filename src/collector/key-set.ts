/**
 * The keys already stored, for answering "duplicate" at request time. Bounded by `capacity` in two
 * generations: keys go into the young set; when it holds half the capacity, the old set is dropped
 * whole and the young one becomes old. So the oldest keys are forgotten first, a half at a time, and no
 * add ever pays for evicting one key (deleting from the front of a large Set leaves holes that each
 * later eviction would walk over). Forgetting only affects the count a client sees; the lake stays
 * exactly-once because compaction dedups against the lake itself.
 */
export class KeySet {
  private young = new Set<string>();
  private old = new Set<string>();
  private readonly half: number;
  constructor(capacity: number) {
    this.half = Math.max(1, Math.floor(capacity / 2));
  }

  has(key: string): boolean {
    return this.young.has(key) || this.old.has(key);
  }

  add(key: string): void {
    this.young.add(key);
    if (this.young.size >= this.half) {
      this.old = this.young;
      this.young = new Set();
    }
  }

  delete(key: string): void {
    this.young.delete(key);
    this.old.delete(key);
  }

  /** Forgets every key (before loading them again from the lake). */
  clear(): void {
    this.young = new Set();
    this.old = new Set();
  }

  get size(): number {
    return this.young.size + this.old.size;
  }
}
