import { sqlIdent, sqlString } from '../duckdb/index.js';
import { type DataLayout, sqlType, tableFiles } from './layout.js';
import type { TableSpec } from './tables.js';

/**
 * SELECT over a table's live Parquet files with every column cast to its declared type, so queries see
 * the same schema whatever wrote the files; an empty typed relation when nothing is loaded yet. `files`
 * (default: the manifest's list now) lets a reader use the very list it already checked.
 */
export function tableSelectSql(
  layout: DataLayout,
  spec: TableSpec,
  files: readonly string[] = tableFiles(layout, spec),
): string {
  const columns = spec.columns.map(
    (c) => `CAST(${sqlIdent(c.name)} AS ${sqlType(c.type)}) AS ${sqlIdent(c.name)}`,
  );
  if (files.length === 0) {
    const empty = spec.columns.map((c) => `CAST(NULL AS ${sqlType(c.type)}) AS ${sqlIdent(c.name)}`);
    return `SELECT ${empty.join(', ')} WHERE false`;
  }
  // The manifest's list, not a glob: files being added or merged right now are not half-visible.
  const list = files.map(sqlString).join(', ');
  const source = `read_parquet([${list}], hive_partitioning = true, union_by_name = true)`;
  // Files written before an optional column existed (orders.discount) lack it: the empty relation
  // joined by name gives every optional column, NULL where a file does not have it.
  const optional = spec.columns.filter((c) => c.optional);
  if (optional.length === 0) return `SELECT ${columns.join(', ')} FROM ${source}`;
  const declared = optional.map((c) => `CAST(NULL AS ${sqlType(c.type)}) AS ${sqlIdent(c.name)}`);
  return `SELECT ${columns.join(', ')} FROM (SELECT * FROM ${source} UNION ALL BY NAME SELECT ${declared.join(', ')} WHERE false)`;
}

/** SELECT of the key columns of exactly these Parquet files (for duplicate checks on part of a table). */
export function keysOfFilesSql(spec: TableSpec, files: string[]): string {
  const keys = spec.key.map((k) => {
    const column = spec.columns.find((c) => c.name === k);
    return `CAST(${sqlIdent(k)} AS ${sqlType(column?.type ?? 'text')}) AS ${sqlIdent(k)}`;
  });
  const list = files.map(sqlString).join(', ');
  return `SELECT ${keys.join(', ')} FROM read_parquet([${list}], union_by_name = true)`;
}
