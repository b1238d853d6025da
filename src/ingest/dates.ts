import { type DuckDbSession, isStatementError, sqlString } from '../duckdb/index.js';
import { UserError } from '../errors/index.js';

const TIMES = [
  ' %H:%M:%S',
  ' %H:%M',
  'T%H:%M:%S',
  'T%H:%M:%S%z',
  ' %H:%M:%S%z',
  ' %I:%M %p',
  ' %I:%M:%S %p',
  '',
];
const DAYS = [
  '%Y-%m-%d', // ISO
  '%m/%d/%Y', // US
  '%d/%m/%Y', // EU
  '%d.%m.%Y',
  '%d-%m-%Y',
  '%Y/%m/%d',
  '%m/%d/%y',
  '%d/%m/%y',
  '%d.%m.%y',
];

/** The date formats `format: auto` tries and a failed parse suggests from, most common first. */
// ISO 8601 timestamps as APIs write them: UTC 'Z' and fractions of a second.
const ISO_EXTRA = ['T%H:%M:%SZ', 'T%H:%M:%S.%fZ', 'T%H:%M:%S.%f%z', ' %H:%M:%S.%f'].map(
  (t) => `%Y-%m-%d${t}`,
);
export const DATE_FORMATS: readonly string[] = [
  ...DAYS.flatMap((d) => TIMES.map((t) => d + t)),
  ...ISO_EXTRA,
];

/**
 * Refuses a `format` DuckDB's strptime does not know (`%Q`) as the user's mistake: it failed every row's
 * parse as an internal error (exit 1) naming neither the mapping nor the column.
 */
export async function checkFormat(db: DuckDbSession, format: string, column: string): Promise<void> {
  try {
    await db.all(`SELECT try_strptime('2000-01-01', ${sqlString(format)}) AS t`);
  } catch (err) {
    if (!isStatementError(err)) throw err;
    const why = (err as Error).message.split('\n')[0]?.replace(/^[A-Za-z ]+Error: /, '');
    throw new UserError(
      `mapping: ${column}: format '${format}' is not a strptime format (${why}): see the codes in docs/MAPPING.md#dates, or use format: auto`,
      { cause: err },
    );
  }
}

/** SQL giving a parsed value as the lake's text form ('YYYY-MM-DD HH:MM:SS', UTC), NULL when it fails. */
export function parsedSql(value: string, format: string): string {
  // A cast, not strftime(…, '%S'): that dropped the fraction of a second %f had read (10:00:00.750 loaded
  // as 10:00:00, where the same value without a mapping keeps it). A TIMESTAMPTZ (%z) becomes UTC wall
  // time, the session's zone.
  return `CAST(CAST(try_strptime(${value}, ${sqlString(format)}) AS TIMESTAMP) AS VARCHAR)`;
}

// %Y reads "10" as the year 10 rather than failing, so a year before 100 means a two-digit year.
function twoDigitYearSql(value: string, format: string): string {
  return `year(try_strptime(${value}, ${sqlString(format)})) < 100`;
}

/** SQL naming the first known format that parses the value, or NULL. */
export function suggestionSql(value: string): string {
  const cases = DATE_FORMATS.map(
    (f) =>
      `WHEN try_strptime(${value}, ${sqlString(f)}) IS NOT NULL AND NOT ${twoDigitYearSql(value, f)} THEN ${sqlString(f)}`,
  );
  return `CASE ${cases.join(' ')} END`;
}

/**
 * A date rule compiled: the value as lake text, and the reason (or NULL) when the value does not parse,
 * naming the format tried and the value, and suggesting a format that parses it when one does.
 */
export function dateRuleSql(value: string, format: string, column: string): { expr: string; why: string } {
  const shown = `'''' || left(${value}, 40) || ''''`;
  const tried = sqlString(format);
  const why = `CASE WHEN ${value} IS NULL THEN NULL
    WHEN ${twoDigitYearSql(value, format)} THEN ${sqlString(`${column}: `)} || ${shown} ||
      ${sqlString(` has a two-digit year, which ${format} reads as a year before 100: use %y instead of %Y`)}
    WHEN try_strptime(${value}, ${tried}) IS NULL THEN ${sqlString(`${column}: `)} || ${shown} ||
      ${sqlString(` does not match the format ${format}`)} ||
      coalesce('; it parses with ' || ${suggestionSql(value)}, '') END`;
  return {
    expr: `CASE WHEN ${twoDigitYearSql(value, format)} THEN NULL ELSE ${parsedSql(value, format)} END`,
    why,
  };
}

/** What `format: auto` chose for a column, as a line for the report. */
export interface DetectedFormat {
  format: string;
  note: string;
}

/**
 * Picks the one format that parses every value of a column (or, when none does, the one that parses the
 * most, leaving the rest to the quarantine). Refuses when two formats read the column differently, as
 * day/month dates whose days are all 12 or less do: guessing would swap months silently.
 */
export async function detectFormat(
  db: DuckDbSession,
  from: string,
  value: string,
  column: string,
): Promise<DetectedFormat> {
  const counts = DATE_FORMATS.map(
    (f, i) =>
      `count(*) FILTER (WHERE try_strptime(${value}, ${sqlString(f)}) IS NOT NULL AND NOT ${twoDigitYearSql(value, f)}) AS f${i}`,
  );
  const [row] = await db.all(`SELECT count(${value}) AS n, ${counts.join(', ')} FROM ${from}`);
  const total = Number(row?.n ?? 0);
  const parsed = DATE_FORMATS.map((format, i) => ({ format, n: Number(row?.[`f${i}`] ?? 0) }));
  const best = Math.max(0, ...parsed.map((p) => p.n));
  if (total === 0 || best === 0) {
    throw new UserError(
      `${column}: format auto found no known date format in its values; write one (e.g. format: "%d/%m/%Y %H:%M")`,
    );
  }
  const winners = parsed.filter((p) => p.n === best);
  if (winners.length > 1) {
    const names = winners.map((w) => w.format).join(' and ');
    throw new UserError(
      best === total
        ? `${column}: format auto cannot choose, ${names} both parse all ${total} values ` +
            '(day and month order is ambiguous); write the format in the mapping'
        : `${column}: format auto cannot choose, no known format parses every value and ${names} ` +
            `each parse ${best} of ${total}; write the format in the mapping (values it does not parse are set aside)`,
    );
  }
  const [{ format }] = winners as [{ format: string; n: number }];
  const share = best === total ? `all ${total} values` : `${best} of ${total} values; the rest are set aside`;
  return { format, note: `${column}: format auto chose ${format} (${share})` };
}
