import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { type DuckDbSession, sqlIdent, sqlString } from '../duckdb/index.js';
import type { TableSpec } from '../lake/index.js';
import { DUPS_TABLE } from './dedup.js';
import { writeReportFile } from './report-file.js';
import type { SourceFile } from './sources.js';

/**
 * Writes every row this batch dropped as a duplicate to `<dir>/<table>/<batch>.ndjson`, one JSON object
 * per line: its source file and line, its key, the row as it would have been loaded, and what it
 * duplicates — `{"in":"lake","batch":…}` (the batch that loaded the row already in the lake; null for
 * rows loaded before batches existed) or `{"in":"input","source":…,"line":…}` (an earlier row of the
 * same input). Returns the file's path.
 */
export async function writeDuplicates(
  db: DuckDbSession,
  spec: TableSpec,
  sources: SourceFile[],
  dir: string,
  batchId: string,
): Promise<string> {
  const target = join(dir, spec.name);
  mkdirSync(target, { recursive: true });
  const file = join(target, `${batchId}.ndjson`);
  const paths = sources.map((s, i) => `(${i}, ${sqlString(s.path)})`).join(', ');
  const field = (name: string) => `${sqlString(name)}, c.${sqlIdent(name)}`;
  const key = `json_object(${spec.key.map(field).join(', ')})`;
  const record = `json_object(${spec.columns.map((c) => field(c.name)).join(', ')})`;
  const of = `CASE WHEN d.in_lake THEN json_object('in', 'lake', 'batch', d.of_batch)
    ELSE json_object('in', 'input', 'source', o.path, 'line', d.of_line) END`;
  await writeReportFile(file, (path) =>
    db.run(
      `COPY (SELECT s.path AS source, c.__line AS line, ${key} AS key, ${of} AS duplicate_of, ${record} AS record
       FROM ${DUPS_TABLE} d JOIN checked c ON c.rowid = d.__row
       JOIN (VALUES ${paths}) s(i, path) ON s.i = c.__src
       LEFT JOIN (VALUES ${paths}) o(i, path) ON o.i = d.of_src
       ORDER BY c.__src, c.__line) TO ${sqlString(path)} (FORMAT json)`,
    ),
  );
  return file;
}
