import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type Browser, chromium, type Page } from 'playwright-core';
import { CHROMIUM_ARGS, chromiumPath } from './index.js';

/** Where browser tests write screenshots for a person to look at (gitignored). */
export const TEST_OUTPUT = fileURLToPath(new URL('../../../.test-output/dashboard/', import.meta.url));

/**
 * Debian's Chromium through playwright-core (never a downloaded browser), or null when it is missing:
 * the tests then skip, except under CI=true, where a missing browser fails them.
 */
export async function launchChromium(): Promise<Browser | null> {
  const path = chromiumPath();
  if (!existsSync(path)) {
    if (process.env.CI === 'true')
      throw new Error(`Chromium is missing at ${path}: run scripts/test-setup.sh`);
    return null;
  }
  mkdirSync(TEST_OUTPUT, { recursive: true });
  return chromium.launch({ executablePath: path, args: CHROMIUM_ARGS });
}

/** What went wrong on a page: console errors, failed requests and uncaught exceptions. */
export function watchPage(page: Page): string[] {
  const problems: string[] = [];
  page.on('console', (m) => {
    if (m.type() === 'error') problems.push(`console: ${m.text()}`);
  });
  page.on('pageerror', (err) => problems.push(`exception: ${err.message}`));
  page.on('requestfailed', (r) =>
    problems.push(`request failed: ${r.url()} ${r.failure()?.errorText ?? ''}`),
  );
  page.on('response', (r) => {
    if (r.status() >= 400) problems.push(`HTTP ${r.status()}: ${r.url()}`);
  });
  return problems;
}

/** Counts the marks drawn in each chart of the page (SVG shapes ECharts drew). */
export async function chartMarks(page: Page): Promise<number[]> {
  return page.$$eval('.chart', (charts) =>
    charts.map((c) => c.querySelectorAll('svg path, svg rect, svg circle, svg polyline').length),
  );
}

/** The path of a screenshot under the test output. */
export function shot(name: string): string {
  return join(TEST_OUTPUT, `${name}.png`);
}

/** Waits until every panel of the page has left its loading state (ready, empty or error). */
export async function panelsSettled(page: Page, timeoutMs: number): Promise<void> {
  await page.waitForFunction(
    () =>
      document.querySelectorAll('.panel').length > 0 &&
      document.querySelectorAll('.panel[data-state="loading"], .panel:not([data-state])').length === 0,
    undefined,
    { timeout: timeoutMs },
  );
}

/** The messages of the panels that show an error. */
export async function panelErrors(page: Page): Promise<(string | null)[]> {
  return page.$$eval('.panel[data-state="error"] .status', (els) => els.map((e) => e.textContent));
}
