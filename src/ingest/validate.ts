import { sqlIdent, sqlString } from '../duckdb/index.js';
import {
  type ColumnSpec,
  MISSING_WORD_REASON,
  MISSING_WORDS,
  MONEY_SCALE,
  sqlType,
  type TableSpec,
} from '../lake/index.js';
import { suggestionSql } from './dates.js';

/** Column of a mapped row holding the reason the mapping could not make lake column `name` (or NULL). */
export const whyColumn = (name: string) => `__why_${name}`;

/**
 * SQL casting a VARCHAR column to its lake type, NULL when it does not parse. Two of DuckDB's casts lose
 * information silently, so they are guarded: a VARCHAR to INTEGER cast rounds ('2.5' becomes 3), and a
 * VARCHAR to TIMESTAMP cast drops a UTC offset ('10:00+02:00' stays 10:00). A fraction that is not zero is
 * not a whole number (NULL, reported as such); a timestamp with an offset or Z is converted to UTC.
 * Only values that look fractional, or end like an offset, take the slower path.
 */
export function typedSql(column: ColumnSpec, raw = sqlIdent(column.name)): string {
  const cast = `TRY_CAST(${raw} AS ${sqlType(column.type)})`;
  if (column.type === 'integer') {
    const fractional = `contains(${raw}, '.') OR contains(${raw}, 'e') OR contains(${raw}, 'E')`;
    const whole = `TRY_CAST(${raw} AS DECIMAL(38,10)) % 1 = 0`;
    return `CASE WHEN NOT (${fractional}) THEN ${cast} WHEN ${whole} THEN ${cast} END`;
  }
  if (column.type === 'timestamp') {
    // An offset is '+', 'Z' or a '-' past the date part; only such values take the slower, always
    // correct TIMESTAMPTZ path (a value sent there without an offset parses the same). Four contains()
    // cost half of checking the end's shape character by character (measured on 4M values).
    const offset = `contains(${raw}, '+') OR contains(${raw}, 'Z') OR contains(${raw}, 'z') OR contains(substr(${raw}, 11), '-')`;
    // The session's time zone is UTC (duckdb/session.ts), so TIMESTAMPTZ → TIMESTAMP gives UTC wall time.
    return `CASE WHEN ${offset} THEN CAST(TRY_CAST(${raw} AS TIMESTAMPTZ) AS TIMESTAMP) ELSE ${cast} END`;
  }
  return cast;
}

const TYPE_WORD: Record<ColumnSpec['type'], string> = {
  text: 'text',
  integer: 'a whole number',
  money: 'an amount',
  timestamp: 'a timestamp (YYYY-MM-DD HH:MM:SS)',
  date: 'a date (YYYY-MM-DD)',
};

function shown(raw: string): string {
  return `'''' || left(${raw}, 40) || ''''`;
}

/** Column of the inner relation holding lake column `name` cast to its type (see typedColumnsSql). */
export const typedColumn = (name: string) => `__t_${name}`;
// Money only: whether the typed amount kept every decimal place of the text (NULL when unknown).
const exactColumn = (name: string) => `__x_${name}`;

// A rule of a column: the condition under which it fails (SQL, true = broken) and the reason said then.
type Rule = { fails: string; reason: string };

// Only a money value with more than 4 characters after its point (or an exponent) can have lost a place,
// so the exact comparison, in DECIMAL(38,18), runs for those alone: it is ~8× slower than the rest.
function exactSql(raw: string, typed: string): string {
  const wide = 'DECIMAL(38,18)';
  const point = `strpos(${raw}, '.')`;
  const suspect = `(${point} > 0 AND length(${raw}) - ${point} > ${MONEY_SCALE}) OR contains(${raw}, 'e') OR contains(${raw}, 'E')`;
  return `CASE WHEN ${suspect} THEN TRY_CAST(${raw} AS ${wide}) = CAST(${typed} AS ${wide}) ELSE true END`;
}

/**
 * The typed values every rule reads, each computed once per row: `__t_<column>` (typedSql) for every
 * column and `__x_<column>` for money (whether no decimal place was lost). Rules refer to these
 * columns instead of repeating the casts, which made validation cast each value four or five times.
 */
export function typedColumnsSql(spec: TableSpec): string {
  return spec.columns
    .flatMap((c) => {
      // A column of the same SELECT cannot be referred to here, so the exact check casts again (only for
      // the few values that take its slow branch).
      const columns = [`${typedSql(c)} AS ${sqlIdent(typedColumn(c.name))}`];
      if (c.type === 'money')
        columns.push(`${exactSql(sqlIdent(c.name), typedSql(c))} AS ${sqlIdent(exactColumn(c.name))}`);
      return columns;
    })
    .join(', ');
}

/** The rules of a column, over its raw text and its typed columns (typedColumnsSql). */
function columnRules(column: ColumnSpec): Rule[] {
  const raw = sqlIdent(column.name);
  const typed = sqlIdent(typedColumn(column.name));
  const name = column.name;
  const rules: Rule[] = [];
  const rule = (fails: string, reason: string) => rules.push({ fails, reason });
  if (!column.optional) rule(`${raw} IS NULL`, sqlString(`${name}: required`));
  if (column.type !== 'text') {
    // A date in another format gets the format that would parse it, to write in the mapping.
    const hint =
      column.type === 'timestamp' || column.type === 'date'
        ? ` || coalesce('; it parses with format ' || ${suggestionSql(raw)} || ': add it to the mapping (docs/MAPPING.md)', '')`
        : ` || ${numberHintSql(raw)}`;
    rule(
      `${raw} IS NOT NULL AND ${typed} IS NULL`,
      `${sqlString(`${name}: not ${TYPE_WORD[column.type]}: `)} || ${shown(raw)}${hint}`,
    );
  }
  let value = typed;
  if (column.type === 'money') {
    // DECIMAL casts round; an amount with more places than the lake keeps is refused, not rounded, and
    // its rounded form is not judged further.
    const exact = sqlIdent(exactColumn(column.name));
    value = `CASE WHEN ${exact} THEN ${typed} END`;
    rule(
      `NOT ${exact}`,
      `${sqlString(`${name}: `)} || ${shown(raw)} || ${sqlString(` has more than ${MONEY_SCALE} decimal places`)}`,
    );
  }
  if (column.enum) {
    // `x NOT IN (a, b, …)` spelled out as `x <> a AND x <> b …` (the same, NULL included): DuckDB turns an
    // IN list of more than a few values into a join with the list, one per mention of the rule (three),
    // each probed by every row, where the comparisons are evaluated in place (and the reason's only for
    // rows that break a rule): 8 % of the checking pass over 4M events.
    const differs = column.enum.map((v) => `${raw} <> ${sqlString(v)}`).join(' AND ');
    rule(
      `(${differs})`,
      `${sqlString(`${name}: `)} || ${shown(raw)} || ${sqlString(` is not one of ${column.enum.join(', ')}`)}`,
    );
  }
  if (column.maxLength !== undefined)
    rule(
      `length(${raw}) > ${column.maxLength}`,
      sqlString(`${name}: longer than ${column.maxLength} characters`),
    );
  if (column.pattern !== undefined) {
    rule(
      `length(${raw}) <= ${column.maxLength ?? 1000} AND NOT regexp_full_match(${raw}, ${sqlString(column.pattern)})`,
      `${sqlString(`${name}: `)} || ${shown(raw)} || ${sqlString(' has characters that are not allowed')}`,
    );
  }
  if (column.notMissingWord) {
    const words = MISSING_WORDS.map(sqlString).join(', ');
    rule(
      `lower(${raw}) IN (${words})`,
      `${sqlString(`${name}: `)} || ${shown(raw)} || ${sqlString(MISSING_WORD_REASON)}`,
    );
  }
  if (column.min !== undefined) rule(`${value} < ${column.min}`, sqlString(`${name}: below ${column.min}`));
  if (column.max !== undefined) rule(`${value} > ${column.max}`, sqlString(`${name}: above ${column.max}`));
  if (column.greaterThan !== undefined)
    rule(
      `${value} <= ${column.greaterThan}`,
      sqlString(`${name}: must be greater than ${column.greaterThan}`),
    );
  if (column.notZero) rule(`${value} = 0`, sqlString(`${name}: must not be zero`));
  return rules;
}

// Spreadsheet exports format numbers ($1,200.00, 1.200,50 €, (15.00) for a refund): say what a value
// must look like and how to convert a column, instead of only that it is not a number.
function numberHintSql(raw: string): string {
  return `CASE WHEN regexp_matches(${raw}, '[$€£¥,]|^\\(.*\\)$') THEN ${sqlString(
    '; write numbers plainly (-1234.50: no currency sign, no thousands separator, a decimal point, a minus sign for a negative); a SQL mapping can convert the column (docs/MAPPING.md#sql-mappings)',
  )} ELSE '' END`;
}

const reasonOf = (r: Rule) => `CASE WHEN ${r.fails} THEN ${r.reason} END`;
// A NULL condition counts as not broken, as in `CASE WHEN fails THEN …` (a rule whose input is missing
// stays silent): NULL OR false is NULL, which CASE does not take.
const broken = (rules: Rule[]) => rules.map((r) => `(${r.fails})`).join(' OR ');

/**
 * How `__reason` tells a broken row: every rule it breaks in words, or (`flag`) BROKEN_UNSAID alone. The
 * words cost a statement some 0.3 s of CPU whatever its rows, even when no row breaks a rule (DuckDB sets up
 * every untaken branch: the date-format suggestions alone are some 300 try_strptime calls for a table with
 * two timestamps), which made it most of the compaction of a collector's WAL segment. Only the careful read
 * says why a row was refused (the fast one starts over as careful at the first broken row), so only it needs
 * the words.
 */
export type ReasonDetail = 'words' | 'flag';

/** `__reason` of a row that breaks some rule, in the `flag` detail (never shown: the careful read words it). */
export const BROKEN_UNSAID = 'breaks a rule';

/**
 * SQL giving every rule a row breaks, joined with '; ', or NULL for a valid row, over a mapped relation
 * (see staging.ts: `__skip`, and a `__why_` column for each of `mappedReasons`, the lake columns the
 * mapping can give a reason for) extended with typedColumnsSql. Row-level checks use the typed values,
 * so they stay silent when a column already failed to parse. The reasons are only spelled out for a row
 * that breaks some rule: for the others (nearly all) one OR of the conditions decides. With `flag`, a
 * broken row gets BROKEN_UNSAID instead of its reasons (ReasonDetail).
 */
export function reasonSql(
  spec: TableSpec,
  mappedReasons: ReadonlySet<string> = new Set(),
  detail: ReasonDetail = 'words',
): string {
  const all: Rule[] = [];
  const texts: string[] = [];
  for (const c of spec.columns) {
    const rules = columnRules(c);
    all.push(...rules);
    if (!mappedReasons.has(c.name)) {
      texts.push(...rules.map(reasonOf));
      continue;
    }
    // A reason from the mapping (a date that does not parse, an unknown country) replaces the column's own.
    const why = sqlIdent(whyColumn(c.name));
    all.push({ fails: `${why} IS NOT NULL`, reason: why });
    texts.push(`coalesce(${why}, NULLIF(concat_ws('; ', ${rules.map(reasonOf).join(', ')}), ''))`);
  }
  const typedRefs = Object.fromEntries(spec.columns.map((c) => [c.name, sqlIdent(typedColumn(c.name))]));
  for (const [cond, reason] of spec.checks) {
    const rule = { fails: `NOT (${substituteTyped(cond, typedRefs)})`, reason: sqlString(reason) };
    all.push(rule);
    texts.push(reasonOf(rule));
  }
  const reasons =
    detail === 'flag' ? sqlString(BROKEN_UNSAID) : `NULLIF(concat_ws('; ', ${texts.join(', ')}), '')`;
  return `CASE WHEN __skip IS NOT NULL THEN 'skipped by the mapping: ' || __skip WHEN ${broken(all)} THEN ${reasons} END`;
}

// Row checks are written over column names; here each name is replaced by its typed column.
function substituteTyped(cond: string, typed: Record<string, string>): string {
  return cond.replace(/"?([a-z_]+)"?/g, (match, word: string) => typed[word] ?? match);
}
