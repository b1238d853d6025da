import { runSql } from '../api.js';
import { h } from '../dom.js';
import { messageOf, Panel } from '../panel.js';
import { resultTable } from '../table.js';
import type { ColumnInfo } from '../types.js';

/** The SQL page: one read-only SELECT in the server's sandbox, the same guard as `shoplake sql`. */
export function renderSql(root: HTMLElement): void {
  const initial =
    new URL(location.href).searchParams.get('q') ??
    'SELECT region, count(*) AS lines FROM orders GROUP BY region ORDER BY 2 DESC';
  const text = h('textarea', { id: 'sql-text', rows: '6', 'aria-label': 'SQL query', spellcheck: 'false' });
  text.value = initial;
  const panel = new Panel('Result', 'sql-result', 'wide');
  const form = h('form', { class: 'sql' }, text, h('button', { type: 'submit' }, 'Run (Ctrl+Enter)'));
  const run = async () => {
    history.replaceState(null, '', `/sql?${new URLSearchParams({ q: text.value })}`);
    panel.loading('the query');
    try {
      const answer = await runSql(text.value);
      const columns: ColumnInfo[] = answer.columns.map((c) => ({
        name: c.name,
        type: c.numeric ? 'number' : 'string',
        nullable: true,
        format: 'number',
      }));
      if (answer.rows.length === 0) {
        panel.empty('No rows.');
        return;
      }
      panel.body.replaceChildren(resultTable(columns, answer.rows, `${answer.rows.length} rows`));
      panel.ready(
        answer.truncated
          ? `the first ${answer.rows.length} rows (more were left out)`
          : `${answer.rows.length} rows`,
      );
    } catch (err) {
      panel.error(messageOf(err));
    }
  };
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    void run();
  });
  text.addEventListener('keydown', (event) => {
    if (event.key === 'Enter' && (event.ctrlKey || event.metaKey)) {
      event.preventDefault();
      void run();
    }
  });
  root.replaceChildren(
    h('h1', {}, 'SQL'),
    h(
      'p',
      { class: 'lead' },
      'One read-only SELECT over orders, customers, clickstream, products and experiments (the live files only).',
    ),
    form,
    panel.el,
  );
  if (new URL(location.href).searchParams.has('q')) void run();
}
