import { webFileText } from '../static.js';
import type { ReportData } from './build.js';

// Inside <script>, "</" could end the element early; JSON allows "<\/" for it.
const scriptSafe = (text: string) => text.replaceAll('</', '<\\/');

const REPORT_CSS = `
  .reading { font-size: 1.05rem; margin: .2rem 0 .6rem; }
  .report-section .table-wrap { max-height: none; }
  @media print { .grid { display: block; } .report-section { break-inside: avoid; margin-bottom: 12px; } }`;

/**
 * One self-contained HTML file: the data as JSON, the dashboard's chart code (the built report bundle,
 * ECharts inside) and its styles, all inline, so it opens from file:// with no network.
 */
export function reportHtml(data: ReportData): string {
  const css = webFileText('app.css');
  const js = webFileText('report.js');
  return `<!doctype html>
<html lang="en" data-theme="light">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${data.title.replace(/[<&]/g, '')}</title>
<link rel="icon" href="data:,">
<style>${css}${REPORT_CSS}</style>
</head>
<body>
<script type="application/json" id="report-data">${scriptSafe(JSON.stringify(data))}</script>
<script>${scriptSafe(js)}</script>
</body>
</html>
`;
}
