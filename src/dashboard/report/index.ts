export { buildReport, type ReportData, type ReportFilters, type ReportSection } from './build.js';
export { reportHtml } from './html.js';
export { CHROMIUM_ARGS, chromiumPath, printPdf } from './pdf.js';
