import { randomUUID } from 'node:crypto';
import { dirname, join } from 'node:path';
import { type DuckDbSession, sqlString } from '../duckdb/index.js';
import { BATCH_COLUMN } from './layout.js';
import { lakeParquetFormat, lakeParquetSql } from './parquet-sql.js';
import { discardFiles } from './writer.js';

/** How to take some batches' rows out of a set of live files. */
export interface Removal {
  /** Live files to drop from the manifest (whole files of the batches, and files rewritten). */
  retire: string[];
  /** Rewritten files (the other batches' rows of a mixed file), not yet listed. */
  add: string[];
  /** Rows taken out. */
  rows: number;
}

/** Whether any of these Parquet files has the batch column (lakes written before batches have not). */
export async function hasBatchColumn(db: DuckDbSession, files: readonly string[]): Promise<boolean> {
  if (files.length === 0) return false;
  const described = await db.all(`DESCRIBE SELECT * FROM ${lakeParquetSql(files, 'union_by_name = true')}`);
  return described.some((r) => r.column_name === BATCH_COLUMN);
}

/**
 * Finds the rows of `batches` in `files` (by the `_batch` column, which merges keep) and plans their
 * removal: a file holding only those rows is retired; a file mixing them with other batches' rows (after
 * a merge) is rewritten without them. Run under the table lock so that the plan matches what is live.
 */
export async function planBatchRemoval(
  db: DuckDbSession,
  files: readonly string[],
  batches: readonly string[],
): Promise<Removal> {
  const removal: Removal = { retire: [], add: [], rows: 0 };
  if (batches.length === 0 || !(await hasBatchColumn(db, files))) return removal;
  const ids = batches.map(sqlString).join(', ');
  const hits = await db.all(
    `SELECT filename AS file, count(*) FILTER (WHERE ${BATCH_COLUMN} IN (${ids})) AS hit, count(*) AS total
     FROM ${lakeParquetSql(files, 'union_by_name = true, filename = true, hive_partitioning = false')}
     GROUP BY filename HAVING hit > 0`,
  );
  try {
    for (const h of hits) {
      const file = String(h.file);
      removal.retire.push(file);
      removal.rows += Number(h.hit);
      if (Number(h.hit) === Number(h.total)) continue;
      const target = join(
        dirname(file),
        `${Date.now().toString(36)}-${randomUUID().slice(0, 8)}-kept.parquet`,
      );
      await db.run(
        `COPY (SELECT * FROM ${lakeParquetSql(file)}
           WHERE ${BATCH_COLUMN} IS NULL OR ${BATCH_COLUMN} NOT IN (${ids}))
         TO ${sqlString(target)} ${await lakeParquetFormat(db)}`,
      );
      removal.add.push(target);
    }
  } catch (err) {
    discardFiles(removal.add);
    throw err;
  }
  return removal;
}
