import { type DuckDbSession, lakeKey, parquetReadOptions, sqlString } from '../duckdb/index.js';

/**
 * The one way shoplake reads its own Parquet files: `read_parquet` over exactly these files with
 * `options` (DuckDB's named parameters, comma-separated), decrypting them when the lake is encrypted.
 * Every reader of lake files (engines, compaction, rollback, erasure, doctor…) builds its SQL here, so
 * none can forget the key. The result goes where a table goes (`FROM …`).
 */
export function lakeParquetSql(
  files: string | readonly string[],
  options = 'hive_partitioning = false',
): string {
  const list = typeof files === 'string' ? [files] : files;
  const byName = /\bunion_by_name\s*=\s*true\b/i.test(options);
  if (lakeKey() && byName) {
    // DuckDB 1.5.5 fails an internal assertion ("dereference shared_ptr that is NULL", which then
    // invalidates the whole database) when it pushes a filter into an encrypted scan with
    // union_by_name. Matching columns by name file by file gives the same rows without that scan.
    const rest = options
      .split(',')
      .map((o) => o.trim())
      .filter((o) => o !== '' && !/^union_by_name\b/i.test(o))
      .join(', ');
    if (list.length === 1) return scan(list, rest);
    return `(${list.map((f) => `SELECT * FROM ${scan([f], rest)}`).join(' UNION ALL BY NAME ')})`;
  }
  return scan(list, options);
}

function scan(files: readonly string[], options: string): string {
  const list = files.length === 1 ? sqlString(files[0] ?? '') : `[${files.map(sqlString).join(', ')}]`;
  return `read_parquet(${list}${options === '' ? '' : `, ${options}`}${parquetReadOptions()})`;
}

/**
 * The one way shoplake writes its own Parquet files: the options of `COPY … TO file (…)`, zstd-compressed
 * and encrypted when the lake is (loading DuckDB's OpenSSL for it on the session's first write).
 * `extra` adds options such as `PARTITION_BY (part)`.
 */
export async function lakeParquetFormat(db: DuckDbSession, extra = ''): Promise<string> {
  return `(FORMAT parquet, COMPRESSION zstd${extra === '' ? '' : `, ${extra}`}${await db.parquetWriteOptions()})`;
}
