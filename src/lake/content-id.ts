import { createHash } from 'node:crypto';
import type { ColumnSpec, TableSpec } from './tables.js';

/**
 * The column of a table's key that the source may leave empty (orders' line_id, clickstream's
 * event_id); ingest then derives it from the row's content. Null when every key column is required.
 */
export function derivedKeyColumn(spec: TableSpec): ColumnSpec | null {
  return spec.columns.find((c) => c.optional && spec.key.includes(c.name)) ?? null;
}

/**
 * Hex digits of md5 kept in a derived line id. The id only tells lines of one order apart (the key is
 * order_id + line_id), so 48 bits make a collision between two lines of an order of even a thousand
 * lines a one-in-a-hundred-million-times-a-million event, and the column costs half of 24 digits.
 */
export const LINE_ID_HEX_DIGITS = 12;

/**
 * The line id of an order line sent without one, for the first of identical lines (file ingest appends
 * '.2', '.3' … to later identical lines of the same input): 'h' + 12 hex digits of md5 over
 * `name=value` of every non-empty column but the id, in table order, joined by '|'. Numbers are written
 * without trailing zeros, so 10.50 from a CSV and 10.5 from JSON give the same id. Adding an optional
 * column to a table does not change the ids of rows that leave it empty.
 */
export function contentLineId(spec: TableSpec, record: Record<string, unknown>): string {
  const id = derivedKeyColumn(spec)?.name;
  const parts: string[] = [];
  for (const c of spec.columns) {
    const v = record[c.name];
    if (c.name === id || v === undefined || v === null || v === '') continue;
    parts.push(`${c.name}=${String(v)}`);
  }
  return `h${createHash('md5').update(parts.join('|')).digest('hex').slice(0, LINE_ID_HEX_DIGITS)}`;
}
