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

/**
 * Rows of each of these lake files, from their footers. DuckDB's `parquet_file_metadata` cannot open
 * encrypted files (it takes no key), so an encrypted lake counts through `read_parquet`, which also
 * answers count(*) from the footers.
 */
export async function parquetRowCounts(
  db: DuckDbSession,
  files: readonly string[],
): Promise<Map<string, number>> {
  const out = new Map<string, number>();
  if (files.length === 0) return out;
  const rows = lakeKey()
    ? await db.all(
        `SELECT filename AS file, count(*) AS n FROM ${lakeParquetSql(files, 'filename = true, hive_partitioning = false')} GROUP BY filename`,
      )
    : await db.all(
        `SELECT file_name AS file, num_rows AS n FROM parquet_file_metadata([${files.map(sqlString).join(', ')}])`,
      );
  for (const r of rows) out.set(String(r.file), Number(r.n));
  return out;
}

/**
 * How many of these lake files have a column named `column` (footer reads only): `parquet_schema` for a
 * plain lake; for an encrypted one, which `parquet_schema` cannot open, each file's columns as
 * `read_parquet` describes them.
 */
export async function filesWithColumn(
  db: DuckDbSession,
  files: readonly string[],
  column: string,
): Promise<number> {
  if (!lakeKey()) {
    const [row] = await db.all(
      `SELECT count(DISTINCT file_name) AS n FROM parquet_schema([${files.map(sqlString).join(', ')}]) WHERE name = ${sqlString(column)}`,
    );
    return Number(row?.n ?? 0);
  }
  let n = 0;
  for (const file of files) {
    const described = await db.all(`DESCRIBE SELECT * FROM ${lakeParquetSql(file)}`);
    if (described.some((r) => r.column_name === column)) n++;
  }
  return n;
}
