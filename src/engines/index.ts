export { DuckDbSession, defaultMemoryLimit, sqlIdent, sqlString, toDollarParams } from './duckdb.js';
export { DuckDbEngine, type OpenOptions } from './duckdb-engine.js';
export { keysOfFilesSql, tableSelectSql } from './lake-views.js';
export type { Engine, Row, SqlParams } from './types.js';
