import { DuckDbSession, sqlIdent, sqlString } from '../duckdb/index.js';
import {
  BATCH_COLUMN,
  batchLogEntries,
  dataLayout,
  lakeParquetSql,
  manifestVersion,
  retiredFiles,
  TABLES,
  tableDirectory,
  tableSnapshot,
} from '../lake/index.js';
import type { KeySet } from './key-set.js';
import { loadTableKeys } from './lake-state.js';
import type { CollectedTable } from './records.js';

/**
 * Keeps the key sets true when rows leave the lake: after `shoplake rollback` (or an ingest --replace)
 * commits, the keys of the removed batches are forgotten, so that a client re-sending those records is
 * stored instead of answered "duplicate". It follows each table's batch log from the committed length
 * it last saw; the rows of a removed batch are still in the files the removal retired (kept on disk ten
 * minutes), which is where their keys are read from. If they are gone already, the table's keys are
 * loaded from the lake afresh.
 */
export class RemovedKeys {
  private readonly seen = new Map<CollectedTable, { version: string; log: number }>();
  private readonly running = new Map<CollectedTable, Promise<boolean>>();

  constructor(
    private readonly dataDir: string,
    private readonly keys: Map<CollectedTable, KeySet>,
    private readonly capacity: number,
    private readonly log: (line: string) => void,
  ) {}

  private dir(table: CollectedTable): string {
    return tableDirectory(dataLayout(this.dataDir), table);
  }

  /** Remembers where each table's log stands; call before the key sets are first loaded. */
  start(tables: readonly CollectedTable[]): void {
    for (const table of tables) {
      const dir = this.dir(table);
      this.seen.set(table, { version: manifestVersion(dir), log: tableSnapshot(dir).log });
    }
  }

  /**
   * Forgets the keys of batches removed since the last call (one stat when nothing changed). Callers
   * await it before answering "duplicate", so a retry after a rollback is never refused.
   */
  async sync(table: CollectedTable): Promise<void> {
    const seen = this.seen.get(table);
    if (!seen) return;
    // A catch-up that started before the latest commit read an older log: after it, look again.
    while (manifestVersion(this.dir(table)) !== seen.version) {
      let run = this.running.get(table);
      if (!run) {
        // A failure is logged and tried again on the next request (seen stays where it was); writes go on.
        run = this.catchUp(table, seen)
          .then(() => true)
          .catch((err: unknown) => {
            this.log(
              `cannot follow the ${table} batch log for rollbacks, will retry: ${String(err).split('\n')[0]}`,
            );
            return false;
          })
          .finally(() => this.running.delete(table));
        this.running.set(table, run);
      }
      if (!(await run)) return;
    }
  }

  private async catchUp(table: CollectedTable, seen: { version: string; log: number }): Promise<void> {
    const dir = this.dir(table);
    const version = manifestVersion(dir);
    const { log } = tableSnapshot(dir);
    const entries = log > seen.log ? batchLogEntries(dir, seen.log) : [];
    const removed = new Set<string>();
    let rows = 0;
    for (const e of entries) {
      if (e.type === 'rollback') {
        removed.add(e.id);
        rows += e.rows;
      } else for (const id of e.replaces) removed.add(id);
    }
    // A log shorter than before was rebuilt (doctor --repair): nothing is known of what left, so reload.
    const rebuilt = log < seen.log;
    if (removed.size > 0 || rebuilt) await this.forget(table, [...removed], rows, rebuilt);
    seen.version = version;
    seen.log = log;
  }

  private async forget(table: CollectedTable, ids: string[], rows: number, reload: boolean): Promise<void> {
    const keys = this.keys.get(table) as KeySet;
    const db = await DuckDbSession.open({ threads: 1 });
    try {
      let found: string[] = [];
      const files = retiredFiles(this.dir(table));
      if (!reload && ids.length > 0 && files.length > 0) {
        const cols = TABLES[table].key.map(sqlIdent).join(` || '|' || `);
        found = await db.column(
          `SELECT ${cols} AS k FROM ${lakeParquetSql(files, 'union_by_name = true, hive_partitioning = false')}
           WHERE ${BATCH_COLUMN} IN (${ids.map(sqlString).join(', ')})`,
        );
      }
      // Rows were removed that no retired file holds any more (or a replace, whose count is not logged
      // with it, found none): start over from what the lake holds now.
      if (reload || found.length < rows || (found.length === 0 && ids.length > 0)) {
        keys.clear();
        await loadTableKeys(db, this.dataDir, table, keys, this.capacity);
        this.log(
          `${table}: batches left the lake (${ids.join(', ') || 'manifest rebuilt'}): reloaded its keys`,
        );
        return;
      }
      for (const k of found) keys.delete(k);
      this.log(`${table}: ${ids.join(', ')} left the lake: ${found.length} of its keys may be sent again`);
    } finally {
      db.close();
    }
  }
}
