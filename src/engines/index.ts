/** Placeholders are engine-neutral (`:name`); every engine binds them by these names. */
export { placeholderNames } from '../duckdb/index.js';
export {
  CONFIG_FILE,
  ENGINE_ENV,
  type EngineSettings,
  engineConfigSchema,
  engineEnv,
  lakeUriSchema,
  readEngineConfig,
  resolveEngineChoice,
  sparkRemoteSchema,
} from './choice.js';
export { DEFAULT_ENGINE, type EngineKind, engineKindSchema } from './kind.js';
export { type EngineChoice, type OpenEngineOptions, openEngine, readsLocalLake } from './open.js';
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
