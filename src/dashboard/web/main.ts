import { ApiError, fetchSession, SIGN_IN_EVENT, signOut } from './api.js';
import { resizeCharts } from './charts.js';
import { h } from './dom.js';
import { renderAnalysis, renderCatalog } from './pages/analysis.js';
import { renderOverview } from './pages/overview.js';
import { renderSignIn } from './pages/sign-in.js';
import { renderSql } from './pages/sql.js';
import { messageOf } from './panel.js';

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
  const who = h('span', { class: 'who', 'aria-live': 'polite' });
  const out = h('button', { type: 'button', id: 'sign-out', hidden: '' }, 'Sign out');
  out.addEventListener('click', () => {
    void signOut().then(() => location.reload());
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
    h('header', {}, h('strong', {}, 'shoplake'), nav, who, out, theme),
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
  // Any 401 from the API (a key revoked meanwhile, a cookie gone) stops the page and asks for a key.
  window.addEventListener(SIGN_IN_EVENT, () => {
    current.abort();
    renderSignIn(root, 'sign in to continue');
  });
  fetchSession().then(
    (session) => {
      who.textContent = `${session.name} (${session.role})`;
      if (session.keys) out.hidden = false;
      void route(root);
    },
    // A 401 has already shown the key prompt; anything else is said in place of the page.
    (err: unknown) => {
      if (!(err instanceof ApiError && err.status === 401))
        root.replaceChildren(h('p', { class: 'status', role: 'alert' }, messageOf(err)));
    },
  );
}

start();
