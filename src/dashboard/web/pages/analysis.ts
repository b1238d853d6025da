import { chooseChart } from '../../chart-choice.js';
import { ApiError, downloadUrl, fetchCatalog, runAnalysis } from '../api.js';
import { drawChart } from '../charts.js';
import { h } from '../dom.js';
import { paramsForm } from '../form.js';
import { messageOf, Panel } from '../panel.js';
import { resultTable } from '../table.js';
import type { AnalysisInfo } from '../types.js';

/** The catalog as a list of links, one page per analysis. */
export async function renderCatalog(root: HTMLElement): Promise<void> {
  const panel = new Panel('Analyses', 'catalog');
  root.replaceChildren(h('h1', {}, 'Analyses'), panel.el);
  panel.loading('the catalog');
  try {
    const catalog = await fetchCatalog();
    panel.body.replaceChildren(
      h(
        'ul',
        { class: 'catalog' },
        ...catalog.map((a) =>
          h('li', {}, h('a', { href: `/analyses/${a.name}`, 'data-link': '' }, a.name), ' — ', a.description),
        ),
      ),
    );
    panel.ready();
  } catch (err) {
    panel.error(messageOf(err));
  }
}

async function show(panel: Panel, info: AnalysisInfo, params: Record<string, string>): Promise<void> {
  panel.loading(info.name);
  try {
    const result = await runAnalysis(info.name, params);
    if (result.rows.length === 0) {
      panel.empty('No rows: nothing in the lake matches these parameters.');
      return;
    }
    const spec = chooseChart(info.columns, result.rows);
    const chart = h('div', { class: 'chart', role: 'img', 'aria-label': `${info.name} chart` });
    // Downloads come from the server (the same shared, masked result), so each one is audited.
    const csv = h(
      'a',
      { href: downloadUrl(info.name, params, 'csv'), download: `${info.name}.csv`, class: 'button' },
      'Download CSV',
    );
    const json = h(
      'a',
      { href: downloadUrl(info.name, params, 'json'), download: `${info.name}.json`, class: 'button' },
      'Download JSON',
    );
    const notes = result.notes.map((n) => h('p', { class: 'note' }, `note: ${n.message}`));
    panel.body.replaceChildren(
      ...(spec.kind === 'none' ? [] : [chart]),
      h('div', { class: 'toolbar' }, csv, json),
      ...notes,
      resultTable(info.columns, result.rows, `${info.name}: ${result.rows.length} rows`),
    );
    if (spec.kind !== 'none') drawChart(chart, spec, result.rows);
    panel.ready(`${result.rows.length} rows, computed ${new Date(result.computedAt).toLocaleTimeString()}`);
  } catch (err) {
    // A lake too short for a model (churn needs months of history) is a fact about the data, said as
    // such, not a failure of the page.
    if (err instanceof ApiError && err.code === 'too_little_history') panel.empty(err.message);
    else panel.error(messageOf(err));
  }
}

/** One analysis: its form (from the parameter schema), its chart (from the row schema) and table. */
export async function renderAnalysis(root: HTMLElement, name: string): Promise<void> {
  const catalog = await fetchCatalog();
  const info = catalog.find((a) => a.name === name);
  if (!info) {
    root.replaceChildren(
      h('h1', {}, name),
      h('p', { class: 'status', role: 'alert' }, `unknown analysis '${name}': see the list of analyses`),
    );
    return;
  }
  const panel = new Panel('Result', 'result', 'wide');
  const params = Object.fromEntries(new URL(location.href).searchParams);
  const form = paramsForm(info.params.properties ?? {}, new URL(location.href).searchParams, (next) => {
    // The URL carries the parameters, so it reproduces this view when shared or reloaded.
    const query = new URLSearchParams(next).toString();
    history.pushState(null, '', `/analyses/${name}${query ? `?${query}` : ''}`);
    void show(panel, info, next);
  });
  root.replaceChildren(
    h('h1', {}, info.name),
    h('p', { class: 'lead' }, info.description),
    h('p', { class: 'hint' }, `Engines: ${info.engines}`),
    form,
    panel.el,
  );
  // A parameter without a default (e.g. also-bought's product) is asked for before anything runs.
  const kebab = (name: string) => name.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`);
  const missing = (info.params.required ?? []).filter((p) => !(p in params) && !(kebab(p) in params));
  if (missing.length > 0) {
    panel.empty(`Fill in ${missing.join(', ')} above and run: this analysis has no default for it.`);
    return;
  }
  await show(panel, info, params);
}
