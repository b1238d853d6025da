import { type ChartSpec, chooseChart, pickMeasure } from '../../chart-choice.js';
import { fetchCatalog, runAnalysis } from '../api.js';
import { drawChart } from '../charts.js';
import { h } from '../dom.js';
import { formatValue } from '../format.js';
import { messageOf, Panel } from '../panel.js';
import { type AnalysisInfo, type ColumnInfo, type LiveSnapshot, liveSchema, type Row } from '../types.js';

/** The overview's shared filters, kept in the URL so that a link reproduces the view. */
interface Filters {
  from: string;
  to: string;
  region: string;
  device: string;
  tz: string;
}

/** One panel of the overview: which analysis, which filters it takes, how it is drawn. */
interface PanelSpec {
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
const PANELS: PanelSpec[] = [
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

const ZONES = [
  'UTC',
  'America/New_York',
  'America/Los_Angeles',
  'Europe/London',
  'Europe/Paris',
  'Asia/Tokyo',
];

function filtersFromUrl(): Filters {
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

async function loadPanel(
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

function tile(id: string, title: string): HTMLElement {
  return h(
    'div',
    { class: 'tile', id },
    h('span', { class: 'label' }, title),
    h('span', { class: 'value', 'data-value': '' }, '…'),
  );
}

function setTile(id: string, value: number | null, format: ColumnInfo['format'], suffix = ''): void {
  const el = document.querySelector<HTMLElement>(`#${id} .value`);
  if (!el) return;
  el.dataset.value = value === null ? '' : String(value);
  el.textContent = value === null ? '—' : `${formatValue(value, format)}${suffix}`;
}

function drawLive(snap: LiveSnapshot, live: Panel, perMinute: Panel, ingestion: Panel): void {
  setTile('tile-orders-total', snap.ordersTotal, 'number');
  setTile('tile-orders-today', snap.ordersToday, 'number');
  setTile('tile-revenue-today', snap.revenueToday, 'money');
  setTile('tile-events', snap.eventsTotal, 'number');
  setTile('tile-rate', snap.rowsPerSecond, 'number', ' rows/s');
  setTile('tile-lag', snap.lagSeconds, 'number', ' s');
  if (snap.problem) live.error(snap.problem);
  else live.ready(`as of ${new Date(snap.at).toLocaleTimeString()} (${snap.tz}; today is ${snap.today})`);
  const minuteColumns: ColumnInfo[] = [
    { name: 'minute', type: 'string', nullable: false, format: 'number' },
    { name: 'orders', type: 'integer', nullable: false, format: 'number' },
  ];
  if (snap.perMinute.length === 0) perMinute.empty('No orders in the last hour.');
  else {
    let chart = perMinute.body.querySelector<HTMLElement>('.chart');
    if (!chart) {
      chart = h('div', { class: 'chart', role: 'img', 'aria-label': 'orders per minute chart' });
      perMinute.body.replaceChildren(chart);
    }
    drawChart(chart, chooseChart(minuteColumns), snap.perMinute);
    perMinute.ready();
  }
  let chart = ingestion.body.querySelector<HTMLElement>('.chart');
  if (!chart) {
    chart = h('div', { class: 'chart', role: 'img', 'aria-label': 'ingestion chart' });
    ingestion.body.replaceChildren(chart);
  }
  const rate: ColumnInfo = { name: 'rowsPerSecond', type: 'number', nullable: false, format: 'number' };
  const rows = snap.history.map((p) => ({ ...p, at: new Date(p.at).toLocaleTimeString() }));
  drawChart(chart, { kind: 'line', x: 'at', measure: rate, series: null }, rows);
  ingestion.ready(`${formatValue(snap.walBytes)} bytes waiting in the collector's WAL`);
}

/** The overview: live counters (server-sent events) and the seed's questions under shared filters. */
export async function renderOverview(root: HTMLElement, signal: AbortSignal): Promise<void> {
  const f = filtersFromUrl();
  const input = (name: keyof Filters, type: string, label: string) =>
    h('label', {}, label, h('input', { name, type, value: f[name] }));
  const select = (name: keyof Filters, label: string, values: string[], any: string | null) => {
    const el = h(
      'select',
      { name },
      ...(any === null ? [] : [h('option', { value: '' }, any)]),
      ...values.map((v) => h('option', { value: v }, v)),
    );
    el.value = f[name];
    return h('label', {}, label, el);
  };
  const zones = [...new Set([...ZONES, Intl.DateTimeFormat().resolvedOptions().timeZone])];
  const filters = h(
    'form',
    { class: 'filters', 'aria-label': 'filters' },
    input('from', 'date', 'From'),
    input('to', 'date', 'To'),
    select('region', 'Region', [], 'all regions'),
    // The clickstream's device enum (src/lake/tables.ts).
    select('device', 'Device', ['desktop', 'mobile', 'tablet'], 'all devices'),
    select('tz', 'Time zone', zones, null),
  );
  const live = new Panel('Live', 'live', 'wide');
  live.body.append(
    h(
      'div',
      { class: 'tiles' },
      tile('tile-orders-total', 'Orders in the lake'),
      tile('tile-orders-today', 'Orders today'),
      tile('tile-revenue-today', 'Revenue today'),
      tile('tile-events', 'Events'),
      tile('tile-rate', 'Ingestion rate'),
      tile('tile-lag', 'Ingestion lag'),
    ),
  );
  live.loading('live counters');
  const perMinute = new Panel('Orders per minute (last hour)', 'per-minute');
  const ingestion = new Panel('Ingestion rate', 'ingestion');
  perMinute.loading('orders per minute');
  ingestion.loading('ingestion');
  const panels = PANELS.map((p) => ({ spec: p, panel: new Panel(p.title, p.id) }));
  root.replaceChildren(
    h('h1', {}, 'Overview'),
    filters,
    h('div', { class: 'grid' }, live.el, perMinute.el, ingestion.el, ...panels.map((p) => p.panel.el)),
  );

  filters.addEventListener('change', () => {
    const next = new URLSearchParams();
    for (const [key, value] of new FormData(filters))
      if (typeof value === 'string' && value) next.set(key, value);
    if (next.get('tz') === 'UTC') next.delete('tz');
    history.replaceState(null, '', `/${next.size ? `?${next}` : ''}`);
    void renderOverviewAgain();
  });
  const renderOverviewAgain = () => {
    root.dispatchEvent(new CustomEvent('rerender', { bubbles: true }));
  };

  const events = new EventSource(`/api/live?tz=${encodeURIComponent(f.tz)}`);
  events.addEventListener('counters', (event) => {
    const parsed = liveSchema.safeParse(
      JSON.parse(event instanceof MessageEvent ? String(event.data) : 'null'),
    );
    if (parsed.success) drawLive(parsed.data, live, perMinute, ingestion);
    else live.error('the server sent counters this page cannot read');
  });
  events.addEventListener('error', () => {
    if (events.readyState === EventSource.CLOSED) live.error('the live connection closed: reload the page');
  });
  signal.addEventListener('abort', () => events.close());

  let catalog: AnalysisInfo[] = [];
  try {
    catalog = await fetchCatalog();
  } catch (err) {
    for (const p of panels) p.panel.error(messageOf(err));
    return;
  }
  const loadAll = () =>
    Promise.all(
      panels.map((p) =>
        loadPanel(
          p.panel,
          p.spec,
          catalog.find((a) => a.name === p.spec.analysis),
          f,
        ),
      ),
    );
  for (const p of panels) p.panel.loading(p.spec.analysis);
  await loadAll();
  // Regions come from the data (the shop's own labels), read from the revenue-by-region result.
  void runAnalysis('sales-by-region', {})
    .then((r) => {
      const el = filters.querySelector<HTMLSelectElement>('select[name=region]');
      if (!el) return;
      for (const row of r.rows) el.append(h('option', { value: String(row.region) }, String(row.region)));
      el.value = f.region;
    })
    .catch(() => undefined);
  // The server shares each result between viewers and computes it again at most every refresh interval.
  let timer = setTimeout(function again() {
    void loadAll().then(() => {
      if (!signal.aborted) timer = setTimeout(again, refreshMs);
    });
  }, refreshMs);
  signal.addEventListener('abort', () => clearTimeout(timer));
}
