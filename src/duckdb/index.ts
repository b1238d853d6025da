export { isInterrupt, isStatementError } from './errors.js';
export { exactNumber } from './exact-number.js';
export {
  encryptionUserError,
  httpfsExtensionInstalled,
  httpfsExtensionPath,
  KEY_HINT,
  type LakeKey,
  lakeKey,
  newLakeKeyText,
  parquetReadOptions,
} from './lake-key.js';
export { idSetSql, placeholderNames, sqlIdent, sqlString, toDollarParams } from './quote.js';
export { DuckDbSession, defaultMemoryLimit, type SessionOptions } from './session.js';
export type { Column, Row, RowStream, RunOptions, SqlParams } from './types.js';
