import type { DuckDbSession } from '../duckdb/index.js';
import { newBatchId } from './batches.js';
import { type DataLayout, tableDirectory } from './layout.js';
import { commitTable } from './manifest.js';
import type { TableSpec } from './tables.js';
import { writeFiles } from './writer.js';

/**
 * Tests only: writes `relation` (a parenthesised SELECT with the table's columns) as one batch and commits
 * it, without ingest's validation or identity, to build small lakes of exact shape.
 */
export async function appendRows(
  db: DuckDbSession,
  layout: DataLayout,
  spec: TableSpec,
  relation: string,
): Promise<{ files: string[]; rows: number }> {
  const written = await writeFiles(db, layout, spec, relation, newBatchId());
  await commitTable(tableDirectory(layout, spec.name), (current) => ({
    files: [...current.files, ...written.files],
  }));
  return written;
}
