/** Per-key token buckets: `rate` records per second, bursting up to one second's worth. */
export class RateLimiter {
  private readonly buckets = new Map<string, { tokens: number; at: number }>();
  constructor(
    private readonly rate: number,
    private readonly now: () => number = () => performance.now(),
  ) {}

  /** Takes `cost` tokens; returns 0 when allowed, else the seconds to wait before retrying. */
  take(key: string, cost: number): number {
    const now = this.now();
    const bucket = this.buckets.get(key) ?? { tokens: this.rate, at: now };
    bucket.tokens = Math.min(this.rate, bucket.tokens + ((now - bucket.at) / 1000) * this.rate);
    bucket.at = now;
    this.buckets.set(key, bucket);
    // A request larger than the burst is let through on a full bucket rather than refused forever.
    const need = Math.min(cost, this.rate);
    if (bucket.tokens >= need) {
      bucket.tokens -= cost;
      return 0;
    }
    return Math.max(1, Math.ceil((need - bucket.tokens) / this.rate));
  }
}
