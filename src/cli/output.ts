import { once } from 'node:events';
import { createRequire } from 'node:module';
import { Option } from 'commander';
import type { Row, RowStream } from '../engines/index.js';
import type { ColumnFormat } from './columns.js';
import { type Format, formatFlag } from './flags.js';
import { renderTable } from './table.js';

export type { Format };

const require = createRequire(import.meta.url);
// Loaded for CSV output only, so that the other formats do not pay for loading it at start-up.
function stringify(...args: Parameters<typeof import('csv-stringify/sync').stringify>): string {
  const csv: typeof import('csv-stringify/sync') = require('csv-stringify/sync');
  return csv.stringify(...args);
}

/** The --format option every command shares (validated with the command's flags, see flags.ts). */
export function formatOption(): Option {
  return new Option('--format <format>', `output format: ${formatFlag.unwrap().options.join(', ')}`).default(
    'table',
  );
}

/** How rows are shown: column formats for tables, seed-style lines, and why a result may be empty. */
export interface PrintOptions {
  formats?: readonly ColumnFormat[];
  /** Replaces the generic table in table format when given. */
  lines?: string[];
  /** Column names, for the CSV header of an empty result. */
  columns?: readonly string[];
  /** Said after "(no rows" when the result is empty and the reason is known. */
  emptyReason?: string | null;
  /** For streamed results: finds the reason once the result turned out empty. */
  whenEmpty?: () => Promise<string | null>;
}

/** Prints rows held in memory in the requested format. */
export function printRows(rows: Row[], format: Format, options: PrintOptions = {}): void {
  switch (format) {
    case 'json':
      process.stdout.write(`${JSON.stringify(rows)}\n`);
      return;
    case 'ndjson':
      process.stdout.write(rows.map((r) => `${JSON.stringify(r)}\n`).join(''));
      return;
    case 'csv': {
      // An empty result still gets its header, so that a CSV consumer sees the columns.
      const header = rows[0] ? Object.keys(rows[0]) : [...(options.columns ?? [])];
      process.stdout.write(stringify(rows, { header: true, columns: header }));
      return;
    }
    case 'table': {
      const lines = options.lines ?? renderTable(rows, options.formats ?? []);
      process.stdout.write(lines.length > 0 ? `${lines.join('\n')}\n` : `${noRows(options.emptyReason)}\n`);
    }
  }
}

/** "(no rows)", with the reason when one is known. */
export function noRows(reason: string | null | undefined): string {
  return reason ? `(no rows: ${reason})` : '(no rows)';
}

/** How many rows table format shows of a streamed result before it only counts the rest. */
export const TABLE_ROWS = 100;

/**
 * Writes a streamed result as it arrives, in bounded memory: csv, json and ndjson row batch by row batch
 * (waiting when stdout is slower than the query); table format keeps the first TABLE_ROWS rows and
 * counts the others. Returns the number of rows.
 */
export async function printStream(
  stream: RowStream,
  format: Format,
  options: PrintOptions = {},
): Promise<number> {
  const columns = stream.columns.map((c) => c.name);
  const json = jsonRowWriter(stream.columns.filter((c) => c.numeric).map((c) => c.name));
  let count = 0;
  const shown: Row[] = [];
  if (format === 'json') await write('[');
  for await (const batch of stream) {
    if (format === 'table') {
      for (const row of batch) if (shown.length < TABLE_ROWS) shown.push(row);
    } else if (format === 'json') {
      await write(`${count > 0 ? ',' : ''}${batch.map(json).join(',')}`);
    } else if (format === 'ndjson') {
      await write(batch.map((r) => `${json(r)}\n`).join(''));
    } else {
      await write(stringify(batch, { header: count === 0, columns }));
    }
    count += batch.length;
  }
  if (format === 'json') await write(']\n');
  if (format === 'csv' && count === 0) await write(stringify([], { header: true, columns }));
  if (format === 'table') {
    const emptyReason = count === 0 && options.whenEmpty ? await options.whenEmpty() : options.emptyReason;
    printRows(shown, 'table', { ...options, emptyReason });
    if (count > shown.length) {
      await write(
        `(${(count - shown.length).toLocaleString('en-US')} more rows not shown of ${count.toLocaleString('en-US')}; ` +
          'use --format csv, json or ndjson for all)\n',
      );
    }
  }
  return count;
}

// A number as an engine's exact text (an integer or decimal a double cannot carry, see exactNumber).
const NUMBER_TEXT = /^-?\d+(\.\d+)?$/;

/**
 * JSON of a row in which a numeric column's value kept as exact text (9007199254740993, a DECIMAL(38,2)) is
 * written as that JSON number, digit for digit, as every other number of the column is: readers that parse
 * numbers exactly (jq 1.7, Python, Java) get the value, and the column keeps one JSON type. JSON.stringify
 * cannot write such a number (JSON.rawJSON needs Node 21), so those rows are written by hand.
 */
function jsonRowWriter(numeric: readonly string[]): (row: Row) => string {
  return (row) => {
    if (!numeric.some((name) => typeof row[name] === 'string')) return JSON.stringify(row);
    const fields = Object.entries(row).map(([name, value]) => {
      const exact = typeof value === 'string' && numeric.includes(name) && NUMBER_TEXT.test(value);
      return `${JSON.stringify(name)}:${exact ? value : JSON.stringify(value)}`;
    });
    return `{${fields.join(',')}}`;
  };
}

async function write(text: string): Promise<void> {
  if (!process.stdout.write(text)) await once(process.stdout, 'drain');
}

/** Progress and status lines go to stderr so that stdout stays machine-readable. */
export function status(message: string): void {
  process.stderr.write(`${message}\n`);
}
