import { sqlIdent, sqlString } from '../duckdb/index.js';
import {
  type ColumnSpec,
  derivedKeyColumn,
  EVENT_CONTENT_FIELDS,
  LINE_ID_HEX_DIGITS,
  MONEY_SCALE,
  MONEY_SQL_TYPE,
  type TableSpec,
} from '../lake/index.js';
import { typedSql } from './validate.js';

/**
 * SQL for the identity column a row gets when the source leaves it empty, over typed values:
 * clickstream events keep their content id (EVENT_CONTENT_FIELDS, shared with the collector); other
 * tables hash every non-empty column as `name=value` (the SQL twin of contentLineId in lake/). Identical
 * lines of one input are told apart afterwards by numberIdenticalLines.
 */
export function contentIdSql(spec: TableSpec, typed: (c: ColumnSpec) => string = (c) => typedSql(c)): string {
  const byName = new Map(spec.columns.map((c) => [c.name, c]));
  if (spec.name === 'clickstream') {
    const content = EVENT_CONTENT_FIELDS.map((name) => {
      const column = byName.get(name);
      if (!column) throw new Error(`clickstream has no column ${name}`);
      // concat() reads NULL as '' (the collector's empty field), so no coalesce is needed.
      return `CAST(${typed(column)} AS VARCHAR)`;
    }).join(", '|', ");
    return `'h' || left(md5(concat(${content})), 24)`;
  }
  const id = derivedKeyColumn(spec)?.name;
  const parts = spec.columns
    .filter((c) => c.name !== id)
    .map((c) => `${sqlString(`${c.name}=`)} || ${canonicalText(c, typed(c))}`);
  return `'h' || left(md5(concat_ws('|', ${parts.join(', ')})), ${LINE_ID_HEX_DIGITS})`;
}

// Text of a typed value as JSON numbers print it: decimals without trailing zeros (10.50 → 10.5). An
// amount as text (DECIMAL(18, MONEY_SCALE)) always has MONEY_SCALE places, so the zeros to cut are read
// off its end: rtrim() with characters to cut built a hash set per value, a sixth of a 10M-line id.
function canonicalText(c: ColumnSpec, expr: string): string {
  if (c.type !== 'money') return `CAST(${expr} AS VARCHAR)`;
  const text = `CAST(CAST(${expr} AS ${MONEY_SQL_TYPE}) AS VARCHAR)`;
  const cut = (n: number) => `substr(${text}, 1, strlen(${text}) - ${n})`;
  const cases = [`WHEN ends_with(${text}, '.${'0'.repeat(MONEY_SCALE)}') THEN ${cut(MONEY_SCALE + 1)}`];
  for (let zeros = MONEY_SCALE - 1; zeros > 0; zeros--)
    cases.push(`WHEN ends_with(${text}, '${'0'.repeat(zeros)}') THEN ${cut(zeros)}`);
  return `CASE ${cases.join(' ')} ELSE ${text} END`;
}

/**
 * Appends '.2', '.3' … to the derived ids of the second, third … of identical valid lines in `table`
 * (rows with `__derived` set; a quarantined row never shifts the numbers of valid ones), so that genuinely repeated lines are all kept while a re-ingest of the same input
 * derives the same ids again. Returns whether any line needed it.
 */
export async function numberIdenticalLines(
  db: { all(sql: string): Promise<Record<string, unknown>[]>; run(sql: string): Promise<void> },
  spec: TableSpec,
  table: string,
): Promise<boolean> {
  const id = derivedKeyColumn(spec);
  if (!id) return false;
  const key = spec.key.map(sqlIdent).join(', ');
  const [repeated] = await db.all(
    `SELECT count(*) AS n FROM (SELECT 1 FROM ${table} WHERE __derived AND __reason IS NULL GROUP BY ${key} HAVING count(*) > 1)`,
  );
  if (Number(repeated?.n ?? 0) === 0) return false;
  const col = sqlIdent(id.name);
  await db.run(
    `CREATE OR REPLACE TEMP TABLE ${table} AS SELECT * EXCLUDE (__occurrence) REPLACE (
       CASE WHEN __derived AND __reason IS NULL AND __occurrence > 1 THEN ${col} || '.' || __occurrence
       ELSE ${col} END AS ${col})
     FROM (SELECT *, row_number() OVER (PARTITION BY ${key}, __derived, __reason IS NULL ORDER BY __src, __line)
             AS __occurrence FROM ${table})`,
  );
  return true;
}
