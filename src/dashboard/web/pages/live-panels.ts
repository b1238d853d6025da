import { chooseChart } from '../../chart-choice.js';
import { drawChart } from '../charts.js';
import { h } from '../dom.js';
import { formatValue } from '../format.js';
import type { Panel } from '../panel.js';
import type { ColumnInfo, LiveSnapshot } from '../types.js';

/** A live counter tile; drawLive fills it. */
export function tile(id: string, title: string): HTMLElement {
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

/** Draws a live snapshot: the tiles, orders per minute, the ingestion rate. */
export function drawLive(snap: LiveSnapshot, live: Panel, perMinute: Panel, ingestion: Panel): void {
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
