/**
 * What encryption at rest costs: the same generated exports loaded into a plain and an encrypted data
 * directory (`buildLake` from scratch), then the same analyses run on each through the DuckDB engine,
 * in interleaved rounds (plain, encrypted, plain, …) in this one process, so both see the same load.
 * Prints wall times per round and the encrypted/plain ratio of the medians.
 * Usage: node dist/bench/encryption.js [--orders N] [--rounds N]   (needs `npm run setup:encryption`)
 */
import { cpSync, rmSync } from 'node:fs';
import { cpus, loadavg, totalmem } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { findAnalysis, runAnalysis } from '../src/analyses/index.js';
import { openEngine } from '../src/engines/index.js';
import { generate, generateDefaults } from '../src/generate/index.js';
import { buildLake } from '../src/ingest/index.js';
import { tempDir } from '../src/testing/index.js';

const ANALYSES = [
  'sales-by-region',
  'customer-tiers',
  'revenue-by-day',
  'top-products',
  'funnel',
  'rfm',
  'cohort-retention',
];
const KEY = Buffer.alloc(32, 0x61).toString('base64');

const { values } = parseArgs({ options: { orders: { type: 'string' }, rounds: { type: 'string' } } });
const orders = Number(values.orders ?? 50_000);
const rounds = Number(values.rounds ?? 3);

async function round(root: string, encrypted: boolean): Promise<{ build: number; analyses: number }> {
  if (encrypted) process.env.SHOPLAKE_ENCRYPTION_KEY = KEY;
  else delete process.env.SHOPLAKE_ENCRYPTION_KEY;
  const dir = join(root, encrypted ? 'encrypted' : 'plain');
  rmSync(dir, { recursive: true, force: true });
  cpSync(join(root, 'src', 'raw'), join(dir, 'raw'), { recursive: true });
  let t0 = performance.now();
  await buildLake(dir);
  const build = (performance.now() - t0) / 1000;
  const engine = await openEngine({ dataDir: dir });
  try {
    t0 = performance.now();
    for (const name of ANALYSES) await runAnalysis(engine, await findAnalysis(name), {});
    return { build, analyses: (performance.now() - t0) / 1000 };
  } finally {
    await engine.close();
  }
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? 0;

const { dir: root, cleanup } = tempDir('shoplake-bench-encryption-');
try {
  await generate({
    ...generateDefaults,
    orders,
    customers: orders / 10,
    events: orders * 4,
    days: 30,
    asOf: new Date('2026-11-25T00:00:00Z'),
    seed: 42,
    out: join(root, 'src'),
  });
  const runs = {
    plain: [] as { build: number; analyses: number }[],
    encrypted: [] as { build: number; analyses: number }[],
  };
  const loads: number[] = [];
  for (let i = 0; i < rounds; i++) {
    for (const encrypted of [false, true]) {
      const r = await round(root, encrypted);
      (encrypted ? runs.encrypted : runs.plain).push(r);
      loads.push(loadavg()[0] ?? 0);
      console.log(
        `round ${i + 1} ${encrypted ? 'encrypted' : 'plain    '}: build-lake ${r.build.toFixed(2)} s, ${ANALYSES.length} analyses ${r.analyses.toFixed(2)} s`,
      );
    }
  }
  const gb = Math.round(totalmem() / 2 ** 30);
  console.log(
    `${orders} orders, ${orders * 4} events; ${rounds} round(s); ${cpus().length} cores (${cpus()[0]?.model ?? '?'}), ${gb} GB; ` +
      `load average ${Math.min(...loads).toFixed(1)}–${Math.max(...loads).toFixed(1)}; ${new Date().toISOString().slice(0, 10)}`,
  );
  for (const part of ['build', 'analyses'] as const) {
    const plain = median(runs.plain.map((r) => r[part]));
    const enc = median(runs.encrypted.map((r) => r[part]));
    console.log(
      `${part === 'build' ? 'build-lake' : 'analyses  '}: plain ${plain.toFixed(2)} s, encrypted ${enc.toFixed(2)} s, ratio ${(enc / plain).toFixed(2)}×`,
    );
  }
} finally {
  cleanup();
}
