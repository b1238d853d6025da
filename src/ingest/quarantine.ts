import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { type DuckDbSession, sqlString } from '../duckdb/index.js';
import { writeReportFile } from './report-file.js';
import { rawColumns, rawRecordSql, type SourceFile } from './sources.js';
import { rawTable } from './staging.js';

/**
 * Writes every bad row of this run (the row as read, its source file and line, and every rule it broke)
 * to `<dir>/<table>/<batch>.ndjson`; returns its path.
 */
export async function writeQuarantine(
  db: DuckDbSession,
  sources: SourceFile[],
  dir: string,
  table: string,
  batchId: string,
): Promise<string> {
  const target = join(dir, table);
  mkdirSync(target, { recursive: true });
  const file = join(target, `${batchId}.ndjson`);
  const parts = ['SELECT * FROM rejects'];
  for (const [i, source] of sources.entries()) {
    const record = rawRecordSql(source, await rawColumns(db, rawTable(i)), 'r');
    parts.push(
      `SELECT ${sqlString(source.path)} AS source, c.__line AS line, c.__reason AS reason, ${record} AS record
       FROM checked c JOIN ${rawTable(i)} r ON r.__line = c.__line WHERE c.__src = ${i} AND c.__reason IS NOT NULL`,
    );
  }
  await writeReportFile(file, (path) =>
    db.run(`COPY (${parts.join(' UNION ALL ')} ORDER BY source, line) TO ${sqlString(path)} (FORMAT json)`),
  );
  return file;
}
