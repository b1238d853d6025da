export { describeParams, findAnalysis, loadCatalog, type ParamInfo } from './catalog.js';
export { dateRangeSql, dollars, isoDate, param } from './params.js';
export { parseParams, placeholders, runAnalysis } from './run.js';
export { type Analysis, defineAnalysis, type ParamsSchema, type RowSchema } from './types.js';
