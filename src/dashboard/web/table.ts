import { h } from './dom.js';
import { formatValue } from './format.js';
import type { ColumnInfo, Row } from './types.js';

/** A result as a table, numbers right-aligned and formatted for the viewer's locale. */
export function resultTable(columns: ColumnInfo[], rows: Row[], caption: string): HTMLElement {
  const numeric = (c: ColumnInfo) => c.type === 'number' || c.type === 'integer';
  const head = h(
    'tr',
    {},
    ...columns.map((c) => h('th', { scope: 'col', class: numeric(c) ? 'num' : '' }, c.name)),
  );
  const body = rows.map((r) =>
    h(
      'tr',
      {},
      ...columns.map((c) =>
        h('td', { class: numeric(c) ? 'num' : '', 'data-column': c.name }, formatValue(r[c.name], c.format)),
      ),
    ),
  );
  return h(
    'div',
    { class: 'table-wrap', tabindex: '0', role: 'region', 'aria-label': caption },
    h('table', {}, h('caption', {}, caption), h('thead', {}, head), h('tbody', {}, ...body)),
  );
}
