import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Command } from 'commander';
import { findAnalysis, runAnalysis } from '../../analyses/index.js';
import { DuckDbEngine } from '../../engines/index.js';
import { generateDefaults } from '../../generate/index.js';
import type { IngestReport } from '../../ingest/index.js';
import { dataLayout, TABLE_NAMES } from '../../lake/index.js';
import { dataDir } from '../options.js';
import { status } from '../output.js';
import { buildLake } from './build-lake.js';
import { describeReport } from './ingest.js';
import { generateWithProgress, todayUtc } from './generate.js';

const SCENARIOS = [
  ['Scenario 1 — What are our top-performing regions?', 'sales-by-region'],
  ['Scenario 2 — How many high-value customers do we have?', 'customer-tiers'],
  ['Scenario 4 — Which devices drive most conversions?', 'purchases-by-device'],
] as const;

function lakeIsBuilt(dir: string): boolean {
  const lake = dataLayout(dir).lake;
  return TABLE_NAMES.every((t) => existsSync(join(lake, t)) && readdirSync(join(lake, t)).length > 0);
}

const rate = (rows: number, seconds: number) => `${Math.round(rows / seconds).toLocaleString('en-US')}/s`;

/** The seed's four demo scenarios, end to end: generate if needed, build the lake, answer. */
export async function runDemo(dir: string, out: (line: string) => void): Promise<void> {
  const layout = dataLayout(dir);
  if (!existsSync(join(layout.raw, 'orders', 'orders.csv'))) {
    status(`no data in ${layout.root}: generating the default dataset`);
    await generateWithProgress({ ...generateDefaults, out: dir, asOf: todayUtc() });
  }
  let buildSeconds = 0;
  let reports: IngestReport[] = [];
  if (!lakeIsBuilt(dir)) {
    status('building the Parquet lake from raw CSV');
    const t0 = performance.now();
    reports = await buildLake(dir, (r) => status(`  ${describeReport(r)}`));
    buildSeconds = (performance.now() - t0) / 1000;
  }
  const engine = await DuckDbEngine.open(dir);
  try {
    for (const [title, name] of SCENARIOS) {
      const analysis = await findAnalysis(name);
      const rows = await runAnalysis(engine, analysis, {});
      out(`\n${title}\n$ shoplake query ${name}`);
      for (const line of analysis.render?.(rows) ?? []) out(line);
    }
    out('\nScenario 3 — Can the system handle Black Friday traffic?');
    const [{ n: orderCount } = { n: 0 }] = await engine.query('SELECT count(*) AS n FROM orders');
    const orders = Number(orderCount);
    if (buildSeconds > 0) {
      const rows = reports.reduce((s, r) => s + r.read, 0);
      const orderRead = reports.find((r) => r.table === 'orders')?.read ?? 0;
      out(`lake build: ${rows.toLocaleString('en-US')} rows validated and loaded in ${buildSeconds.toFixed(2)} s`);
      out(`  orders: ${rate(orderRead, buildSeconds)} (all tables: ${rate(rows, buildSeconds)} rows)`);
    }
    const t0 = performance.now();
    const rounds = 5;
    for (let i = 0; i < rounds; i++) {
      for (const name of ['sales-by-region', 'top-products', 'revenue-by-day', 'order-status']) {
        await runAnalysis(engine, await findAnalysis(name), {});
      }
    }
    const seconds = (performance.now() - t0) / 1000;
    const scanned = orders * 4 * rounds;
    out(`analyses: ${4 * rounds} order analyses over ${orders.toLocaleString('en-US')} orders in ${seconds.toFixed(2)} s`);
    out(`  ${rate(scanned, seconds)} orders processed (Black Friday at 10× the default load is ~${Math.round((orders * 10) / (30 * 86400))} orders/s)`);
  } finally {
    await engine.close();
  }
}

export function registerDemo(program: Command): void {
  program
    .command('demo')
    .description("answer the seed's four demo scenarios (generates data and builds the lake if absent)")
    .action(async (_opts, cmd: Command) => {
      await runDemo(dataDir(cmd), (line) => process.stdout.write(`${line}\n`));
    });
}
