import { existsSync, readdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { ColumnType, TableSpec } from './tables.js';

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
      return 'DECIMAL(18,2)';
    case 'timestamp':
      return 'TIMESTAMP';
    case 'date':
      return 'DATE';
  }
}

/** Parquet files of a table, sorted; empty when the table has never been loaded. */
export function tableFiles(layout: DataLayout, spec: TableSpec): string[] {
  const dir = join(layout.lake, spec.name);
  if (!existsSync(dir)) return [];
  const files: string[] = [];
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    if (entry.isFile() && entry.name.endsWith('.parquet')) files.push(join(dir, entry.name));
    if (entry.isDirectory() && entry.name.startsWith(`${PARTITION_COLUMN}=`)) {
      for (const f of readdirSync(join(dir, entry.name))) {
        if (f.endsWith('.parquet')) files.push(join(dir, entry.name, f));
      }
    }
  }
  return files.sort();
}

/** Glob matching a table's Parquet files, for engines that expand globs themselves. */
export function tableGlob(layout: DataLayout, spec: TableSpec): string {
  const dir = join(layout.lake, spec.name);
  return spec.partition ? join(dir, `${PARTITION_COLUMN}=*`, '*.parquet') : join(dir, '*.parquet');
}
