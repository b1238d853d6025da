/** Latency percentiles (ms) of a sample, by sorting: the sample is small enough (one per request). */
export function percentiles(samples: number[]): { p50: number; p95: number; p99: number } {
  const sorted = Float64Array.from(samples).sort();
  const at = (q: number) =>
    sorted.length ? (sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? 0) : 0;
  return { p50: at(0.5), p95: at(0.95), p99: at(0.99) };
}
