import { type DuckDbSession, sqlIdent } from '../duckdb/index.js';
import { derivedKeyColumn, type TableSpec } from '../lake/index.js';
import { contentIdSql, numberIdenticalLines } from './identity.js';
import { type ReasonDetail, reasonSql, typedColumn, typedColumnsSql } from './validate.js';

/**
 * Creates the temp table `checked`: the typed rows of every source (`mapped`: SELECTs of VARCHAR
 * columns with `__src`, `__line`), each with every rule it breaks (`__reason`, in words or only flagged:
 * ReasonDetail) and the identity column derived from its content where the source leaves it empty
 * (`__derived`).
 */
export async function stageChecked(
  db: DuckDbSession,
  spec: TableSpec,
  mapped: string[],
  whys: ReadonlySet<string>,
  detail: ReasonDetail,
): Promise<void> {
  await db.run(`CREATE TEMP TABLE checked AS ${checkedSelectSql(spec, mapped, whys, detail)}`);
}

/**
 * The SELECT giving the checked rows (what stageChecked stores): the typed columns, `__src`, `__line`,
 * `__skip`, `__reason` and `__derived`. The direct write (direct.ts) writes its valid rows straight out.
 */
export function checkedSelectSql(
  spec: TableSpec,
  mapped: string[],
  whys: ReadonlySet<string>,
  detail: ReasonDetail,
): string {
  const derived = derivedKeyColumn(spec);
  const typed = spec.columns.map((c) => `${sqlIdent(typedColumn(c.name))} AS ${sqlIdent(c.name)}`);
  // The content hash reads the typed columns of the inner SELECT, so each value is cast once.
  const id = derived ? sqlIdent(derived.name) : null;
  const outer = id
    ? `* REPLACE (coalesce(${id}, ${contentIdSql(spec, (c) => sqlIdent(c.name))}) AS ${id}), ${id} IS NULL AS __derived`
    : '*, false AS __derived';
  return `SELECT ${outer} FROM (
       SELECT __src, __line, __skip, ${reasonSql(spec, whys, detail)} AS __reason, ${typed.join(', ')} FROM (
         SELECT *, ${typedColumnsSql(spec)} FROM (${mapped.join(' UNION ALL ')})))`;
}

/** What `checked` holds, after identical lines got their occurrence numbers. */
export interface CheckedCounts {
  staged: number;
  valid: number;
  /** Rows the mapping's filters set aside on purpose. */
  skipped: number;
  /** Some key occurs on more than one valid row (a source id repeated). */
  repeats: boolean;
  /** Distinct days and months of the valid rows (0 for tables without a time column). */
  days: number;
  months: number;
}

/**
 * Counts `checked`, numbering identical lines apart first when some key repeats. Keys are told apart by
 * their 64-bit hash: as many distinct hashes as rows proves every key distinct, and counting hashes
 * costs two thirds of counting the keys (strings of 25 characters for events, 40M of them at 10M
 * orders). Fewer hashes than rows (a repeat, or a collision) is settled by counting the keys.
 */
export async function countChecked(db: DuckDbSession, spec: TableSpec): Promise<CheckedCounts> {
  const keyCols = spec.key.map(sqlIdent).join(', ');
  const time = spec.time ? `CAST(CAST(${sqlIdent(spec.time)} AS TIMESTAMP) AS DATE)` : 'CAST(NULL AS DATE)';
  const sql = `SELECT count(*) AS staged, count(*) FILTER (WHERE __reason IS NULL) AS valid,
       count(*) FILTER (WHERE __skip IS NOT NULL) AS skipped,
       count(DISTINCT hash(${keyCols})) FILTER (WHERE __reason IS NULL) AS distinct_hashes,
       count(DISTINCT ${time}) FILTER (WHERE __reason IS NULL) AS days,
       count(DISTINCT date_trunc('month', ${time})) FILTER (WHERE __reason IS NULL) AS months FROM checked`;
  let [row] = await db.all(sql);
  // Identical lines share a derived id until numbered apart; only then can a key repeat be told from a
  // second genuine line. Numbering ranks every row, so it runs only when some key repeats.
  if (Number(row?.distinct_hashes ?? 0) < Number(row?.valid ?? 0)) {
    if (await numberIdenticalLines(db, spec, 'checked')) [row] = await db.all(sql);
  }
  const valid = Number(row?.valid ?? 0);
  return {
    staged: Number(row?.staged ?? 0),
    valid,
    skipped: Number(row?.skipped ?? 0),
    repeats: Number(row?.distinct_hashes ?? 0) < valid && (await distinctKeys(db, spec)) < valid,
    days: Number(row?.days ?? 0),
    months: Number(row?.months ?? 0),
  };
}

async function distinctKeys(db: DuckDbSession, spec: TableSpec): Promise<number> {
  const keyCols = spec.key.map(sqlIdent).join(', ');
  const [row] = await db.all(`SELECT count(DISTINCT (${keyCols})) AS n FROM checked WHERE __reason IS NULL`);
  return Number(row?.n ?? 0);
}
