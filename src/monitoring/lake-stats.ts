import { statSync } from 'node:fs';
import type { DuckDbSession } from '../duckdb/index.js';
import {
  type DataLayout,
  filesByPartition,
  liveFiles,
  parquetRowCounts,
  TABLE_NAMES,
  type TableName,
  tableDirectory,
} from '../lake/index.js';

/** Size of one table's live data. */
export interface TableStats {
  rows: number;
  bytes: number;
  files: number;
  partitions: number;
}

/**
 * Counts rows from Parquet footers only (no data pages), remembering each file's count: lake files never
 * change once written, so a refresh reads the footers of new files only.
 */
export class LakeStats {
  private readonly rowsByFile = new Map<string, number>();

  constructor(private readonly layout: DataLayout) {}

  /** Rows, bytes, files and partitions of every table as its manifest lists them now. */
  async measure(db: DuckDbSession): Promise<Map<TableName, TableStats>> {
    const out = new Map<TableName, TableStats>();
    const live = new Set<string>();
    for (const table of TABLE_NAMES) {
      const files = liveFiles(tableDirectory(this.layout, table));
      for (const f of files) live.add(f);
      const unknown = files.filter((f) => !this.rowsByFile.has(f));
      if (unknown.length > 0) {
        for (const [file, n] of await parquetRowCounts(db, unknown)) this.rowsByFile.set(file, n);
      }
      let rows = 0;
      let bytes = 0;
      for (const f of files) {
        rows += this.rowsByFile.get(f) ?? 0;
        bytes += statSync(f).size;
      }
      out.set(table, { rows, bytes, files: files.length, partitions: filesByPartition(files).size });
    }
    // Files merged away or rolled back are forgotten, so the cache holds the live files only.
    for (const f of this.rowsByFile.keys()) if (!live.has(f)) this.rowsByFile.delete(f);
    return out;
  }
}
