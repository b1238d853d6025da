/** A result column as the chart choice reads it (the API's ColumnInfo and the browser's have this shape). */
export interface ColumnInfo {
  name: string;
  type: 'string' | 'integer' | 'number' | 'boolean';
  nullable: boolean;
  format: 'money' | 'percent' | 'number';
}

type Row = Record<string, unknown>;

// Shared by the browser (bundled by esbuild), the report and the terminal (`query --chart`): one
// choice of chart everywhere.

/** The chart a result gets, chosen from its row schema (and, for distributions, its size). */
export type ChartSpec =
  | { kind: 'none' }
  | { kind: 'line'; x: string; measure: ColumnInfo; series: string | null }
  | { kind: 'bar'; category: string; measure: ColumnInfo; series: string | null }
  | { kind: 'pie'; category: string; measure: ColumnInfo }
  | { kind: 'funnel'; label: string; measure: ColumnInfo; segment: string | null }
  | { kind: 'heatmap'; x: string; y: string; measure: ColumnInfo }
  | { kind: 'compare'; category: string; a: ColumnInfo; b: ColumnInfo }
  | { kind: 'histogram'; measure: ColumnInfo };

const TIME = /^(day|date|minute|hour|week|month|period)$/;
const DATE_VALUE = /^\d{4}-\d{2}(-\d{2})?/;
// Which measure a chart shows first when a result has several: the business figure people ask about.
const PREFERRED = ['conversion_rate', 'revenue', 'purchases', 'sessions', 'orders', 'customers', 'units'];

const isNumeric = (c: ColumnInfo) => c.type === 'number' || c.type === 'integer';
const isIndex = (c: ColumnInfo) => c.name === 'step' || c.name.endsWith('_index');

/** The measure a chart shows: a preferred business figure, else the first number that is not an index. */
export function pickMeasure(columns: ColumnInfo[]): ColumnInfo | undefined {
  const numbers = columns.filter((c) => isNumeric(c) && !isIndex(c));
  for (const word of PREFERRED) {
    const found = numbers.find((c) => c.name === word) ?? numbers.find((c) => c.name.includes(word));
    if (found) return found;
  }
  return numbers[0];
}

/**
 * Chooses a chart from the row schema alone, so that a new analysis gets its chart with no dashboard
 * code: an ordered step column → funnel; a label and an integer *_index with a fraction → heat map
 * (cohorts); paired *_a / *_b rates → comparison; a time-named first column → time series; a text
 * category → bars; only identifiers → distribution of the measure; nothing numeric → no chart.
 */
export function chooseChart(columns: ColumnInfo[], rows: Row[] = []): ChartSpec {
  const text = columns.filter((c) => c.type === 'string');
  const measure = pickMeasure(columns);
  if (!measure) return { kind: 'none' };
  const step = columns.find((c) => c.name === 'step' && c.type === 'integer');
  if (step) {
    const label = text.find((c) => c.name !== 'segment') ?? step;
    const segment = text.find((c) => c.name === 'segment')?.name ?? null;
    return { kind: 'funnel', label: label.name, measure, segment };
  }
  const index = columns.find((c) => c.type === 'integer' && c.name.endsWith('_index'));
  const fraction = columns.find((c) => c.format === 'percent' && !c.name.startsWith('repeat'));
  if (index && fraction && text[0]) {
    return { kind: 'heatmap', x: index.name, y: text[0].name, measure: fraction };
  }
  const pairA = columns.find((c) => c.format === 'percent' && c.name.endsWith('_a'));
  const pairB = pairA && columns.find((c) => c.name === `${pairA.name.slice(0, -2)}_b`);
  if (pairA && pairB && text[0]) return { kind: 'compare', category: text[0].name, a: pairA, b: pairB };
  // Rows that are entities (an identifier first, no name to label it): the spread of the measure.
  const named = columns.some((c) => c.name.endsWith('_name'));
  if (columns[0]?.name.endsWith('_id') && !named) return { kind: 'histogram', measure };
  const labels = text.filter((c) => !c.name.endsWith('_id'));
  const first = labels[0];
  const series = labels[1]?.name ?? null;
  if (first && (TIME.test(first.name) || DATE_VALUE.test(String(rows[0]?.[first.name] ?? '')))) {
    return { kind: 'line', x: first.name, measure, series };
  }
  if (first) return { kind: 'bar', category: first.name, measure, series };
  if (text.length > 0) return { kind: 'histogram', measure };
  return { kind: 'none' };
}
