export { DuckDbEngine, type OpenOptions } from './duckdb-engine.js';
export type { Engine, Row, SqlParams } from './types.js';
