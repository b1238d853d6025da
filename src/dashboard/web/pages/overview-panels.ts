import { type ChartSpec, chooseChart, pickMeasure } from '../../chart-choice.js';
import { runAnalysis } from '../api.js';
import { drawChart } from '../charts.js';
import { h } from '../dom.js';
import { messageOf, type Panel } from '../panel.js';
import type { AnalysisInfo, ColumnInfo, Row } from '../types.js';

/** The overview's shared filters, kept in the URL so that a link reproduces the view. */
export interface Filters {
  from: string;
  to: string;
  region: string;
  device: string;
  tz: string;
}

/** One panel of the overview: which analysis, which filters it takes, how it is drawn. */
export interface PanelSpec {
  id: string;
  title: string;
  analysis: string;
  params: (f: Filters) => Record<string, string>;
  kind?: 'pie';
  measure?: string;
  /** Rows kept when the device filter is set (for results split by device). */
  device?: string;
}

const set = (entries: [string, string][]): Record<string, string> =>
  Object.fromEntries(entries.filter(([, v]) => v !== ''));
const dates = (f: Filters) =>
  set([
    ['from', f.from],
    ['to', f.to],
  ]);
const region = (f: Filters) => set([['region', f.region]]);

// The seed's business questions, each answered by an analysis of the catalog.
export const PANELS: PanelSpec[] = [
  {
    id: 'revenue-trend',
    title: 'Revenue per day',
    analysis: 'revenue-by-day',
    params: (f) => ({ ...dates(f), ...region(f), tz: f.tz }),
  },
  { id: 'regions', title: 'Revenue by region', analysis: 'sales-by-region', params: dates },
  {
    id: 'products',
    title: 'Top products',
    analysis: 'top-products',
    params: (f) => ({ ...dates(f), ...region(f), limit: '8' }),
  },
  {
    id: 'status',
    title: 'Order status',
    analysis: 'order-status',
    params: (f) => ({ ...dates(f), ...region(f) }),
    kind: 'pie',
    measure: 'orders',
  },
  {
    id: 'tiers',
    title: 'Customer tiers',
    analysis: 'customer-tiers',
    params: region,
    kind: 'pie',
    measure: 'customers',
  },
  {
    id: 'devices',
    title: 'Purchases by device',
    analysis: 'purchases-by-device',
    params: dates,
    device: 'device',
  },
  {
    id: 'conversion',
    title: 'Conversion by device',
    analysis: 'conversion-by-device',
    params: dates,
    device: 'device',
  },
  {
    id: 'funnel',
    title: 'Funnel',
    analysis: 'funnel',
    params: (f) => ({ ...dates(f), ...(f.device ? { by: 'device' } : {}) }),
    device: 'segment',
  },
];

// How often the server computes shared results again (each answer says it); the overview asks as often.
let refreshMs = 10_000;

export const ZONES = [
  'UTC',
  'America/New_York',
  'America/Los_Angeles',
  'Europe/London',
  'Europe/Paris',
  'Asia/Tokyo',
];

export function filtersFromUrl(): Filters {
  const q = new URL(location.href).searchParams;
  return {
    from: q.get('from') ?? '',
    to: q.get('to') ?? '',
    region: q.get('region') ?? '',
    device: q.get('device') ?? '',
    tz: q.get('tz') ?? 'UTC',
  };
}

function specFor(p: PanelSpec, info: AnalysisInfo, rows: Row[]): ChartSpec {
  const measure: ColumnInfo | undefined =
    info.columns.find((c) => c.name === p.measure) ?? pickMeasure(info.columns);
  const category = info.columns.find((c) => c.type === 'string')?.name;
  if (p.kind === 'pie' && measure && category) return { kind: 'pie', category, measure };
  return chooseChart(info.columns, rows);
}

export async function loadPanel(
  panel: Panel,
  p: PanelSpec,
  info: AnalysisInfo | undefined,
  f: Filters,
): Promise<void> {
  if (!info) {
    panel.error(`the catalog has no analysis '${p.analysis}'`);
    return;
  }
  if (panel.el.dataset.state !== 'ready') panel.loading(p.analysis);
  try {
    const result = await runAnalysis(p.analysis, p.params(f));
    const rows =
      p.device && f.device ? result.rows.filter((r) => r[p.device ?? ''] === f.device) : result.rows;
    if (rows.length === 0) {
      panel.empty('No rows for these filters.');
      return;
    }
    const chart = h('div', { class: 'chart', role: 'img', 'aria-label': `${p.title} chart` });
    panel.body.replaceChildren(
      chart,
      h(
        'a',
        { href: `/analyses/${p.analysis}?${new URLSearchParams(p.params(f))}`, 'data-link': '' },
        `Open ${p.analysis}`,
      ),
    );
    drawChart(chart, specFor(p, info, rows), rows);
    refreshMs = result.refreshMs;
    panel.ready(`updated ${new Date(result.computedAt).toLocaleTimeString()}`);
  } catch (err) {
    panel.error(messageOf(err));
  }
}

/** The server's refresh interval, as the last answer said. */
export function currentRefreshMs(): number {
  return refreshMs;
}
