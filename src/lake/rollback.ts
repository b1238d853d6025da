import type { DuckDbSession } from '../duckdb/index.js';
import { UserError } from '../errors/index.js';
import { type BatchInfo, findBatch, type RollbackEntry } from './batches.js';
import { type DataLayout, tableDirectory } from './layout.js';
import { commitTable } from './manifest.js';
import { planBatchRemoval } from './remove-batches.js';

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
  await commitTable(tableDir, async ({ files }) => {
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
    return { files: [...files.filter((f) => !retire.has(f)), ...removal.add], logEntry: entry };
  });
  return report;
}

function assertLive(batch: BatchInfo): void {
  if (batch.state === 'live') return;
  const how = batch.state === 'replaced' ? `replaced by ${batch.replacedBy}` : 'rolled back';
  throw new UserError(`batch ${batch.id} was already ${how}`, { code: 'batch_not_live' });
}
