/** @deprecated outside src/engines: open engines with openEngine. Kept for tests written before it. */

/** Placeholders are engine-neutral (`:name`); every engine binds them by these names. */
export { placeholderNames } from '../duckdb/index.js';
export { DuckDbEngine, type OpenOptions } from './duckdb-engine.js';
export { type EngineKind, engineKindSchema, type OpenEngineOptions, openEngine } from './open.js';
export { assertDataDir } from './table-status.js';
export {
  type Column,
  collectRows,
  type Engine,
  type Row,
  type RowStream,
  type RunOptions,
  type SqlParams,
  type TableState,
  type TableStatus,
} from './types.js';
export { withRunOptions } from './with-options.js';
