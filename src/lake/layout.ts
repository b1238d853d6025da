import { statSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { liveFiles } from './manifest.js';
import { type ColumnType, MONEY_SQL_TYPE, type TableSpec } from './tables.js';

/** Where a data directory keeps each kind of file. */
export interface DataLayout {
  root: string;
  raw: string;
  lake: string;
  quarantine: string;
  staging: string;
}

/** The directory layout under a data directory (`--data`, default ./data). */
export function dataLayout(dataDir: string): DataLayout {
  const root = resolve(dataDir);
  return {
    root,
    raw: join(root, 'raw'),
    lake: join(root, 'lake'),
    quarantine: join(root, 'quarantine'),
    staging: join(root, 'lake', '.staging'),
  };
}

/** Hive-style partition column name used in every partitioned table's directories (`part=2026-11-01`). */
export const PARTITION_COLUMN = 'part';

/** SQL type used for a column in the lake (DuckDB and Spark both understand these names). */
export function sqlType(type: ColumnType): string {
  switch (type) {
    case 'text':
      return 'VARCHAR';
    case 'integer':
      return 'INTEGER';
    case 'money':
      return MONEY_SQL_TYPE;
    case 'timestamp':
      return 'TIMESTAMP';
    case 'date':
      return 'DATE';
  }
}

/** Live Parquet files of a table (from its manifest), sorted; empty when the table has never been loaded. */
export function tableFiles(layout: DataLayout, spec: TableSpec): string[] {
  return liveFiles(join(layout.lake, spec.name));
}

/** Files grouped by their partition directory (a table's own directory when it is unpartitioned). */
export function filesByPartition(files: readonly string[]): Map<string, string[]> {
  const groups = new Map<string, string[]>();
  for (const file of files) {
    const dir = dirname(file);
    const group = groups.get(dir);
    if (group) group.push(file);
    else groups.set(dir, [file]);
  }
  return groups;
}

/** Bytes on disk of a table's live files. */
export function tableBytes(layout: DataLayout, spec: TableSpec): number {
  return tableFiles(layout, spec).reduce((sum, f) => sum + statSync(f).size, 0);
}
