/**
 * For tests that build a DuckDB engine directly (commands, servers and benchmarks use openEngine). Kept
 * out of index.ts so that importing the engines' API does not load the DuckDB engine and its client.
 */
export { DuckDbEngine, type OpenOptions } from './duckdb-engine.js';
