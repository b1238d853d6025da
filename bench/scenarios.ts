/**
 * Seed scenarios 1, 2 and 4: latency of the seed's own awk one-liner over the raw CSV, side by side with
 * shoplake answering the same question from the Parquet lake (in process with a warm engine, and as a
 * cold CLI process). Usage: node dist/bench/scenarios.js [--data DIR] [--orders N --events N --customers N]
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { findAnalysis, runAnalysis } from '../src/analyses/index.js';
import { openEngine } from '../src/engines/index.js';
import { generate, generateDefaults } from '../src/generate/index.js';
import { buildLake } from '../src/ingest/index.js';

const SCENARIOS = [
  {
    name: 'sales-by-region',
    csv: 'orders/orders.csv',
    awk: `awk -F',' 'NR>1 {region=$10; sales[region]+=$7} END {for (r in sales) printf "%s: $%.2f\\n", r, sales[r]}' | sort -t':' -k2 -nr`,
  },
  {
    name: 'customer-tiers',
    csv: 'customers/customers.csv',
    awk: `awk -F',' 'NR>1 {tier[$9]++} END {for (t in tier) printf "%s: %d customers\\n", t, tier[t]}'`,
  },
  {
    name: 'purchases-by-device',
    csv: 'clickstream/clickstream.csv',
    awk: `awk -F',' 'NR>1 && $4=="PURCHASE" {device[$7]++} END {for (d in device) printf "%s: %d purchases\\n", d, device[d]}'`,
  },
];

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)] ?? Number.NaN;
}

async function timeIt(runs: number, fn: () => unknown): Promise<number> {
  const times: number[] = [];
  for (let i = 0; i < runs; i++) {
    const t0 = performance.now();
    await fn();
    times.push(performance.now() - t0);
  }
  return median(times);
}

async function ensureData(dir: string, sizes: { orders: number; events: number; customers: number }) {
  if (!existsSync(join(dir, 'raw', 'orders', 'orders.csv'))) {
    console.error(`generating ${sizes.orders} orders / ${sizes.events} events into ${dir}`);
    await generate({ ...generateDefaults, ...sizes, out: dir, asOf: new Date('2026-11-25T00:00:00Z') });
  }
  if (!existsSync(join(dir, 'lake', 'orders'))) await buildLake(dir);
}

async function main() {
  const { values } = parseArgs({
    options: {
      data: { type: 'string' },
      orders: { type: 'string' },
      events: { type: 'string' },
      customers: { type: 'string' },
      runs: { type: 'string', default: '5' },
    },
  });
  const sizes = {
    orders: Number(values.orders ?? generateDefaults.orders),
    events: Number(values.events ?? generateDefaults.events),
    customers: Number(values.customers ?? generateDefaults.customers),
  };
  const dir = values.data ?? join('.bench-data', `o${sizes.orders}-e${sizes.events}`);
  const runs = Number(values.runs);
  await ensureData(dir, sizes);
  const awkVersion = execFileSync('sh', ['-c', 'awk -W version 2>&1 | head -1 || true']).toString().trim();
  console.log(`seed scenarios on ${dir} (median of ${runs} runs; awk: ${awkVersion || 'awk'})`);
  console.log('scenario              awk (ms)  shoplake warm (ms)  shoplake CLI (ms)  awk/warm  awk/CLI');
  const engine = await openEngine({ dataDir: dir });
  const bin = new URL('../../bin/shoplake.js', import.meta.url).pathname;
  try {
    for (const s of SCENARIOS) {
      const file = join(dir, 'raw', s.csv);
      const awkMs = await timeIt(runs, () =>
        spawnSync('sh', ['-c', `cat '${file}' | ${s.awk}`], { stdio: 'ignore' }),
      );
      const analysis = await findAnalysis(s.name);
      await runAnalysis(engine, analysis, {});
      const warmMs = await timeIt(runs, () => runAnalysis(engine, analysis, {}));
      const cliMs = await timeIt(Math.min(runs, 3), () =>
        spawnSync(process.execPath, [bin, '--data', dir, 'query', s.name], { stdio: 'ignore' }),
      );
      const cols = [
        s.name.padEnd(20),
        awkMs.toFixed(1).padStart(9),
        warmMs.toFixed(1).padStart(19),
        cliMs.toFixed(1).padStart(18),
        `${(awkMs / warmMs).toFixed(1)}×`.padStart(9),
        `${(awkMs / cliMs).toFixed(1)}×`.padStart(8),
      ];
      console.log(cols.join(' '));
    }
  } finally {
    await engine.close();
  }
}

await main();
