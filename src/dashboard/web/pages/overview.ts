import { fetchCatalog, runAnalysis } from '../api.js';
import { h } from '../dom.js';
import { messageOf, Panel } from '../panel.js';
import { type AnalysisInfo, liveSchema } from '../types.js';
import { drawLive, tile } from './live-panels.js';
import {
  currentRefreshMs,
  type Filters,
  filtersFromUrl,
  loadPanel,
  PANELS,
  ZONES,
} from './overview-panels.js';

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
      if (!signal.aborted) timer = setTimeout(again, currentRefreshMs());
    });
  }, currentRefreshMs());
  signal.addEventListener('abort', () => clearTimeout(timer));
}
