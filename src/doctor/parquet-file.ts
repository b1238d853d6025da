import type { DuckDbSession } from '../duckdb/index.js';
import { BATCH_COLUMN, lakeParquetSql, type TableSpec } from '../lake/index.js';

/** What reading one Parquet file of a table found. */
export type ParquetCheck =
  | { ok: true; columns: string[]; rows: number; batches: (string | null)[] }
  | { ok: false; problem: string };

/**
 * Reads a file as the lake would: its schema, its row count and the distinct values of its batch column
 * (which reads that column's pages, not only the footer). A file that fails, or that lacks a column the
 * table requires, is not a usable lake file.
 */
export async function checkParquetFile(
  db: DuckDbSession,
  spec: TableSpec,
  file: string,
): Promise<ParquetCheck> {
  const source = lakeParquetSql(file);
  let columns: string[];
  let rows = 0;
  const batches: (string | null)[] = [];
  try {
    columns = (await db.all(`DESCRIBE SELECT * FROM ${source}`)).map((r) => String(r.column_name));
    if (columns.includes(BATCH_COLUMN)) {
      for (const r of await db.all(`SELECT ${BATCH_COLUMN} AS b, count(*) AS n FROM ${source} GROUP BY 1`)) {
        batches.push(r.b === null ? null : String(r.b));
        rows += Number(r.n);
      }
    } else {
      rows = Number((await db.all(`SELECT count(*) AS n FROM ${source}`))[0]?.n ?? 0);
      batches.push(null);
    }
  } catch (err) {
    const text = err instanceof Error ? err.message : String(err);
    return { ok: false, problem: `not readable as Parquet (${text.split('\n')[0]?.slice(0, 160)})` };
  }
  const missing = spec.columns.filter((c) => !c.optional && !columns.includes(c.name)).map((c) => c.name);
  if (missing.length > 0) return { ok: false, problem: `lacks the column(s) ${missing.join(', ')}` };
  return { ok: true, columns, rows, batches };
}
