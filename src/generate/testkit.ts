/** Test helpers: a dataset in a temp dir and a deliberately naive CSV reader independent of the writer. */
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type GenerateOptions, generate, generateDefaults } from './index.js';

export interface Table {
  header: string[];
  rows: string[][];
  col: (name: string) => number;
}

export function readCsv(path: string): Table {
  const text = readFileSync(path, 'utf8');
  const lines = text.split('\n');
  if (lines.pop() !== '') throw new Error(`${path} does not end with a newline`);
  const header = (lines.shift() ?? '').split(',');
  const rows = lines.map((l) => l.split(','));
  const col = (name: string) => {
    const i = header.indexOf(name);
    if (i < 0) throw new Error(`no column ${name} in ${path}`);
    return i;
  };
  return { header, rows, col };
}

/** Parses a money string like 12.30 to integer cents without floating point. */
export function cents(s: string): number {
  const m = /^(\d+)\.(\d\d)$/.exec(s);
  if (!m) throw new Error(`not a 2-decimal amount: ${s}`);
  return Number(m[1]) * 100 + Number(m[2]);
}

export function tempDir(): string {
  return mkdtempSync(join(tmpdir(), 'shoplake-gen-'));
}

export const AS_OF = new Date('2024-12-02T00:00:00Z');

export async function smallDataset(over: Partial<GenerateOptions> = {}): Promise<string> {
  const out = tempDir();
  await generate({
    ...generateDefaults,
    orders: 4000,
    customers: 500,
    events: 30000,
    days: 21,
    seed: 7,
    asOf: AS_OF,
    ...over,
    out,
  });
  return out;
}

export const file = {
  orders: (d: string) => join(d, 'raw', 'orders', 'orders.csv'),
  customers: (d: string) => join(d, 'raw', 'customers', 'customers.csv'),
  clickstream: (d: string) => join(d, 'raw', 'clickstream', 'clickstream.csv'),
  products: (d: string) => join(d, 'raw', 'products', 'products.csv'),
  fraud: (d: string) => join(d, 'labels', 'fraud.csv'),
  assignments: (d: string) => join(d, 'raw', 'experiments', 'assignments.csv'),
  experiment: (d: string) => join(d, 'labels', 'experiment.csv'),
};
