import { type DuckDbSession, sqlString } from '../duckdb/index.js';
import { UserError } from '../errors/index.js';
import { type BatchInfo, findBatch, type RollbackEntry } from './batches.js';
import { BATCH_COLUMN, type DataLayout, tableDirectory } from './layout.js';
import { commitTable } from './manifest.js';
import { lakeParquetSql } from './parquet-sql.js';
import { planBatchRemoval } from './remove-batches.js';
import { feedsSessions, touchedSessionsOf, withSessionsMaintained } from './sessions/index.js';

/** What a rollback removed. */
export interface RollbackReport {
  batch: string;
  table: string;
  source: string;
  rows: number;
  filesRetired: number;
  filesRewritten: number;
}

/**
 * Removes every row a batch loaded, in one commit: readers see the table with the batch or without it.
 * Rows that compaction merged into shared files are taken out by rewriting those files. Runs under the
 * table lock, so a concurrent ingest, merge or collector compaction sees the table before or after.
 */
export async function rollbackBatch(
  db: DuckDbSession,
  layout: DataLayout,
  id: string,
): Promise<RollbackReport> {
  const batch = findBatch(layout, id);
  if (!batch) throw new UserError(`no batch ${id}: 'shoplake batches' lists them`, { code: 'unknown_batch' });
  assertLive(batch);
  const tableDir = tableDirectory(layout, batch.table);
  const report: RollbackReport = {
    batch: id,
    table: batch.table,
    source: batch.source,
    rows: 0,
    filesRetired: 0,
    filesRewritten: 0,
  };
  if (batch.table === 'sessions')
    throw new UserError(
      `batch ${id} is of the derived table sessions: roll back the clickstream batch instead`,
      {
        code: 'derived_table',
      },
    );
  const commit = () =>
    commitTable(tableDir, async ({ files }) => {
      // Read again under the lock: another rollback or a replacing ingest may have come first.
      const now = findBatch(layout, id);
      if (now) assertLive(now);
      const removal = await planBatchRemoval(db, files, [id]);
      Object.assign(report, {
        rows: removal.rows,
        filesRetired: removal.retire.length - removal.add.length,
        filesRewritten: removal.add.length,
      });
      const retire = new Set(removal.retire);
      const entry: RollbackEntry = { type: 'rollback', id, at: new Date().toISOString(), rows: removal.rows };
      // The removed rows' sessions change: keep their keys (the rows leave the live files with this commit).
      if (feedsSessions(batch.table) && removal.rows > 0) await captureRemoved(db, files, id);
      return { files: [...files.filter((f) => !retire.has(f)), ...removal.add], logEntry: entry };
    });
  const source = batch.table;
  if (feedsSessions(source)) {
    await withSessionsMaintained(db, layout, async () => {
      await commit();
      const touched = report.rows > 0 ? await touchedSessionsOf(db, layout, source, 'rollback_touch') : null;
      return { result: null, touched };
    });
  } else await commit();
  return report;
}

async function captureRemoved(db: DuckDbSession, files: readonly string[], id: string): Promise<void> {
  await db.run(`CREATE OR REPLACE TEMP TABLE rollback_touch AS
    SELECT * FROM ${lakeParquetSql(files, 'union_by_name = true, hive_partitioning = false')}
    WHERE ${BATCH_COLUMN} = ${sqlString(id)}`);
}

function assertLive(batch: BatchInfo): void {
  if (batch.state === 'live') return;
  const how = batch.state === 'replaced' ? `replaced by ${batch.replacedBy}` : 'rolled back';
  throw new UserError(`batch ${batch.id} was already ${how}`, { code: 'batch_not_live' });
}
