/**
 * The keys already stored, for answering "duplicate" at request time. Bounded: past `capacity` the
 * oldest keys are forgotten (a Set iterates in insertion order). Forgetting only affects the count a
 * client sees; the lake stays exactly-once because compaction dedups against the lake itself.
 */
export class KeySet {
  private readonly keys = new Set<string>();
  constructor(private readonly capacity: number) {}

  has(key: string): boolean {
    return this.keys.has(key);
  }

  add(key: string): void {
    this.keys.add(key);
    if (this.keys.size > this.capacity) {
      const oldest = this.keys.values().next().value;
      if (oldest !== undefined) this.keys.delete(oldest);
    }
  }

  delete(key: string): void {
    this.keys.delete(key);
  }

  get size(): number {
    return this.keys.size;
  }
}
