import { stringify } from 'csv-stringify/sync';

/** Rows as CSV text with a header line (the download route): dates as ISO text, as the JSON API sends them. */
export function toCsv(columns: string[], rows: Record<string, unknown>[]): string {
  return stringify(rows, {
    header: true,
    columns,
    cast: { date: (d) => d.toISOString(), bigint: (n) => n.toString() },
  });
}
