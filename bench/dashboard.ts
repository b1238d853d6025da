/**
 * Dashboard benchmark: time to first chart and to a fully drawn overview in Chromium, the API's p50/p95
 * per analysis (computed, not cached) against the same analysis run directly on an engine (the peer:
 * what the server adds), and whether 20 browsers on the overview multiply the statements the lake sees.
 *
 *   node dist/bench/dashboard.js [--orders 50000] [--events 200000] [--runs 5]
 */
import { existsSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { join } from 'node:path';
import { loadCatalog, runAnalysis } from '../src/analyses/index.js';
import { CHROMIUM_ARGS, chromiumPath, startDashboard } from '../src/dashboard/index.js';
import { openEngine } from '../src/engines/index.js';
import { buildBenchDataset } from './dataset.js';

const arg = (name: string, fallback: number) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? Number(process.argv[i + 1]) : fallback;
};
const orders = arg('orders', 50_000);
const events = arg('events', 200_000);
const runs = arg('runs', 5);
const skipApi = process.argv.includes('--skip-api');
const dir = join('.bench-data', `dashboard-${orders}`);
const ms = (v: number) => `${v < 100 ? v.toFixed(1) : Math.round(v).toLocaleString('en-US')} ms`;
const pct = (values: number[], p: number) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] ?? 0;
};

async function time<T>(task: () => Promise<T>): Promise<number> {
  const t0 = performance.now();
  await task();
  return performance.now() - t0;
}

async function main(): Promise<void> {
  if (!existsSync(join(dir, 'lake', 'orders'))) {
    await buildBenchDataset(dir, { orders, events, customers: Math.max(100, orders / 10) });
  }
  console.log(
    `dashboard bench: ${orders} orders, ${events} events; ${cpus().length} × ${cpus()[0]?.model.trim()}, ` +
      `Node ${process.version}, load ${loadavg()
        .map((l) => l.toFixed(2))
        .join(' ')}, ${new Date().toISOString()}`,
  );

  // API p50/p95 per analysis with the cache off (refresh 0 ms: every request computes), and the peer.
  if (!skipApi) await apiLatencies();
  await browsers();
}

async function apiLatencies(): Promise<void> {
  const uncached = await startDashboard({ engine: { dataDir: dir }, refreshMs: 0, port: 0 });
  const engine = await openEngine({ dataDir: dir });
  console.log('\n| analysis | API p50 | API p95 | direct p50 | direct p95 |\n|---|---|---|---|---|');
  try {
    for (const analysis of await loadCatalog()) {
      const url = `${uncached.url}/api/analyses/${analysis.name}`;
      await fetch(url).then((r) => r.arrayBuffer()); // warm-up
      await runAnalysis(engine, analysis, {});
      const api: number[] = [];
      const direct: number[] = [];
      for (let i = 0; i < runs; i++) {
        api.push(await time(() => fetch(url).then((r) => r.arrayBuffer())));
        direct.push(await time(() => runAnalysis(engine, analysis, {})));
      }
      console.log(
        `| ${analysis.name} | ${ms(pct(api, 50))} | ${ms(pct(api, 95))} | ${ms(pct(direct, 50))} | ${ms(pct(direct, 95))} |`,
      );
    }
  } finally {
    await engine.close();
    await uncached.close();
  }
}

async function browsers(): Promise<void> {
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
