import { type ChartSpec, chooseChart, pickMeasure } from '../chart-choice.js';
import { drawChart } from './charts.js';
import { h } from './dom.js';
import { setLocale } from './format.js';
import { type ReportSection, reportDataSchema } from './report-data.js';
import { resultTable } from './table.js';

// A report reads the same wherever it is opened: figures in one locale, light theme for print.
setLocale('en-US');
document.documentElement.dataset.theme = 'light';

function specOf(section: ReportSection): ChartSpec {
  const measure = section.columns.find((c) => c.name === section.measure) ?? pickMeasure(section.columns);
  const category = section.columns.find((c) => c.type === 'string')?.name;
  if (section.chart === 'pie' && measure && category) return { kind: 'pie', category, measure };
  const auto = chooseChart(section.columns, section.rows);
  return auto.kind === 'bar' || auto.kind === 'line' ? { ...auto, measure: measure ?? auto.measure } : auto;
}

function renderSection(section: ReportSection): HTMLElement {
  const el = h(
    'section',
    { class: 'panel wide report-section', id: section.id },
    h('h2', {}, section.title),
    h('p', { class: 'reading' }, section.reading),
  );
  if (section.problem) {
    el.append(h('p', { class: 'status', role: 'alert' }, section.problem));
    return el;
  }
  const spec = specOf(section);
  if (spec.kind !== 'none' && section.rows.length > 0) {
    const chart = h('div', { class: 'chart', role: 'img', 'aria-label': `${section.title} chart` });
    el.append(chart);
    // Drawn once the section is in the document, so the chart knows its size.
    queueMicrotask(() => drawChart(chart, spec, section.rows));
  }
  const shown = section.rows.slice(0, 25);
  el.append(
    resultTable(
      section.columns,
      shown,
      `${section.analysis}${shown.length < section.rows.length ? `: first ${shown.length} of ${section.rows.length} rows` : ''}`,
    ),
  );
  return el;
}

function start(): void {
  const source = document.getElementById('report-data')?.textContent ?? 'null';
  const data = reportDataSchema.parse(JSON.parse(source));
  const main = h(
    'main',
    {},
    h('h1', {}, data.title),
    h('p', { class: 'lead' }, `${data.filters} · generated ${data.generatedAt}`),
    h('div', { class: 'grid' }, ...data.sections.map(renderSection)),
  );
  document.body.append(main);
  queueMicrotask(() => {
    document.body.dataset.ready = 'true';
  });
}

start();
