import { plot } from 'asciichart';
import type { Analysis } from '../analyses/index.js';
import { columnsOf } from './catalog-info.js';
import { type ChartSpec, chooseChart } from './chart-choice.js';

type Row = Record<string, unknown>;

const num = (v: unknown) => (typeof v === 'number' ? v : Number(v ?? 0));
const label = (v: unknown) => (v === null || v === undefined ? '(none)' : String(v));
const SPARKS = '▁▂▃▄▅▆▇█';
const short = (v: number, format: string) => {
  const text = Intl.NumberFormat('en-US', { notation: 'compact', maximumFractionDigits: 1 }).format(v);
  return format === 'percent' ? `${(v * 100).toFixed(1)}%` : format === 'money' ? `$${text}` : text;
};

/** A sparkline of values: one block character per value, from the smallest to the largest. */
export function sparkline(values: number[]): string {
  const min = Math.min(...values);
  const span = Math.max(...values) - min;
  return values.map((v) => SPARKS[span === 0 ? 0 : Math.round(((v - min) / span) * 7)] ?? ' ').join('');
}

/**
 * Horizontal bars scaled to `width` characters, a label and the value on each line. Written by hand:
 * a dozen lines, where the terminal chart packages draw line plots only (asciichart, used for series).
 */
export function bars(items: { name: string; value: number }[], format: string, width = 40): string[] {
  const max = Math.max(...items.map((i) => Math.abs(i.value)), 0);
  const pad = Math.min(28, Math.max(...items.map((i) => i.name.length)));
  return items.map((i) => {
    const n = max === 0 ? 0 : Math.round((Math.abs(i.value) / max) * width);
    return `${i.name.slice(0, pad).padEnd(pad)} ${'█'.repeat(n)}${n === 0 ? '▏' : ''} ${short(i.value, format)}`;
  });
}

function byCategory(rows: Row[], key: string, measure: string): { name: string; value: number }[] {
  const totals = new Map<string, number>();
  for (const r of rows) totals.set(label(r[key]), (totals.get(label(r[key])) ?? 0) + num(r[measure]));
  return [...totals].map(([name, value]) => ({ name, value }));
}

/** The lines of a terminal chart for a result, chosen like the dashboard's; null when it has none. */
export function terminalChart(spec: ChartSpec, rows: Row[], width = 40): string[] | null {
  if (rows.length === 0) return null;
  switch (spec.kind) {
    case 'line': {
      const series = byCategory(rows, spec.x, spec.measure.name);
      const values = series.map((s) => s.value);
      const title = `${spec.measure.name} by ${spec.x}, ${series[0]?.name} → ${series.at(-1)?.name}`;
      if (values.length > width * 2) return [title, sparkline(values)];
      return [
        title,
        ...plot(values, { height: 10, format: (x) => short(x, spec.measure.format).padStart(8) }).split('\n'),
      ];
    }
    case 'bar':
    case 'pie':
      return [
        `${spec.measure.name} by ${spec.category}`,
        ...bars(byCategory(rows, spec.category, spec.measure.name), spec.measure.format, width),
      ];
    case 'funnel': {
      const first = spec.segment ? label(rows[0]?.[spec.segment]) : null;
      const shown = spec.segment ? rows.filter((r) => label(r[spec.segment ?? '']) === first) : rows;
      const items = shown.map((r) => ({ name: label(r[spec.label]), value: num(r[spec.measure.name]) }));
      return [
        `${spec.measure.name} per step${first ? ` (${first})` : ''}`,
        ...bars(items, spec.measure.format, width),
      ];
    }
    case 'compare':
      return [
        `${spec.a.name} against ${spec.b.name}`,
        ...bars(
          rows.flatMap((r) => [
            { name: `${label(r[spec.category])} ${spec.a.name}`, value: num(r[spec.a.name]) },
            { name: `${label(r[spec.category])} ${spec.b.name}`, value: num(r[spec.b.name]) },
          ]),
          spec.a.format,
          width,
        ),
      ];
    case 'histogram': {
      const values = rows.map((r) => num(r[spec.measure.name]));
      const min = Math.min(...values);
      const step = (Math.max(...values) - min) / 8 || 1;
      const counts = new Array<number>(8).fill(0);
      for (const v of values) {
        const i = Math.min(7, Math.floor((v - min) / step));
        counts[i] = (counts[i] ?? 0) + 1;
      }
      const items = counts.map((n, i) => ({
        name: `≥ ${short(min + i * step, spec.measure.format)}`,
        value: n,
      }));
      return [`${spec.measure.name}: rows per range`, ...bars(items, 'number', width)];
    }
    case 'heatmap':
    case 'none':
      return null;
  }
}

/** The terminal chart of an analysis's rows (`shoplake query … --chart`), or null when it has none. */
export function analysisTerminalChart(analysis: Analysis, rows: Row[], width = 40): string[] | null {
  const columns = columnsOf(analysis);
  return terminalChart(chooseChart(columns, rows), rows, width);
}
