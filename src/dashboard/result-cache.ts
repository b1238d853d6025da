/** One cached answer and when it was computed. */
export interface Cached<T> {
  value: T;
  computedAt: number;
}

/** What the cache did so far (for /api/status and the benchmark: viewers must not multiply queries). */
export interface CacheStats {
  entries: number;
  computed: number;
  shared: number;
}

/**
 * A result cache shared by every viewer: an answer is computed at most once per key and per refresh
 * interval, and requests arriving while it is computed wait for that one computation (single flight).
 * Failures are not cached, so the next request tries again.
 */
export class ResultCache<T> {
  private readonly done = new Map<string, Cached<T>>();
  private readonly pending = new Map<string, Promise<Cached<T>>>();
  private computed = 0;
  private shared = 0;

  constructor(
    private readonly refreshMs: number,
    private readonly now: () => number = Date.now,
    private readonly maxEntries = 500,
  ) {}

  /** The answer for `key`, computed by `compute` when it is missing or older than the refresh interval. */
  get(key: string, compute: () => Promise<T>): Promise<Cached<T>> {
    const hit = this.done.get(key);
    if (hit && this.now() - hit.computedAt < this.refreshMs) {
      this.shared++;
      return Promise.resolve(hit);
    }
    const running = this.pending.get(key);
    if (running) {
      this.shared++;
      return running;
    }
    this.computed++;
    const started = (async () => {
      try {
        const entry = { value: await compute(), computedAt: this.now() };
        this.done.delete(key);
        this.done.set(key, entry);
        // Oldest first: a Map keeps insertion order, and a refreshed key was re-inserted at the end.
        while (this.done.size > this.maxEntries) {
          const oldest = this.done.keys().next().value;
          if (oldest === undefined) break;
          this.done.delete(oldest);
        }
        return entry;
      } finally {
        this.pending.delete(key);
      }
    })();
    this.pending.set(key, started);
    return started;
  }

  stats(): CacheStats {
    return { entries: this.done.size, computed: this.computed, shared: this.shared };
  }
}
