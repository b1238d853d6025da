import { basename, dirname } from 'node:path';
import { type DuckDbSession, sqlIdent, sqlString } from '../duckdb/index.js';
import {
  BATCH_COLUMN,
  derivedKeyColumn,
  filesRelationSql,
  filesWithColumn,
  hasBatchColumn,
  PARTITION_COLUMN,
  sqlType,
  type TableSpec,
} from '../lake/index.js';
import { contentIdSql } from './identity.js';

/**
 * Rows of `checked` dropped as duplicates live in the temp table `dups`: the row (by rowid) and what it
 * repeats, a lake row (of_batch) or an earlier row of this input (of_src, of_line).
 */
export const DUPS_TABLE = 'dups';

/** Creates the empty `dups` table. */
export async function createDups(db: DuckDbSession): Promise<void> {
  await db.run(
    `CREATE OR REPLACE TEMP TABLE ${DUPS_TABLE} (__row BIGINT, of_batch VARCHAR, of_src INTEGER, of_line BIGINT, in_lake BOOLEAN)`,
  );
}

/**
 * The valid rows of `checked` that are not duplicates, as a relation for writeFiles; without any
 * duplicate the anti-join is left out (it costs a quarter of the write on millions of rows).
 */
export async function freshRows(db: DuckDbSession): Promise<string> {
  if ((await countDups(db)) === 0) return '(SELECT * FROM checked c WHERE c.__reason IS NULL) AS fresh';
  return `(SELECT * FROM checked c WHERE c.__reason IS NULL
    AND NOT EXISTS (SELECT 1 FROM ${DUPS_TABLE} d WHERE d.__row = c.rowid)) AS fresh`;
}

/**
 * SELECT of the key columns of lake files, plus the batch each row came from (`__of_batch`), leaving out
 * the rows of `exclude` batches (those an ingest --replace takes out). Files written before the table's
 * derived key column existed get it derived from their content, as ingest derives it for new rows.
 */
export async function lakeKeysSql(
  db: DuckDbSession,
  spec: TableSpec,
  files: readonly string[],
  exclude: readonly string[] = [],
  timeFilter: string | null = null,
): Promise<string> {
  const byName = new Map(spec.columns.map((c) => [c.name, c]));
  const keyColumns = spec.key.map((k) => byName.get(k) ?? { name: k, type: 'text' as const });
  const derived = derivedKeyColumn(spec);
  const withBatch = await hasBatchColumn(db, files);
  const batch = withBatch ? BATCH_COLUMN : 'CAST(NULL AS VARCHAR)';
  const keys = keyColumns.map((c) => {
    const typed = `CAST(${sqlIdent(c.name)} AS ${sqlType(c.type)})`;
    if (c.name !== derived?.name) return `${typed} AS ${sqlIdent(c.name)}`;
    return `coalesce(${typed}, ${contentIdSql(spec, (col) => `CAST(${sqlIdent(col.name)} AS ${sqlType(col.type)})`)}) AS ${sqlIdent(c.name)}`;
  });
  const columns = derived && (await lacksColumn(db, files, derived.name)) ? spec.columns : keyColumns;
  const conditions: string[] = [];
  if (withBatch && exclude.length > 0) {
    const ids = exclude.map(sqlString).join(', ');
    conditions.push(`(${BATCH_COLUMN} IS NULL OR ${BATCH_COLUMN} NOT IN (${ids}))`);
  }
  if (timeFilter) conditions.push(timeFilter);
  const where = conditions.length > 0 ? `WHERE ${conditions.join(' AND ')}` : '';
  const relation = filesRelationSql(
    withBatch ? [...columns, { name: BATCH_COLUMN, type: 'text' }] : columns,
    files,
  );
  return `SELECT ${keys.join(', ')}, ${batch} AS __of_batch FROM ${relation} ${where}`;
}

// Whether some file was written before the column existed (then its key is derived from content).
async function lacksColumn(db: DuckDbSession, files: readonly string[], column: string): Promise<boolean> {
  return (await filesWithColumn(db, files, column)) < files.length;
}

/**
 * Records in `dups` the valid rows of `checked` whose key is in these lake files (not yet recorded);
 * returns how many it added.
 */
export async function markLakeDuplicates(
  db: DuckDbSession,
  spec: TableSpec,
  scope: LakeScope,
  exclude: readonly string[] = [],
): Promise<number> {
  const { files, timeFilter } = scope;
  if (files.length === 0) return 0;
  const keyMatch = spec.key.map((k) => `l.${sqlIdent(k)} = c.${sqlIdent(k)}`).join(' AND ');
  const before = await countDups(db);
  await db.run(
    `INSERT INTO ${DUPS_TABLE}
     SELECT c.rowid, any_value(l.__of_batch), NULL, NULL, true
     FROM checked c JOIN (${await lakeKeysSql(db, spec, files, exclude, timeFilter)}) l ON ${keyMatch}
     WHERE c.__reason IS NULL AND NOT EXISTS (SELECT 1 FROM ${DUPS_TABLE} d WHERE d.__row = c.rowid)
     GROUP BY c.rowid`,
  );
  return (await countDups(db)) - before;
}

/**
 * Records in `dups` every valid row whose key an earlier row of the input (by file, then line) already
 * has, unless it is recorded already; returns how many it added.
 */
export async function markInputRepeats(db: DuckDbSession, spec: TableSpec): Promise<number> {
  const key = spec.key.map(sqlIdent).join(', ');
  const before = await countDups(db);
  await db.run(
    `INSERT INTO ${DUPS_TABLE}
     SELECT __row, NULL, first_src, first_line, false FROM (
       SELECT c.rowid AS __row,
         row_number() OVER w AS n, first_value(__src) OVER w AS first_src, first_value(__line) OVER w AS first_line
       FROM checked c
       WHERE c.__reason IS NULL AND NOT EXISTS (SELECT 1 FROM ${DUPS_TABLE} d WHERE d.__row = c.rowid)
       WINDOW w AS (PARTITION BY ${key} ORDER BY __src, __line ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW))
     WHERE n > 1`,
  );
  return (await countDups(db)) - before;
}

async function countDups(db: DuckDbSession): Promise<number> {
  return Number((await db.all(`SELECT count(*) AS n FROM ${DUPS_TABLE}`))[0]?.n ?? 0);
}

/** Where a duplicate of the input could be: lake files, and a condition on their rows (or null). */
export interface LakeScope {
  files: readonly string[];
  timeFilter: string | null;
}

/**
 * The part of the lake a duplicate could be in: all of it, or (scope 'partitions') the files whose
 * partition covers a day of the input, whatever grain (year, month, day) they were written at, and in
 * them only rows of those days (Parquet statistics let DuckDB skip the row groups of other days).
 */
export async function lakeScope(
  db: DuckDbSession,
  spec: TableSpec,
  files: string[],
  scope: 'table' | 'partitions',
): Promise<LakeScope> {
  if (scope === 'table' || !spec.partition || !spec.time || files.length === 0)
    return { files, timeFilter: null };
  const time = `CAST(CAST(${sqlIdent(spec.time)} AS TIMESTAMP) AS DATE)`;
  const rows = await db.all(
    `SELECT DISTINCT strftime(${time}, '%Y-%m-%d') AS d FROM checked WHERE __reason IS NULL ORDER BY d`,
  );
  const days = rows.map((r) => String(r.d));
  const dirs = new Set<string>();
  for (const day of days) {
    for (const p of [day.slice(0, 4), day.slice(0, 7), day]) dirs.add(`${PARTITION_COLUMN}=${p}`);
  }
  const first = days[0];
  const last = days[days.length - 1];
  return {
    files: files.filter((f) => dirs.has(basename(dirname(f)))),
    timeFilter: first && last ? `${time} BETWEEN DATE ${sqlString(first)} AND DATE ${sqlString(last)}` : null,
  };
}
