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
  /** Rows dropped as duplicates, with what they repeat (one NDJSON file per batch). */
  duplicates: string;
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
    duplicates: join(root, 'duplicates'),
    staging: join(root, 'lake', '.staging'),
  };
}

/**
 * A staging entry that a long-lived process keeps for as long as it runs (the compaction process's DuckDB
 * spill directory), named after its process id so that `doctor` can tell it from a crashed writer's
 * leftover however long it has been untouched.
 */
export function processStagingEntry(layout: DataLayout, purpose: string, pid: number = process.pid): string {
  return join(layout.staging, `${purpose}-pid${pid}`);
}

/** The process id a staging entry's name gives its owner (processStagingEntry), or null for any other. */
export function stagingEntryOwner(name: string): number | null {
  const m = /^[a-z]+-pid([1-9][0-9]*)$/.exec(name);
  return m?.[1] ? Number(m[1]) : null;
}

/** Hive-style partition column name used in every partitioned table's directories (`part=2026-11-01`). */
export const PARTITION_COLUMN = 'part';

// A file's partition directory's value, e.g. `2026-11-01` in `…/part=2026-11-01/b1-0.parquet`.
const PARTITION_DIRECTORY = new RegExp(`[/\\\\]${PARTITION_COLUMN}=([^/\\\\]+)[/\\\\]`);

/**
 * Column every lake file carries with the id of the batch that loaded the row. It survives merges, so a
 * batch can be rolled back after compaction; the engines' views list their columns and never show it.
 */
export const BATCH_COLUMN = '_batch';

/** The directory of a table in the lake. */
export function tableDirectory(layout: DataLayout, table: string): string {
  return join(layout.lake, table);
}

/** How much time one partition of a time-partitioned table spans. */
export type PartitionGrain = 'hour' | 'day' | 'month' | 'year';

/**
 * A partition should hold about this many rows (a few MB of Parquet) before it is split finer: one file
 * per day for 10,000 lines over four years meant 1,900 tiny files, and every query paid for opening them.
 */
export const PARTITION_TARGET_ROWS = 250_000;

/** The finest grain at which a batch's partitions average at least PARTITION_TARGET_ROWS rows; else year. */
export function partitionGrain(rows: number, days: number, months: number): PartitionGrain {
  if (days > 0 && rows / days >= PARTITION_TARGET_ROWS) return 'day';
  if (months > 0 && rows / months >= PARTITION_TARGET_ROWS) return 'month';
  return 'year';
}

// 'hour' is chosen by a writer, never by volume: the sessions table, whose small refreshes rewrite files.
const GRAIN_FORMAT: Record<PartitionGrain, string> = {
  hour: '%Y-%m-%dT%H',
  day: '%Y-%m-%d',
  month: '%Y-%m',
  year: '%Y',
};

/**
 * SQL giving a row's partition value at a grain: `2026`, `2026-11` or `2026-11-01`. Every value is a
 * prefix of the row's date, so a partition directory still says which time range its files hold.
 */
export function partitionSql(timeColumn: string, grain: PartitionGrain): string {
  // A DATE is written into a directory name as YYYY-MM-DD, what strftime gives, for a ninth of the CPU
  // of writing 4M events (no text built per row before the partitions are told apart).
  if (grain === 'day') return `CAST(CAST(${timeColumn} AS TIMESTAMP) AS DATE)`;
  return `strftime(CAST(${timeColumn} AS TIMESTAMP), '${GRAIN_FORMAT[grain]}')`;
}

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

/**
 * Whether a lake file may hold events between `lo` and `hi` (timestamps as text, 'YYYY-MM-DD HH:MM:SS'):
 * a partition value is a prefix of its rows' times at its grain (`2026`, `2026-11`, `2026-11-01`,
 * `2026-11-01T10`: partitionSql), so it may when it lies between the bounds' prefixes of its
 * length. A file outside any partition may hold anything.
 */
export function partitionMayHold(file: string, lo: string, hi: string): boolean {
  const part = PARTITION_DIRECTORY.exec(file)?.[1];
  if (part === undefined) return true;
  const value = part.replace('T', ' ');
  return value >= lo.slice(0, value.length) && value <= hi.slice(0, value.length);
}
