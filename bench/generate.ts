/**
 * Generation throughput and memory: `node dist/bench/generate.js [--orders N] [--events N] [--customers N]`.
 * Run one size per process: peak RSS (maxRSS) is a process-wide high-water mark.
 */
import { rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { generate, generateDefaults } from '../src/generate/index.js';
import { naiveGenerate } from './naive-generator.js';

export interface GenerateBenchResult {
  rowsPerSec: number;
  seconds: number;
  peakRssMb: number;
}

/** Generates a dataset of the given size into a temp dir, removes it, and reports the figures. */
export async function benchGenerate(opts: {
  orders: number;
  events: number;
  customers: number;
}): Promise<GenerateBenchResult> {
  const out = join(tmpdir(), `shoplake-bench-${process.pid}`);
  try {
    const stats = await generate({
      ...generateDefaults,
      ...opts,
      out,
      asOf: new Date(Date.UTC(2025, 0, 1)),
    });
    const rows = stats.orders + stats.events + stats.customers + stats.products;
    return {
      rowsPerSec: rows / stats.seconds,
      seconds: stats.seconds,
      // maxRSS is in kilobytes.
      peakRssMb: process.resourceUsage().maxRSS / 1024,
    };
  } finally {
    await rm(out, { recursive: true, force: true });
  }
}

function flag(name: string, fallback: number): number {
  const i = process.argv.indexOf(`--${name}`);
  const v = i >= 0 ? Number(process.argv[i + 1]) : fallback;
  if (!Number.isInteger(v) || v < 0) throw new Error(`--${name} needs a whole number`);
  return v;
}

// Run only when executed directly, not when imported by a bench runner.
if (process.argv[1] && fileURLToPath(import.meta.url) === resolve(process.argv[1])) {
  const opts = {
    orders: flag('orders', generateDefaults.orders),
    events: flag('events', generateDefaults.events),
    customers: flag('customers', generateDefaults.customers),
  };
  const r = await benchGenerate(opts);
  const rows = opts.orders + opts.events + opts.customers;
  console.log(
    `generate orders=${opts.orders} events=${opts.events} customers=${opts.customers}: ` +
      `${r.seconds.toFixed(2)} s, ${Math.round(r.rowsPerSec).toLocaleString('en-US')} rows/s ` +
      `(${rows.toLocaleString('en-US')} rows), peak RSS ${Math.round(r.peakRssMb)} MB`,
  );
  // Peer, run after shoplake so that its memory does not count in the peak above.
  const peerDir = join(tmpdir(), `shoplake-bench-naive-${process.pid}`);
  try {
    const peerSeconds = await naiveGenerate(peerDir, opts);
    const peerRate = rows / peerSeconds;
    console.log(
      `naive seed-style generator (independent uniform fields): ${peerSeconds.toFixed(2)} s, ` +
        `${Math.round(peerRate).toLocaleString('en-US')} rows/s; shoplake/naive = ${(r.rowsPerSec / peerRate).toFixed(2)}`,
    );
  } finally {
    await rm(peerDir, { recursive: true, force: true });
  }
}
