import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { pathToFileURL } from 'node:url';
import type { Browser } from 'playwright-core';
import { openEngine } from '../engines/index.js';
import { tempDir } from '../testing/index.js';
import { launchChromium, shot, watchPage } from './browser.test-helper.js';
import { buildReport, printPdf, reportHtml } from './index.js';
import { cli, cliQuery, smallLake } from './lake.test-helper.js';

const money = (v: unknown) =>
  new Intl.NumberFormat('en-US', { style: 'currency', currency: 'USD' }).format(Number(v));
const TITLES = [
  'Scenario 1',
  'Scenario 2',
  'Scenario 3',
  'Scenario 4',
  'Revenue trend',
  'Funnel',
  'RFM segments',
  'Cohort retention',
  'A/B tests',
];

describe('report', () => {
  const { dir, cleanup } = tempDir('shoplake-report-');
  const html = join(dir, 'report.html');
  const pdf = join(dir, 'report.pdf');
  let browser: Browser | null = null;

  before(async () => {
    await smallLake(dir);
    const engine = await openEngine({ dataDir: dir });
    try {
      writeFileSync(html, reportHtml(await buildReport(engine, { from: '2026-11-01' })));
    } finally {
      await engine.close();
    }
    browser = await launchChromium();
  });
  after(async () => {
    await browser?.close();
    cleanup();
  });

  test('opens from file:// with no network, draws every section, and shows the CLI figures', async (t) => {
    if (!browser) return t.skip('Chromium is not installed');
    const context = await browser.newContext({ locale: 'de-DE' });
    const requests: string[] = [];
    // Anything but the file itself would need a network: refuse it and remember it.
    await context.route('**/*', (route) => {
      const url = route.request().url();
      requests.push(url);
      return url.startsWith('file:') ? route.continue() : route.abort();
    });
    const page = await context.newPage();
    const problems = watchPage(page);
    await page.goto(pathToFileURL(html).href);
    await page.waitForSelector('body[data-ready="true"]');
    assert.deepEqual(requests, [pathToFileURL(html).href]);
    assert.deepEqual(problems, []);
    const titles = await page.$$eval('.report-section h2', (els) => els.map((e) => e.textContent ?? ''));
    assert.equal(titles.length, TITLES.length);
    for (const [i, title] of TITLES.entries())
      assert.ok(titles[i]?.startsWith(title), `${titles[i]} is ${title}`);
    const readings = await page.$$eval('.reading', (els) => els.map((e) => e.textContent ?? ''));
    for (const r of readings) assert.ok(r.length > 10 && !r.startsWith('Not available'), r);
    const marks = await page.$$eval('.chart', (els) => els.map((c) => c.querySelectorAll('svg path').length));
    assert.ok(marks.length >= 8 && marks.every((n) => n > 3), JSON.stringify(marks));
    // The figures are the CLI's, in the report's own locale (en-US) whatever the viewer's.
    const regions = cliQuery(dir, 'sales-by-region', ['--from', '2026-11-01']);
    const shown = await page.$$eval('#regions tbody tr', (rows) =>
      rows.map((r) => [
        r.querySelector('[data-column="region"]')?.textContent,
        r.querySelector('[data-column="revenue"]')?.textContent,
      ]),
    );
    assert.deepEqual(
      shown,
      regions.map((r) => [r.region, money(r.revenue)]),
    );
    const total = regions.reduce((s, r) => s + Number(r.revenue), 0);
    const best = regions.reduce((a, r) => (Number(r.revenue) > Number(a.revenue) ? r : a));
    const reading = readings[0] ?? '';
    assert.ok(
      reading.startsWith(`${best.region} brings the most revenue: ${money(best.revenue)}, `),
      reading,
    );
    assert.ok(readings[0]?.includes(money(Math.round(total * 100) / 100)));
    await page.screenshot({ path: shot('report'), fullPage: true });
    await context.close();
  });

  test('--pdf prints every section through Chromium', async (t) => {
    if (!browser) return t.skip('Chromium is not installed');
    await printPdf(html, pdf);
    const info = execFileSync('pdfinfo', [pdf], { encoding: 'utf8' });
    const pages = Number(/^Pages:\s+(\d+)/m.exec(info)?.[1]);
    // Nine sections with a chart each: at least two to an A4 page, at most one and a table each.
    assert.ok(pages >= 4 && pages <= 18, `${pages} pages`);
    const text = execFileSync('pdftotext', ['-layout', pdf, '-'], { encoding: 'utf8' });
    for (const title of TITLES) assert.ok(text.includes(title), `${title} in the PDF`);
  });

  test('the command writes both files and says what it needs', async (t) => {
    if (!browser) return t.skip('Chromium is not installed');
    const out = join(dir, 'cli.html');
    const printed = join(dir, 'cli.pdf');
    const r = cli(['report', '--out', out, '--pdf', printed, '--region', 'US-EAST', '--data', dir]);
    assert.equal(r.status, 0, r.stderr);
    assert.ok(existsSync(out) && existsSync(printed));
    const none = cli(['report', '--data', dir]);
    assert.equal(none.status, 2);
    assert.match(none.stderr, /--out report\.html/);
  });
});
