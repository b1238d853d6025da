export {
  DuckDbSession,
  defaultMemoryLimit,
  isInputError,
  sqlIdent,
  sqlString,
  toDollarParams,
} from './session.js';
export type { Row, SqlParams } from './types.js';
