import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { type GenerateStats, generate } from '../generate/index.js';
import { buildLake } from '../ingest/index.js';

const BIN = fileURLToPath(new URL('../../../bin/shoplake.js', import.meta.url));

/** A small generated lake (2,000 orders, an A/B test, the competitor price feed, stock) the dashboard's tests read. */
export async function smallLake(dir: string): Promise<GenerateStats> {
  const stats = await generate({
    out: dir,
    orders: 2000,
    customers: 300,
    events: 8000,
    // Long enough for the churn analyses (they train on a cut-off 30 days before the end).
    days: 120,
    seed: 11,
    asOf: new Date('2026-11-25T00:00:00Z'),
    blackFriday: false,
    experiment: { name: 'checkout-v2', lift: 0.1, split: 0.5 },
    // The competitor feed the pricing analyses read, and the stock the inventory analyses read.
    pricing: true,
    inventory: true,
  });
  await buildLake(dir);
  // Order lines placed: 2,000 less those out of stock (labels/lost_demand.csv).
  return stats;
}

/** Runs the real CLI (a separate process) and returns its exit code, stdout and stderr. */
export function cli(args: string[]): { status: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [BIN, ...args], { encoding: 'utf8', timeout: 120_000 });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** `shoplake query <name> … --format json` on `dir`, parsed: the figures every view must equal. */
export function cliQuery(dir: string, name: string, params: string[] = []): Record<string, unknown>[] {
  const r = cli(['query', name, ...params, '--format', 'json', '--data', dir]);
  if (r.status !== 0) throw new Error(`shoplake query ${name} failed: ${r.stderr}`);
  const rows: unknown = JSON.parse(r.stdout);
  if (!Array.isArray(rows)) throw new Error(`shoplake query ${name} printed no JSON array`);
  return rows.filter((row): row is Record<string, unknown> => typeof row === 'object' && row !== null);
}
