import { createRequire } from 'node:module';
import type CliTable from 'cli-table3';
import type { Row } from '../engines/index.js';
import { type ColumnFormat, cellText } from './columns.js';

const require = createRequire(import.meta.url);
let tableClass: typeof CliTable | undefined;
// Loaded when a table is first drawn: most output (seed-style lines, JSON, CSV, `query --list`) draws
// none, and loading cli-table3 and its dependencies is a visible part of a short command's start-up.
function tableConstructor(): typeof CliTable {
  const loaded: typeof CliTable = tableClass ?? require('cli-table3');
  tableClass = loaded;
  return loaded;
}

// Longer text cells (paths of user-paths, JSON values) are shortened so that one cell cannot take the line.
const MAX_CELL = 60;

/** Width the table must fit: the terminal's, $COLUMNS when output is piped, else no limit. */
export function outputWidth(): number {
  if (process.stdout.isTTY && process.stdout.columns) return process.stdout.columns;
  const columns = Number(process.env.COLUMNS);
  return Number.isInteger(columns) && columns > 20 ? columns : Number.POSITIVE_INFINITY;
}

function shorten(text: string): string {
  return text.length > MAX_CELL ? `${text.slice(0, MAX_CELL - 1)}…` : text;
}

/**
 * A plain text table, numbers right-aligned and formatted per column (money with two decimals, rates as
 * percentages). When it is wider than `width`, a single row is shown as name/value lines, and more rows
 * keep the columns that fit and say which were cut.
 */
export function renderTable(
  rows: readonly Row[],
  formats: readonly ColumnFormat[],
  width = outputWidth(),
): string[] {
  const first = rows[0];
  if (!first) return [];
  const names = Object.keys(first);
  const byName = new Map(formats.map((f) => [f.name, f]));
  let shortened = false;
  const cells = rows.map((row) =>
    names.map((n) => {
      const text = cellText(row[n], byName.get(n));
      if (text.length > MAX_CELL) shortened = true;
      return shorten(text);
    }),
  );
  const notes = shortened
    ? [
        `(values longer than ${MAX_CELL} characters end in …; use --format csv, json or ndjson for whole values)`,
      ]
    : [];
  const widths = names.map((n, i) => Math.max(n.length, ...cells.map((r) => (r[i] ?? '').length)) + 3);
  const total = widths.reduce((a, b) => a + b, 1);
  if (total <= width) return [draw(names, cells, rows, names.length), ...notes];
  if (rows.length === 1) {
    const pad = Math.max(...names.map((n) => n.length));
    return [...names.map((n, i) => `${n.padEnd(pad)}  ${cells[0]?.[i] ?? ''}`), ...notes];
  }
  let kept = 0;
  let used = 1;
  while (kept < names.length && used + (widths[kept] ?? 0) <= width) used += widths[kept++] ?? 0;
  kept = Math.max(kept, 1);
  const cut = names.slice(kept);
  return [
    draw(names, cells, rows, kept),
    `(${cut.length} column${cut.length === 1 ? '' : 's'} cut to fit ${width} characters: ${cut.join(', ')}; ` +
      'use --format csv, json or ndjson for every column)',
    ...notes,
  ];
}

function draw(names: string[], cells: string[][], rows: readonly Row[], kept: number): string {
  const t = new (tableConstructor())({
    head: names.slice(0, kept),
    style: { head: [], border: [] },
    chars: { mid: '', 'left-mid': '', 'mid-mid': '', 'right-mid': '' },
  });
  cells.forEach((row, r) => {
    t.push(
      row.slice(0, kept).map((content, i) => ({
        content,
        hAlign: typeof rows[r]?.[names[i] ?? ''] === 'number' ? 'right' : 'left',
      })),
    );
  });
  return t.toString();
}
