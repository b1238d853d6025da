/**
 * Dashboard benchmark: time to first chart and to a fully drawn overview in Chromium, the API's p50/p95
 * per analysis, cold (computed) and warm (a shared-cache hit), against the same analysis run directly on
 * an engine (the peer: what the server adds), and whether 20 browsers on the overview multiply the
 * statements the lake sees.
 *
 *   node dist/bench/dashboard.js [--orders 50000] [--events 200000] [--data DIR] [--only a,b]
 *     [--runs 5] [--warm 20] [--direct N] [--timeout 120] [--refresh 10] [--skip-api] [--skip-browsers]
 *
 * --data DIR reads an existing data directory and never writes into it: the server runs over a scratch
 * directory whose lake/ links to DIR/lake, so the audit log and masking secret it keeps land there.
 * --runs is the number of cold requests per analysis, --warm of cached ones, --direct of direct runs
 * (default --runs, 0: none); an analysis still running after --timeout seconds is stopped and the bound
 * is its result. `live` in --only (or no --only) also times the live counters' count
 * (/api/live/snapshot, computed on every call: what each push after a landing costs).
 */
import { existsSync, mkdtempSync, rmSync, symlinkSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { CHROMIUM_ARGS, chromiumPath, startDashboard } from '../src/dashboard/index.js';
import { type ApiFigures, apiLatencies } from './dashboard-api.js';
import { buildBenchDataset } from './dataset.js';

const value = (name: string) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? process.argv[i + 1] : undefined;
};
const arg = (name: string, fallback: number) => {
  const v = Number(value(name) ?? fallback);
  if (!Number.isInteger(v) || v < 0) throw new Error(`--${name} needs a whole number`);
  return v;
};
const seconds = (name: string, fallback: number) => {
  const v = Number(value(name) ?? fallback);
  if (!(v > 0)) throw new Error(`--${name} needs a number of seconds above 0`);
  return v;
};
const orders = arg('orders', 50_000);
const events = arg('events', 200_000);
const runs = arg('runs', 5);
const given = value('data');
const only = value('only')?.split(',');
const skipApi = process.argv.includes('--skip-api');
const skipBrowsers = process.argv.includes('--skip-browsers');
const ms = (v: number) => `${v < 100 ? v.toFixed(1) : Math.round(v).toLocaleString('en-US')} ms`;
const pct = (values: number[], p: number) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] ?? 0;
};

/** A scratch data directory that reads `dir`'s lake through a link and takes whatever the server writes. */
function readOnlyView(dir: string): { dir: string; cleanup: () => void } {
  const lake = resolve(dir, 'lake');
  if (!existsSync(lake)) throw new Error(`--data ${dir}: no lake/ in it`);
  const scratch = mkdtempSync(join(tmpdir(), 'shoplake-bench-dashboard-'));
  symlinkSync(lake, join(scratch, 'lake'));
  return { dir: scratch, cleanup: () => rmSync(scratch, { recursive: true, force: true }) };
}

async function main(): Promise<void> {
  const built = join('.bench-data', `dashboard-${orders}`);
  if (!given && !existsSync(join(built, 'lake', 'orders'))) {
    await buildBenchDataset(built, { orders, events, customers: Math.max(100, orders / 10) });
  }
  const view = given ? readOnlyView(given) : { dir: built, cleanup: () => {} };
  console.log(
    `dashboard bench: ${given ? `the lake of ${given} (read only)` : `${orders} orders, ${events} events`}; ` +
      `${cpus().length} × ${cpus()[0]?.model.trim()}, Node ${process.version}, load ${loadavg()
        .map((l) => l.toFixed(2))
        .join(' ')}, ${new Date().toISOString()}`,
  );
  try {
    if (!skipApi) printApi(await api(view.dir));
    if (!skipBrowsers) await browsers(view.dir);
  } finally {
    view.cleanup();
  }
  console.log(
    `end: load ${loadavg()
      .map((l) => l.toFixed(2))
      .join(' ')}, ${new Date().toISOString()}`,
  );
}

function api(dir: string): Promise<ApiFigures[]> {
  return apiLatencies(dir, {
    cold: Math.max(1, runs),
    warm: arg('warm', 20),
    direct: arg('direct', runs),
    timeoutMs: seconds('timeout', 120) * 1000,
    refreshMs: arg('refresh', 10) * 1000,
    live: !only || only.includes('live'),
    ...(only ? { only } : {}),
  });
}

function printApi(figures: ApiFigures[]): void {
  const cell = (values: number[], p: number) => (values.length > 0 ? ms(pct(values, p)) : '—');
  console.log(
    '\n| analysis | cold p50 | cold p95 | warm p50 | warm p95 | direct p50 | rows | answer | n (cold/warm/direct) |\n' +
      '|---|---|---|---|---|---|---|---|---|',
  );
  for (const f of figures) {
    const first = f.cold.length === 0 && f.stopped ? f.stopped : cell(f.cold, 50);
    console.log(
      `| ${f.name} | ${first} | ${cell(f.cold, 95)} | ${cell(f.warm, 50)} | ${cell(f.warm, 95)} | ` +
        `${f.directStopped && f.direct.length === 0 ? f.directStopped : cell(f.direct, 50)} | ` +
        `${f.rows.toLocaleString('en-US')} | ${(f.bytes / 1e6).toFixed(2)} MB | ` +
        `${f.cold.length}/${f.warm.length}/${f.direct.length} |`,
    );
  }
  for (const f of figures.filter((x) => x.stopped && x.cold.length > 0))
    console.log(`${f.name}: ${f.stopped}`);
}

async function browsers(dir: string): Promise<void> {
  const { chromium } = await import('playwright-core');
  if (!existsSync(chromiumPath())) throw new Error(`Chromium is missing at ${chromiumPath()}`);
  const browser = await chromium.launch({ executablePath: chromiumPath(), args: CHROMIUM_ARGS });
  // A refresh interval longer than the run, so that every statement counted is one a viewer caused.
  let server = await startDashboard({ engine: { dataDir: dir }, port: 0, refreshMs: 600_000 });
  try {
    const drawn = () =>
      document.querySelectorAll('.panel').length > 0 &&
      document.querySelectorAll('.panel[data-state="loading"], .panel:not([data-state])').length === 0;
    const overview = async (fresh: boolean) => {
      const page = await browser.newPage({ viewport: { width: 1600, height: 1000 } });
      const t0 = performance.now();
      await page.goto(`${server.url}/`, { timeout: 120_000 });
      await page.waitForSelector('.chart svg path', { state: 'attached', timeout: 120_000 });
      const first = performance.now() - t0;
      await page.waitForFunction(drawn, undefined, { timeout: 120_000 });
      const full = performance.now() - t0;
      if (fresh) await page.close();
      return { first, full, page };
    };
    const cold = await overview(true);
    const single = server.dashboard.stats().statements;
    const warm = await overview(true);
    console.log(
      `\noverview in Chromium: first chart ${ms(cold.first)}, fully drawn ${ms(cold.full)} (server cache cold); ` +
        `first chart ${ms(warm.first)}, fully drawn ${ms(warm.full)} (cache warm)`,
    );

    // The first (cold) viewer's statements, then twenty viewers at once on another cold server.
    const one = cold;
    const fresh = await startDashboard({ engine: { dataDir: dir }, port: 0, refreshMs: 600_000 });
    await server.close();
    server = fresh;
    const before20 = server.dashboard.stats().statements;
    const t0 = performance.now();
    // Kept open until all are drawn, as twenty screens on a wall would be.
    const twenty = await Promise.all(Array.from({ length: 20 }, () => overview(false)));
    const wall = performance.now() - t0;
    await Promise.all(twenty.map((t) => t.page.close()));
    const many = server.dashboard.stats().statements - before20;
    console.log(
      `one viewer: ${single} lake statements (drawn in ${ms(one.full)}); twenty viewers at once: ${many} statements ` +
        `(all drawn in ${ms(wall)}, slowest ${ms(Math.max(...twenty.map((t) => t.full)))}); ratio ${(many / Math.max(1, single)).toFixed(2)}×`,
    );
    console.log(`(cache of the twenty: ${JSON.stringify(server.dashboard.stats().cache)})`);
  } finally {
    await server.close();
    await browser.close();
  }
}

await main();
