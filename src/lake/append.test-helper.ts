import type { DuckDbSession } from '../duckdb/index.js';
import { newBatchId } from './batches.js';
import { type DataLayout, sqlType, tableDirectory } from './layout.js';
import { commitTable } from './manifest.js';
import type { TableSpec } from './tables.js';
import { writeFiles } from './writer.js';

/**
 * Tests only: writes `relation` (a parenthesised SELECT with the table's columns) as one batch and commits
 * it, without ingest's validation or identity, to build small lakes of exact shape. Columns the relation
 * leaves out are NULL.
 */
export async function appendRows(
  db: DuckDbSession,
  layout: DataLayout,
  spec: TableSpec,
  relation: string,
): Promise<{ files: string[]; rows: number }> {
  // Columns the relation does not name (added to the spec later, e.g. orders.line_id) are NULL.
  const empty = spec.columns.map((c) => `CAST(NULL AS ${sqlType(c.type)}) AS "${c.name}"`).join(', ');
  const full = `(SELECT * FROM ${relation} UNION ALL BY NAME SELECT ${empty} WHERE false)`;
  const written = await writeFiles(db, layout, spec, full, newBatchId());
  await commitTable(tableDirectory(layout, spec.name), (current) => ({
    files: [...current.files, ...written.files],
  }));
  return written;
}
