export { describeParams, findAnalysis, loadCatalog, type ParamInfo } from './catalog.js';
export { assertRunsOn, engineSupport, enginesFor } from './engine-support.js';
export { formatNumber } from './number-format.js';
export { dateRangeSql, dollars, isoDate, param } from './params.js';
export {
  type AnalysisResult,
  bindParams,
  parseParams,
  runAnalysis,
  runAnalysisWithNotes,
} from './run.js';
export {
  type Analysis,
  defineAnalysis,
  type Note,
  type NotesQuery,
  type ParamsSchema,
  type RowSchema,
  type UnboundUse,
} from './types.js';
