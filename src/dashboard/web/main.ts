import { resizeCharts } from './charts.js';
import { h } from './dom.js';
import { renderAnalysis, renderCatalog } from './pages/analysis.js';
import { renderOverview } from './pages/overview.js';
import { renderSql } from './pages/sql.js';

const THEME_KEY = 'shoplake-theme';
let current = new AbortController();

function applyTheme(theme: string): void {
  document.documentElement.dataset.theme = theme;
  localStorage.setItem(THEME_KEY, theme);
}

async function route(root: HTMLElement): Promise<void> {
  current.abort();
  current = new AbortController();
  const path = location.pathname;
  for (const a of document.querySelectorAll<HTMLAnchorElement>('nav a')) {
    const active = a.pathname === '/' ? path === '/' : path.startsWith(a.pathname);
    if (active) a.setAttribute('aria-current', 'page');
    else a.removeAttribute('aria-current');
  }
  const analysis = /^\/analyses\/([a-z0-9-]+)$/.exec(path);
  if (analysis?.[1]) await renderAnalysis(root, analysis[1]);
  else if (path === '/analyses') await renderCatalog(root);
  else if (path === '/sql') renderSql(root);
  else await renderOverview(root, current.signal);
  root.focus();
}

function start(): void {
  const stored = localStorage.getItem(THEME_KEY);
  applyTheme(stored ?? (matchMedia('(prefers-color-scheme: dark)').matches ? 'dark' : 'light'));
  const root = h('main', { id: 'main', tabindex: '-1' });
  const theme = h(
    'button',
    { type: 'button', id: 'theme', 'aria-label': 'switch light and dark' },
    'Light/dark',
  );
  theme.addEventListener('click', () => {
    applyTheme(document.documentElement.dataset.theme === 'dark' ? 'light' : 'dark');
    void route(root);
  });
  const nav = h(
    'nav',
    { 'aria-label': 'pages' },
    h('a', { href: '/', 'data-link': '' }, 'Overview'),
    h('a', { href: '/analyses', 'data-link': '' }, 'Analyses'),
    h('a', { href: '/sql', 'data-link': '' }, 'SQL'),
  );
  document.body.replaceChildren(
    h('a', { href: '#main', class: 'skip' }, 'Skip to content'),
    h('header', {}, h('strong', {}, 'shoplake'), nav, theme),
    root,
  );
  // Links inside the app change the page without a reload; the URL always reproduces the view.
  document.addEventListener('click', (event) => {
    const link =
      event.target instanceof Element ? event.target.closest<HTMLAnchorElement>('a[data-link]') : null;
    if (!link || event.ctrlKey || event.metaKey || event.shiftKey) return;
    event.preventDefault();
    history.pushState(null, '', link.href);
    void route(root);
  });
  root.addEventListener('rerender', () => void route(root));
  window.addEventListener('popstate', () => void route(root));
  window.addEventListener('resize', () => resizeCharts());
  void route(root);
}

start();
