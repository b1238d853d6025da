import { type DuckDbSession, sqlIdent, sqlString } from '../duckdb/index.js';
import {
  type DataLayout,
  discardFiles,
  lakeParquetSql,
  type PartitionGrain,
  partitionGrain,
  type TableSpec,
  writeFiles,
} from '../lake/index.js';
import { checkedSelectSql } from './checked.js';
import { lakeKeysSql } from './dedup.js';
import { typedSql } from './validate.js';

/**
 * The direct write does not fit this input (some key occurs twice: identical lines to number apart, or
 * a repeated source id): the caller validates into the `checked` table instead, which handles it.
 */
export class DirectWriteDeclined extends Error {}

// The message of the error a broken or skipped row raises in the direct write (one is enough to stop it).
const BROKEN_ROW = 'shoplake: a row breaks a rule or is skipped by the mapping';

/** What the direct write wrote: the batch's rows, already in the table directory (not committed). */
export interface DirectWrite {
  rows: number;
  grain: PartitionGrain;
}

/**
 * Validates the input and writes its rows as the batch's Parquet files in one statement, for the usual
 * case of a clean input into a table none of whose keys it repeats. The checked rows are never stored
 * (at 40M events they were ~7 GB, spilled to disk past DuckDB's memory limit and read back twice).
 * Files written are appended to `written` as soon as they exist, so the caller's clean-up sees them.
 *
 * - The first row that breaks a rule (or that the mapping skips) fails the statement; the caller turns
 *   that into the careful read (fastReadFailure), which quarantines it with its line, as before.
 * - Keys are counted afterwards over the written files (the key columns alone, by 64-bit hash): fewer
 *   distinct hashes than rows throws DirectWriteDeclined, and the checked-table path runs.
 * - The partition grain (partitionGrain, the same rule as the checked-table path) needs the number of
 *   rows, days and months before the write: a first pass reads the time column alone. Writing by day
 *   and rewriting at a coarser grain when needed cost more: customers' 2,000 day partitions alone took
 *   2 s of CPU at 100k rows.
 */
export async function writeDirect(
  db: DuckDbSession,
  o: {
    layout: DataLayout;
    spec: TableSpec;
    mapped: string[];
    whys: ReadonlySet<string>;
    batchId: string;
    written: string[];
    enter: (phase: string) => void;
  },
): Promise<DirectWrite> {
  const { layout, spec, batchId, written, enter } = o;
  enter('sizing partitions');
  const grain = await inputGrain(db, spec, o.mapped);
  enter('validating and writing');
  const guarded = `(SELECT * FROM (${checkedSelectSql(spec, o.mapped, o.whys)})
    WHERE CASE WHEN __reason IS NULL THEN true ELSE error(${sqlString(BROKEN_ROW)}) END) AS fresh`;
  const done = await writeFiles(db, layout, spec, guarded, batchId, grain);
  written.push(...done.files);
  enter('counting keys');
  if (done.rows > 0 && (await distinctKeyHashes(db, spec, done.files)) < done.rows) {
    discardFiles(written.splice(0));
    throw new DirectWriteDeclined('some key occurs more than once');
  }
  return { rows: done.rows, grain };
}

// The grain for the input's rows, all of them valid (else the write fails anyway): one pass over the
// time column as the mapping gives it (the CSV reader then builds no other value), cast as validation does.
async function inputGrain(db: DuckDbSession, spec: TableSpec, mapped: string[]): Promise<PartitionGrain> {
  const column = spec.columns.find((c) => c.name === spec.time);
  if (!spec.partition || !column) return 'day';
  const day = `CAST(CAST(${typedSql(column)} AS TIMESTAMP) AS DATE)`;
  const [row] = await db.all(
    `SELECT count(*) AS n, count(DISTINCT d) AS days, count(DISTINCT date_trunc('month', d)) AS months
     FROM (SELECT ${day} AS d FROM (${mapped.join(' UNION ALL ')}))`,
  );
  return partitionGrain(Number(row?.n ?? 0), Number(row?.days ?? 0), Number(row?.months ?? 0));
}

// Distinct 64-bit hashes of the key over the written files: as many as rows proves every key distinct.
async function distinctKeyHashes(db: DuckDbSession, spec: TableSpec, files: readonly string[]) {
  const keyCols = spec.key.map(sqlIdent).join(', ');
  const [row] = await db.all(`SELECT count(DISTINCT hash(${keyCols})) AS n FROM ${lakeParquetSql(files)}`);
  return Number(row?.n ?? 0);
}

/**
 * Whether a row of the batch's own files `own` has a key that lake files `files` already hold (leaving
 * out the rows of `exclude` batches, as the duplicate check does). The direct write has no line numbers
 * for a duplicates report, so the caller starts over with the careful read when it has.
 */
export async function ownKeysInLake(
  db: DuckDbSession,
  spec: TableSpec,
  own: readonly string[],
  files: readonly string[],
  exclude: readonly string[] = [],
): Promise<boolean> {
  if (own.length === 0 || files.length === 0) return false;
  const keyMatch = spec.key.map((k) => `l.${sqlIdent(k)} = o.${sqlIdent(k)}`).join(' AND ');
  const [row] = await db.all(
    `SELECT EXISTS (SELECT 1 FROM ${lakeParquetSql(own)} o
       JOIN (${await lakeKeysSql(db, spec, files, exclude)}) l ON ${keyMatch}) AS found`,
  );
  return row?.found === true;
}
