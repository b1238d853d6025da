export {
  AccessRefused,
  type DashboardRequest,
  dashboardAuthenticator,
  decideAccess,
  isApiPath,
  keyAuthorize,
  LOCAL_VIEWER,
  READING_ROLES,
  SESSION_COOKIE,
} from './access.js';
export { type Authorize, createDashboard, type Dashboard, type DashboardOptions } from './app.js';
export {
  type AnalysisInfo,
  type ColumnInfo,
  columnsOf,
  describeAnalysis,
  describeCatalog,
} from './catalog-info.js';
export { type ChartSpec, chooseChart } from './chart-choice.js';
export { type ErrorBody, errorBody } from './errors.js';
export { LiveCounters, type LiveSnapshot } from './live.js';
export {
  buildReport,
  CHROMIUM_ARGS,
  chromiumPath,
  printPdf,
  type ReportData,
  type ReportFilters,
  reportHtml,
} from './report/index.js';
export { ResultCache } from './result-cache.js';
export { type RunningDashboard, startDashboard } from './server.js';
export { type SqlAnswer, SqlRunner } from './sql-runner.js';
export { WEB_DIR, webFileText } from './static.js';
export { analysisTerminalChart, bars, sparkline, terminalChart } from './terminal-chart.js';
