import { BarChart, FunnelChart, HeatmapChart, LineChart, PieChart } from 'echarts/charts';
import { GridComponent, LegendComponent, TooltipComponent, VisualMapComponent } from 'echarts/components';
import * as echarts from 'echarts/core';
import { SVGRenderer } from 'echarts/renderers';
import type { ChartSpec } from '../chart-choice.js';
import { formatCompact, formatValue } from './format.js';
import type { ColumnInfo, Row } from './types.js';

echarts.use([
  BarChart,
  FunnelChart,
  HeatmapChart,
  LineChart,
  PieChart,
  GridComponent,
  LegendComponent,
  TooltipComponent,
  VisualMapComponent,
  SVGRenderer,
]);

type Option = echarts.EChartsCoreOption;

const num = (v: unknown): number => (typeof v === 'number' ? v : Number(v ?? 0));
const label = (v: unknown): string => (v === null || v === undefined ? '(none)' : String(v));
const unique = (values: string[]) => [...new Set(values)];

function valueAxis(measure: ColumnInfo) {
  return { type: 'value', axisLabel: { formatter: (v: number) => formatCompact(v, measure.format) } };
}

function tooltip(measure: ColumnInfo) {
  return { trigger: 'item', valueFormatter: (v: unknown) => formatValue(num(v), measure.format) };
}

// One series per value of `series` (or one series), each aligned on the categories.
function grouped(rows: Row[], key: string, series: string | null, measure: ColumnInfo, type: 'bar' | 'line') {
  const categories = unique(rows.map((r) => label(r[key])));
  const groups = series ? unique(rows.map((r) => label(r[series]))) : [measure.name];
  return {
    categories,
    series: groups.map((g) => ({
      name: g,
      type,
      stack: type === 'bar' && series ? 'total' : undefined,
      showSymbol: categories.length < 40,
      data: categories.map((c) => {
        const row = rows.find((r) => label(r[key]) === c && (!series || label(r[series]) === g));
        return row ? num(row[measure.name]) : null;
      }),
    })),
  };
}

// Equal-width bins: ECharts has no histogram of its own (ecStat is a separate, unmaintained package).
function bins(values: number[], count = 12): { name: string; value: number }[] {
  if (values.length === 0) return [];
  const min = Math.min(...values);
  const max = Math.max(...values);
  const width = (max - min) / count || 1;
  const counts = new Array<number>(count).fill(0);
  for (const v of values) {
    const i = Math.min(count - 1, Math.floor((v - min) / width));
    counts[i] = (counts[i] ?? 0) + 1;
  }
  return counts.map((n, i) => ({ name: formatCompact(min + i * width), value: n }));
}

/** The ECharts option for a chart spec over rows. */
export function chartOption(spec: ChartSpec, rows: Row[]): Option | null {
  switch (spec.kind) {
    case 'none':
      return null;
    case 'line':
    case 'bar': {
      const key = spec.kind === 'line' ? spec.x : spec.category;
      const { categories, series } = grouped(rows, key, spec.series, spec.measure, spec.kind);
      const horizontal = spec.kind === 'bar' && categories.some((c) => c.length > 12);
      const categoryAxis = {
        type: 'category',
        data: horizontal ? [...categories].reverse() : categories,
        // Every label of a short category list (ECharts would skip some to avoid overlap).
        axisLabel: spec.kind === 'bar' && categories.length <= 12 ? { interval: 0 } : {},
      };
      return {
        tooltip: { ...tooltip(spec.measure), trigger: 'axis' },
        legend: spec.series ? { top: 0 } : undefined,
        grid: { left: 8, right: 16, top: spec.series ? 32 : 16, bottom: 8, containLabel: true },
        xAxis: horizontal ? valueAxis(spec.measure) : categoryAxis,
        yAxis: horizontal ? categoryAxis : valueAxis(spec.measure),
        series: horizontal ? series.map((s) => ({ ...s, data: [...s.data].reverse() })) : series,
      };
    }
    case 'pie':
      return {
        tooltip: tooltip(spec.measure),
        legend: { bottom: 0 },
        series: [
          {
            type: 'pie',
            radius: ['40%', '70%'],
            data: rows.map((r) => ({ name: label(r[spec.category]), value: num(r[spec.measure.name]) })),
          },
        ],
      };
    case 'funnel': {
      const segments = spec.segment ? unique(rows.map((r) => label(r[spec.segment ?? '']))) : [];
      const shown = spec.segment ? rows.filter((r) => label(r[spec.segment ?? '']) === segments[0]) : rows;
      return {
        tooltip: tooltip(spec.measure),
        series: [
          {
            type: 'funnel',
            sort: 'none',
            left: '10%',
            width: '80%',
            label: { position: 'inside' },
            data: shown.map((r) => ({ name: label(r[spec.label]), value: num(r[spec.measure.name]) })),
          },
        ],
      };
    }
    case 'heatmap': {
      const xs = unique(rows.map((r) => label(r[spec.x])));
      const ys = unique(rows.map((r) => label(r[spec.y])));
      const values = rows.map((r) => num(r[spec.measure.name]));
      return {
        tooltip: tooltip(spec.measure),
        grid: { left: 8, right: 16, top: 16, bottom: 48, containLabel: true },
        xAxis: { type: 'category', data: xs, name: spec.x },
        yAxis: { type: 'category', data: ys },
        visualMap: {
          min: Math.min(0, ...values),
          max: Math.max(...values, 0.0001),
          calculable: false,
          orient: 'horizontal',
          left: 'center',
          bottom: 0,
          formatter: (v: number) => formatValue(v, spec.measure.format),
        },
        series: [
          {
            type: 'heatmap',
            label: {
              show: rows.length <= 200,
              formatter: (p: { value: number[] }) => formatCompact(p.value[2] ?? 0, spec.measure.format),
            },
            data: rows.map((r) => [
              xs.indexOf(label(r[spec.x])),
              ys.indexOf(label(r[spec.y])),
              num(r[spec.measure.name]),
            ]),
          },
        ],
      };
    }
    case 'compare': {
      const categories = rows.map((r) => label(r[spec.category]));
      return {
        tooltip: { ...tooltip(spec.a), trigger: 'axis' },
        legend: { top: 0 },
        grid: { left: 8, right: 16, top: 32, bottom: 8, containLabel: true },
        xAxis: { type: 'category', data: categories },
        yAxis: valueAxis(spec.a),
        series: [spec.a, spec.b].map((m) => ({
          name: m.name,
          type: 'bar',
          data: rows.map((r) => num(r[m.name])),
        })),
      };
    }
    case 'histogram': {
      const data = bins(rows.map((r) => num(r[spec.measure.name])));
      return {
        tooltip: { trigger: 'item' },
        grid: { left: 8, right: 16, top: 16, bottom: 8, containLabel: true },
        xAxis: { type: 'category', data: data.map((d) => d.name), name: spec.measure.name },
        yAxis: { type: 'value' },
        series: [{ type: 'bar', name: 'rows', data: data.map((d) => d.value) }],
      };
    }
  }
}

/** Whether the page is in dark mode (the chart's theme follows it). */
export function isDark(): boolean {
  return document.documentElement.dataset.theme === 'dark';
}

/** Draws (or redraws) a chart into `el`; null when the result has no natural chart. */
export function drawChart(el: HTMLElement, spec: ChartSpec, rows: Row[]): boolean {
  const option = chartOption(spec, rows);
  echarts.getInstanceByDom(el)?.dispose();
  if (!option) return false;
  el.dataset.kind = spec.kind;
  const chart = echarts.init(el, isDark() ? 'dark' : null, { renderer: 'svg' });
  chart.setOption({ animation: false, backgroundColor: 'transparent', ...option });
  return true;
}

/** Resizes every chart on the page (after the window or the layout changed). */
export function resizeCharts(root: ParentNode = document): void {
  for (const el of root.querySelectorAll<HTMLElement>('.chart')) echarts.getInstanceByDom(el)?.resize();
}
