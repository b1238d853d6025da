import { sqlIdent } from '../duckdb/index.js';
import { type DataLayout, partitionMayHold, sqlType, tableDirectory } from './layout.js';
import { tableSnapshot } from './manifest.js';
import { lakeParquetSql } from './parquet-sql.js';
import type { ColumnSpec, TableSpec } from './tables.js';

const typedColumn = (c: ColumnSpec) =>
  `CAST(${sqlIdent(c.name)} AS ${sqlType(c.type)}) AS ${sqlIdent(c.name)}`;

/** An empty relation with every column of the spec, typed. */
function emptyRelation(columns: readonly ColumnSpec[]): string {
  return `SELECT ${columns.map((c) => `CAST(NULL AS ${sqlType(c.type)}) AS ${sqlIdent(c.name)}`).join(', ')} WHERE false`;
}

/**
 * The rows of these Parquet files with every column of the spec: a column that files written before it
 * existed lack (orders' line_id, say) reads as NULL instead of failing the query.
 */
export function filesRelationSql(columns: readonly ColumnSpec[], files: readonly string[]): string {
  return `(SELECT * FROM ${lakeParquetSql(files, 'hive_partitioning = false, union_by_name = true')}
    UNION ALL BY NAME ${emptyRelation(columns)})`;
}

/**
 * SELECT over a table's live Parquet files with every column cast to its declared type, so queries see
 * the same schema whatever wrote the files; an empty typed relation when nothing is loaded yet. `files`
 * (default: the manifest's list now) lets a reader use the very list it already checked.
 */
export function tableSelectSql(layout: DataLayout, spec: TableSpec, given?: readonly string[]): string {
  const snapshot = tableSnapshot(tableDirectory(layout, spec.name));
  const files = given ?? snapshot.files;
  if (files.length === 0) return emptyRelation(spec.columns);
  const select = `SELECT ${spec.columns.map(typedColumn).join(', ')}`;
  // The column list the manifest records holds for its own files only.
  const known = given === undefined || sameFiles(given, snapshot.files) ? snapshot.columns : undefined;
  // The manifest's list, not a glob: files being added or merged right now are not half-visible.
  if (known && spec.columns.every((c) => known.includes(c.name))) {
    // Every file has every column: a plain read, so that count(*) reads no column at all.
    return `${select} FROM ${lakeParquetSql(files, 'hive_partitioning = false, union_by_name = true')}`;
  }
  return `${select} FROM ${filesRelationSql(spec.columns, files)}`;
}

/**
 * The table's live files whose partition may hold rows timed between `lo` and `hi` (partitionMayHold),
 * for a reader that binds only those (a batch's span is an hour or a day of a table of many).
 */
export function filesMayHoldSpan(layout: DataLayout, table: string, lo: string, hi: string): string[] {
  return tableSnapshot(tableDirectory(layout, table)).files.filter((f) => partitionMayHold(f, lo, hi));
}

function sameFiles(a: readonly string[], b: readonly string[]): boolean {
  const set = new Set(b);
  return a.length === b.length && a.every((f) => set.has(f));
}

/** SELECT of the key columns of exactly these Parquet files (for duplicate checks on part of a table). */
export function keysOfFilesSql(spec: TableSpec, files: string[]): string {
  const keys = spec.key.map(
    (k) => spec.columns.find((c) => c.name === k) ?? { name: k, type: 'text' as const },
  );
  return `SELECT ${keys.map(typedColumn).join(', ')} FROM ${filesRelationSql(keys, files)}`;
}
