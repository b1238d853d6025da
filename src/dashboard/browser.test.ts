import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { z } from 'zod';
import { collectorConfigSchema, type RunningCollector, startCollector } from '../collector/index.js';
import { replay, synthetic } from '../replay/index.js';
import { createKey } from '../security/index.js';
import { tempDir } from '../testing/index.js';
import {
  chartMarks,
  launchChromium,
  panelErrors,
  panelsSettled,
  shot,
  watchPage,
} from './browser.test-helper.js';
import { createDashboard, type Dashboard, describeCatalog, startDashboard } from './index.js';
import { cli, cliQuery, smallLake } from './lake.test-helper.js';

const KEY = 'dashboard-test-key';
// The chart each kind of row schema gets (chosen from the schema alone, see web/chart-choice.ts).
const KINDS: Record<string, string> = {
  '/analyses/funnel': 'funnel',
  '/analyses/cohort-retention': 'heatmap',
  '/analyses/revenue-by-day': 'line',
  '/analyses/sessions': 'line',
  '/analyses/sales-by-region': 'bar',
  '/analyses/top-products': 'bar',
  '/analyses/ab-test': 'compare',
  '/analyses/rfm-customers': 'histogram',
};
const money = (v: unknown) =>
  new Intl.NumberFormat('en-US', { style: 'currency', currency: 'USD' }).format(Number(v));
const plain = (v: unknown) => new Intl.NumberFormat('en-US', { maximumFractionDigits: 2 }).format(Number(v));

// `shoplake serve` as it runs: the collector with the dashboard mounted for every other path.
describe('dashboard in Chromium', () => {
  const { dir, cleanup } = tempDir('shoplake-dashboard-browser-');
  let browser: Browser | null = null;
  let dashboard: Dashboard;
  let server: RunningCollector;

  before(async () => {
    await smallLake(dir);
    browser = await launchChromium();
    dashboard = createDashboard({ engine: { dataDir: dir }, pollMs: 250 });
    server = await startCollector({
      dataDir: dir,
      config: collectorConfigSchema.parse({ writeKeys: [KEY], compactIntervalMs: 300 }),
      port: 0,
      fallback: dashboard.listener,
    });
  });
  after(async () => {
    await browser?.close();
    await dashboard?.close();
    await server?.close();
    cleanup();
  });

  const open = async (path: string): Promise<{ page: Page; problems: string[] }> => {
    if (!browser) throw new Error('no browser');
    const page = await browser.newPage({ locale: 'en-US', viewport: { width: 1400, height: 1000 } });
    const problems = watchPage(page);
    await page.goto(server.url + path);
    // Every panel has left its loading state (ready, empty or error).
    await panelsSettled(page, 60_000);
    return { page, problems };
  };

  test('every page loads with no console error and no failed request, and every chart draws', async (t) => {
    if (!browser) return t.skip('Chromium is not installed');
    const pages = [
      '/',
      '/analyses',
      '/sql?q=SELECT%201%20AS%20one',
      ...(await describeCatalog()).map((a) => `/analyses/${a.name}`),
    ];
    for (const path of pages) {
      const { page, problems } = await open(path);
      const errors = await panelErrors(page);
      assert.deepEqual(errors, [], `${path}: panels in error`);
      const marks = await chartMarks(page);
      for (const [i, n] of marks.entries()) assert.ok(n > 3, `${path}: chart ${i} drew ${n} shapes`);
      const kind = KINDS[path];
      if (kind) assert.equal(await page.getAttribute('#result .chart', 'data-kind'), kind, path);
      if (path === '/') await page.screenshot({ path: shot('overview'), fullPage: true });
      if (path === '/analyses/funnel')
        await page.screenshot({ path: shot('analysis-funnel'), fullPage: true });
      await page.close();
      assert.deepEqual(problems, [], path);
    }
  });

  test('figures on screen equal `shoplake query --format json`', async (t) => {
    if (!browser) return t.skip('Chromium is not installed');
    const { page } = await open('/analyses/top-products?by=units&limit=5');
    const expected = cliQuery(dir, 'top-products', ['--by', 'units', '--limit', '5']);
    const shown = await page.$$eval('#result tbody tr', (rows) =>
      rows.map((r) =>
        Object.fromEntries([...r.querySelectorAll('td')].map((td) => [td.dataset.column, td.textContent])),
      ),
    );
    assert.deepEqual(
      shown,
      expected.map((r) => ({
        product_id: r.product_id,
        product_name: r.product_name,
        orders: plain(r.orders),
        units: plain(r.units),
        revenue: money(r.revenue),
      })),
    );
    await page.close();
    const overview = await open('/');
    await overview.page.waitForFunction(() =>
      document.querySelector('#tile-orders-total .value')?.getAttribute('data-value'),
    );
    const total = await overview.page.getAttribute('#tile-orders-total .value', 'data-value');
    const r = cli([
      'sql',
      'SELECT count(DISTINCT order_id) AS n FROM orders',
      '--format',
      'json',
      '--data',
      dir,
    ]);
    const [byHand] = z.array(z.object({ n: z.number() })).parse(JSON.parse(r.stdout));
    assert.equal(Number(total), byHand?.n);
    await overview.page.close();
  });

  test('an analysis form rejects a bad parameter with the CLI message', async (t) => {
    if (!browser) return t.skip('Chromium is not installed');
    const { page } = await open('/analyses/top-products');
    await page.fill('#param-limit', '0');
    await page.press('#param-limit', 'Enter');
    await page.waitForSelector('#result[data-state="error"]');
    const message = await page.textContent('#result .status');
    const r = cli(['query', 'top-products', '--limit', '0', '--data', dir]);
    assert.equal(`shoplake: ${message}\n`, r.stderr);
    // The URL reproduces the view, bad parameter included.
    assert.match(new URL(page.url()).search, /(^\?|&)limit=0(&|$)/);
    await page.close();
  });

  test('live: while replay sends orders, the order count rises on screen without a reload', async (t) => {
    if (!browser) return t.skip('Chromium is not installed');
    const { page } = await open('/');
    await page.waitForFunction(() =>
      document.querySelector('#tile-orders-total .value')?.getAttribute('data-value'),
    );
    const first = Number(await page.getAttribute('#tile-orders-total .value', 'data-value'));
    let navigations = 0;
    page.on('framenavigated', () => navigations++);
    const sent = await replay(
      { ...synthetic(300, 300), origin: 'test' },
      {
        target: server.url,
        key: KEY,
        rate: 300,
        durationSeconds: 1,
        batch: 50,
        concurrency: 2,
        blackFriday: 1,
        tag: 'live',
      },
    );
    assert.ok(sent.ackedRecords > 0, JSON.stringify(sent.errors));
    await page.waitForFunction(
      (before) =>
        Number(document.querySelector('#tile-orders-total .value')?.getAttribute('data-value')) > before,
      first,
      { timeout: 5_000 },
    );
    assert.equal(navigations, 0);
    await page.screenshot({ path: shot('overview-live'), fullPage: true });
    await page.close();
  });

  // Last: it creates a viewer key in the lake, which the open dashboard above does not read.
  test('signing in with a key by keyboard sets an HttpOnly cookie and the overview draws', async (t) => {
    if (!browser) return t.skip('Chromium is not installed');
    const viewer = createKey(dir, { name: 'wall-screen', role: 'viewer' });
    // A second dashboard with keys, on the collector's Authenticator (one throttle), as `serve` mounts it.
    const guarded = await startDashboard({ engine: { dataDir: dir }, auth: server.auth, port: 0 });
    const context = await browser.newContext({ locale: 'en-US', viewport: { width: 1400, height: 1000 } });
    try {
      const page = await context.newPage();
      await page.goto(guarded.url);
      // The API answered 401: the key prompt has the focus.
      await page.waitForSelector('form.sign-in input#key:focus');
      assert.equal(await page.locator('.panel').count(), 0);
      const problems = watchPage(page);
      await page.keyboard.type(viewer.key);
      await Promise.all([page.waitForEvent('load'), page.keyboard.press('Enter')]);
      await panelsSettled(page, 60_000);
      const errors = await panelErrors(page);
      assert.deepEqual(errors, []);
      assert.ok(
        (await chartMarks(page)).some((n) => n > 0),
        'no chart drew',
      );
      assert.deepEqual(problems, []);
      assert.equal(await page.textContent('.who'), 'wall-screen (viewer)');
      const cookies = await context.cookies(guarded.url);
      assert.deepEqual(
        cookies.map((c) => [c.name, c.value === viewer.key, c.httpOnly, c.sameSite, c.secure]),
        [['shoplake_key', true, true, 'Strict', false]],
      );
      await page.screenshot({ path: shot('overview-signed-in'), fullPage: true });
      // Signing out clears the cookie and brings the prompt back.
      await Promise.all([page.waitForEvent('load'), page.click('#sign-out')]);
      await page.waitForSelector('form.sign-in input#key');
      assert.deepEqual(await context.cookies(guarded.url), []);
    } finally {
      await context.close();
      await guarded.close();
    }
  });
});
