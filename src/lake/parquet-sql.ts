import { type DuckDbSession, parquetReadOptions, sqlString } from '../duckdb/index.js';

/**
 * The one way shoplake reads its own Parquet files: `read_parquet` over exactly these files with
 * `options` (DuckDB's named parameters, comma-separated), decrypting them when the lake is encrypted.
 * Every reader of lake files (engines, compaction, rollback, erasure, doctor…) builds its SQL here, so
 * none can forget the key.
 */
export function lakeParquetSql(
  files: string | readonly string[],
  options = 'hive_partitioning = false',
): string {
  const list = typeof files === 'string' ? sqlString(files) : `[${files.map(sqlString).join(', ')}]`;
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
