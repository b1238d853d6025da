import Table from 'cli-table3';
import { Option } from 'commander';
import { stringify } from 'csv-stringify/sync';
import { z } from 'zod';
import type { Row } from '../duckdb/index.js';

export const formatSchema = z.enum(['table', 'json', 'csv']);
export type Format = z.infer<typeof formatSchema>;

/** The --format option every command shares. */
export function formatOption(): Option {
  return new Option('--format <format>', 'output format').choices(formatSchema.options).default('table');
}

/** Prints rows in the requested format; `lines` replaces the generic table when given. */
export function printRows(rows: Row[], format: Format, lines?: string[], columns?: string[]): void {
  if (format === 'json') {
    process.stdout.write(`${JSON.stringify(rows)}\n`);
    return;
  }
  if (format === 'csv') {
    // An empty result still gets its header, so that a CSV consumer sees the columns.
    const header = rows[0] ? Object.keys(rows[0]) : (columns ?? []);
    process.stdout.write(stringify(rows, { header: true, columns: header }));
    return;
  }
  if (lines) {
    process.stdout.write(lines.length ? `${lines.join('\n')}\n` : '(no rows)\n');
    return;
  }
  process.stdout.write(`${table(rows)}\n`);
}

/** A plain text table of rows; numbers right-aligned. */
export function table(rows: Row[]): string {
  const first = rows[0];
  if (!first) return '(no rows)';
  const head = Object.keys(first);
  const t = new Table({
    head,
    style: { head: [], border: [] },
    chars: { mid: '', 'left-mid': '', 'mid-mid': '', 'right-mid': '' },
  });
  for (const row of rows) {
    t.push(
      head.map((k) => ({ content: cell(row[k]), hAlign: typeof row[k] === 'number' ? 'right' : 'left' })),
    );
  }
  return t.toString();
}

function cell(value: unknown): string {
  if (value === null || value === undefined) return '';
  if (typeof value === 'number')
    return Number.isInteger(value)
      ? String(value)
      : value.toLocaleString('en-US', { maximumFractionDigits: 4 });
  return typeof value === 'object' ? JSON.stringify(value) : String(value);
}

/** Progress and status lines go to stderr so that stdout stays machine-readable. */
export function status(message: string): void {
  process.stderr.write(`${message}\n`);
}
