import { scoreUnscored } from '../../fraud/index.js';
import { generate, generateDefaults } from '../../generate/index.js';
import { buildLake } from '../../ingest/index.js';

// Small on purpose: Spark's fixed cost per query (~0.1–1 s on local[2]) dominates, not the data.
// 35 days: price-backtest needs 28 days of training before its held-out week.
const SIZE = { orders: 5000, customers: 500, events: 20_000, days: 35, seed: 9 };
const AS_OF = new Date('2025-03-03T00:00:00Z');

/**
 * Generates and loads the lake the Spark parity tests compare engines on, into `dir`: every table an
 * analysis reads (an experiment `parity-test`, warehouses and stock, the competitor feed, fraud scores).
 */
export async function buildParityLake(dir: string): Promise<void> {
  await generate({
    ...generateDefaults,
    ...SIZE,
    asOf: AS_OF,
    out: dir,
    experiment: { name: 'parity-test', lift: 0.2, split: 0.5 },
    // Warehouses and stock for inventory and reorder.
    inventory: true,
    // The competitor feed, for the pricing analyses (their default reads it).
    pricing: true,
  });
  await buildLake(dir);
  // fraud-alerts reads the fraud model's scores, which `shoplake build-lake` adds after loading.
  await scoreUnscored(dir);
}
