import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { Command } from 'commander';
import { z } from 'zod';
import { findAnalysis, runAnalysis } from '../../analyses/index.js';
import { type Engine, openEngine } from '../../engines/index.js';
import { generateDefaults } from '../../generate/index.js';
import { buildLake, type IngestReport } from '../../ingest/index.js';
import { dataLayout, TABLES, tableFiles } from '../../lake/index.js';
import { parseFlags } from '../flags.js';
import { dataDir } from '../options.js';
import { status } from '../output.js';
import { phaseProgress } from '../progress.js';
import { generateWithProgress, todayUtc } from './generate.js';
import { describeReport } from './ingest.js';

const SCENARIOS = [
  ['Scenario 1 — What are our top-performing regions?', 'sales-by-region'],
  ['Scenario 2 — How many high-value customers do we have?', 'customer-tiers'],
  ['Scenario 3 — Can the system handle Black Friday traffic?', null],
  ['Scenario 4 — Which devices drive most conversions?', 'purchases-by-device'],
] as const;

const ORDER_ANALYSES = ['sales-by-region', 'top-products', 'revenue-by-day', 'order-status'];

function lakeIsBuilt(dir: string): boolean {
  const layout = dataLayout(dir);
  return (['orders', 'customers', 'clickstream'] as const).every(
    (t) => tableFiles(layout, TABLES[t]).length > 0,
  );
}

const perSecond = (rows: number, seconds: number) =>
  `${Math.round(rows / seconds).toLocaleString('en-US')}/s`;
const n = (x: number) => x.toLocaleString('en-US');

/** Scenario 3: measured throughput of the lake build and of the order analyses. */
async function throughput(engine: Engine, reports: IngestReport[]): Promise<string[]> {
  const lines: string[] = [];
  const orders = reports.find((r) => r.table === 'orders');
  if (orders) {
    lines.push(
      `lake build: ${n(orders.read)} orders validated and loaded in ${orders.seconds.toFixed(2)} s = ${perSecond(orders.read, orders.seconds)}`,
    );
    const events = reports.find((r) => r.table === 'clickstream');
    if (events)
      lines.push(
        `            ${n(events.read)} events in ${events.seconds.toFixed(2)} s = ${perSecond(events.read, events.seconds)}`,
      );
  } else {
    lines.push('lake build: already built (delete <data>/lake to measure it again)');
  }
  const [{ n: count } = { n: 0 }] = await engine.query('SELECT count(*) AS n FROM orders');
  const rounds = 5;
  const t0 = performance.now();
  for (let i = 0; i < rounds; i++) {
    for (const name of ORDER_ANALYSES) await runAnalysis(engine, await findAnalysis(name), {});
  }
  const seconds = (performance.now() - t0) / 1000;
  const runs = rounds * ORDER_ANALYSES.length;
  lines.push(
    `analyses:   ${runs} runs over ${n(Number(count))} orders in ${seconds.toFixed(2)} s = ${perSecond(Number(count) * runs, seconds)} orders scanned`,
  );
  // The seed's "millions of orders a day" with a 10x Black Friday peak: 1M/day × 10 / 86,400 s ≈ 116 orders/s.
  const peak = (1_000_000 * 10) / 86_400;
  if (orders)
    lines.push(
      `Black Friday at 10× one million orders a day is ~${Math.round(peak)} orders/s: the lake build alone has ${Math.floor(orders.read / orders.seconds / peak)}× headroom`,
    );
  return lines;
}

/** The seed's four demo scenarios, end to end: generate if needed, build the lake, answer. */
export async function runDemo(
  dir: string,
  out: (line: string) => void,
  options: { live?: boolean } = {},
): Promise<void> {
  const layout = dataLayout(dir);
  if (!existsSync(join(layout.raw, 'orders', 'orders.csv'))) {
    status(`no data in ${layout.root}: generating the default dataset`);
    await generateWithProgress({ ...generateDefaults, out: dir, asOf: todayUtc() });
  }
  let reports: IngestReport[] = [];
  if (!lakeIsBuilt(dir)) {
    status('building the Parquet lake from raw CSV');
    reports = await buildLake(dir, (r) => status(`  ${describeReport(r)}`), {
      onTable: (table) => phaseProgress(`build-lake ${table}`),
    });
  }
  const engine = await openEngine({ dataDir: dir });
  try {
    for (const [title, name] of SCENARIOS) {
      out(`\n${title}`);
      if (name === null) {
        for (const line of await throughput(engine, reports)) out(line);
        continue;
      }
      const analysis = await findAnalysis(name);
      const rows = await runAnalysis(engine, analysis, {});
      out(`$ shoplake query ${name}`);
      for (const line of analysis.render?.(rows) ?? []) out(line);
    }
  } finally {
    await engine.close();
  }
  if (options.live !== false) {
    out('\nLive — orders and events arriving through the HTTP collector (shoplake serve + replay)');
    // Loaded here: the live part (collector server, replay's HTTP client) would slow every `--help`.
    const { liveDemo } = await import('./demo-live.js');
    await liveDemo(dir, out);
  }
}

export function registerDemo(program: Command): void {
  program
    .command('demo')
    .description("answer the seed's four demo scenarios (generates data and builds the lake if absent)")
    .option('--no-live', 'skip the live collector part')
    .action(async (raw: unknown, cmd: Command) => {
      const { live } = parseFlags(z.object({ live: z.boolean().default(true) }), raw);
      await runDemo(dataDir(cmd), (line) => process.stdout.write(`${line}\n`), { live });
    });
}
