import { closeSync, openSync, readdirSync, readSync, rmdirSync, statSync } from 'node:fs';
import { basename, dirname } from 'node:path';
import { type DuckDbSession, sqlIdent, sqlString } from '../duckdb/index.js';
import {
  type DataLayout,
  discardFiles,
  lakeParquetSql,
  PARTITION_COLUMN,
  PARTITION_TARGET_ROWS,
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
 * - Keys are checked afterwards over the written files (the key columns alone, by 64-bit hash): a hash
 *   shared by two rows throws DirectWriteDeclined, and the checked-table path runs.
 * - The partition grain (partitionGrain, the same rule as the checked-table path) needs the number of
 *   rows, days and months before the write: a first pass reads the time column alone. A large CSV input
 *   is written by day without it, its grain checked from the day directories written, and rewritten at
 *   the coarser grain when that is what the rule gives. (Always writing by day first cost more: the
 *   customers' 2,000 day partitions alone took 2 s of CPU at 100k rows.)
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
    /** The input's files when every one is a CSV file read as it is (no SQL mapping), else null. */
    csvFiles: readonly string[] | null;
  },
): Promise<DirectWrite> {
  const { layout, spec, batchId, written, enter } = o;
  const partitioned = Boolean(spec.partition && spec.time);
  // A large CSV input is written by day straight away, the grain checked from the day directories after.
  const guessDay = partitioned && o.csvFiles !== null && estimatedCsvRows(o.csvFiles) >= LARGE_INPUT_ROWS;
  let grain: PartitionGrain = 'day';
  if (partitioned && !guessDay) {
    enter('sizing partitions');
    grain = await inputGrain(db, spec, o.mapped);
  }
  enter('validating and writing');
  // The first broken row fails the statement and the careful read says why: no reasons in words here.
  const guarded = `(SELECT * FROM (${checkedSelectSql(spec, o.mapped, o.whys, 'flag')})
    WHERE CASE WHEN __reason IS NULL THEN true ELSE error(${sqlString(BROKEN_ROW)}) END) AS fresh`;
  const done = await writeFiles(db, layout, spec, guarded, batchId, grain);
  written.push(...done.files);
  enter('counting keys');
  if (done.rows > 0 && (await someKeyHashRepeats(db, spec, done.files))) {
    discardWithDirectories(written.splice(0));
    throw new DirectWriteDeclined('some key occurs more than once');
  }
  if (!guessDay || done.rows === 0) return { rows: done.rows, grain };
  // One directory per distinct day of the rows (the same DATE the checked path counts).
  const days = new Set(done.files.map((f) => basename(dirname(f))).filter((d) => DAY_DIRECTORY.test(d)));
  const months = new Set([...days].map((d) => d.slice(0, `${PARTITION_COLUMN}=YYYY-MM`.length)));
  grain = partitionGrain(done.rows, days.size, months.size);
  if (grain === 'day') return { rows: done.rows, grain };
  enter('writing');
  const again = await writeFiles(db, layout, spec, `${lakeParquetSql(done.files)} AS w`, batchId, grain);
  discardWithDirectories(done.files);
  written.splice(0, written.length, ...again.files);
  return { rows: again.rows, grain };
}

// Deletes files this write made and the partition directories they leave empty (the checked path, or
// the rewrite at a coarser grain, may not write into the same ones).
function discardWithDirectories(files: readonly string[]): void {
  discardFiles(files);
  for (const dir of new Set(files.map((f) => dirname(f)))) {
    if (!basename(dir).startsWith(`${PARTITION_COLUMN}=`)) continue;
    try {
      if (readdirSync(dir).length === 0) rmdirSync(dir);
    } catch (err) {
      // Another writer put a file there meanwhile, or removed the directory: it is not ours to remove.
      const code = (err as NodeJS.ErrnoException).code;
      if (code !== 'ENOTEMPTY' && code !== 'ENOENT') throw err;
    }
  }
}

// At four times the rows a day partition aims at, a CSV input is very likely to be partitioned by day:
// its grain is checked after the write (a rewrite if wrong) instead of by a pass over its time column
// first (1.0 s of CPU for 4M events, a tenth of their load).
const LARGE_INPUT_ROWS = 4 * PARTITION_TARGET_ROWS;
const DAY_DIRECTORY = new RegExp(`^${PARTITION_COLUMN}=\\d{4}-\\d{2}-\\d{2}$`);

/**
 * Rows of CSV files estimated from their size and the mean length of the first file's first lines
 * (64 KB); only decides whether to guess the partition grain, which is checked afterwards anyway.
 */
export function estimatedCsvRows(paths: readonly string[]): number {
  const first = paths[0];
  if (first === undefined) return 0;
  const bytes = paths.reduce((sum, p) => sum + statSync(p).size, 0);
  const fd = openSync(first, 'r');
  try {
    const head = Buffer.alloc(64 * 1024);
    const n = readSync(fd, head, 0, head.length, 0);
    let lines = 0;
    for (let i = 0; i < n; i++) if (head[i] === 0x0a) lines++;
    return lines === 0 ? 0 : Math.floor(bytes / (n / lines));
  } finally {
    closeSync(fd);
  }
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

// Whether two rows of the written files share the 64-bit hash of their key (a repeated key, or rarely a
// collision, which the checked path then settles): no shared hash proves every key distinct. The hashes
// are sorted and each compared with the one before it. A GROUP BY hash HAVING count(*) > 1 gives the same
// answer, but over 40M mostly distinct hashes its table took 8.6–11.0 s of CPU and 2.2 GB against
// 4.7–4.9 s and 1.1 GB for the sort (docs/BENCHMARKS.md, issue 15, "key check by sorting").
async function someKeyHashRepeats(db: DuckDbSession, spec: TableSpec, files: readonly string[]) {
  const keyCols = spec.key.map(sqlIdent).join(', ');
  const [row] = await db.all(
    `SELECT count(*) AS n FROM (
       SELECT h, lag(h) OVER (ORDER BY h) AS previous FROM (SELECT hash(${keyCols}) AS h FROM ${lakeParquetSql(files)}))
     WHERE h = previous`,
  );
  return Number(row?.n ?? 0) > 0;
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
