import { generate, generateDefaults } from '../src/generate/index.js';
import { buildLake } from '../src/ingest/index.js';

/** Sizes of a benchmark dataset. */
export interface BenchSize {
  orders: number;
  events: number;
  customers: number;
}

/**
 * Generates the analyses benchmarks' dataset (fixed as-of date, an experiment so ab-test has rows) into
 * `dir`, builds its lake, and prints how long that took.
 */
export async function buildBenchDataset(dir: string, size: BenchSize): Promise<void> {
  const t0 = performance.now();
  await generate({
    ...generateDefaults,
    ...size,
    out: dir,
    asOf: new Date(Date.UTC(2025, 0, 1)),
    experiment: { name: 'bench', lift: 0.1, split: 0.5 },
  });
  await buildLake(dir);
  const s = ((performance.now() - t0) / 1000).toFixed(1);
  console.log(`dataset: ${size.orders} orders, ${size.events} events, ${size.customers} customers (${s} s)`);
}
