import type { DuckDbSession } from '../../duckdb/index.js';

/**
 * Runs a statement whose row order does not matter (the write below sorts) without DuckDB's
 * insertion-order guarantee: deriving 10.8M sessions from 40M events otherwise ran out of the ingest's
 * 3 GB memory limit (measured 2026-11-26), because order-preserving operators cannot spill as freely.
 * The setting is put back at once, so the sorted write and every other statement keep their order.
 */
export async function unordered(db: DuckDbSession, sql: string): Promise<void> {
  await db.run('SET preserve_insertion_order = false');
  try {
    await db.run(sql);
  } finally {
    await db.run('RESET preserve_insertion_order');
  }
}
