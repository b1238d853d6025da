/** Quotes a SQL string literal (paths, names); values always go through bound parameters instead. */
export function sqlString(text: string): string {
  return `'${text.replaceAll("'", "''")}'`;
}

/**
 * Lake ids as an IN's subquery, `(SELECT unnest(string_split('a,b,...', ',')))`: one string literal, where a
 * list of literals cost DuckDB ~15 ms of CPU to plan for 2,000 ids against ~4.5 ms (2026-11-26); a batch
 * looks up ~2,000 known and ~5,000 new ids. Lake ids hold no ',' (the ID pattern
 * of src/lake/tables.ts); should a text hold one, the literal list is used.
 */
export function idSetSql(ids: readonly string[]): string {
  if (ids.some((id) => id.includes(','))) return `(${ids.map(sqlString).join(', ')})`;
  return `(SELECT unnest(string_split(${sqlString(ids.join(','))}, ',')))`;
}

/** Quotes an identifier. */
export function sqlIdent(name: string): string {
  return `"${name.replaceAll('"', '""')}"`;
}

// Engine-neutral `:name` placeholders: a string literal, a quoted identifier or a comment (group 1) is
// skipped whole, and `::` casts do not match; group 2 is a placeholder's name. The one definition, for
// rewriting and for listing them. Comments are skipped so that an apostrophe in one (the analyses' SQL is
// commented) does not open a literal that swallows the placeholders after it.
const PLACEHOLDER = /('(?:[^']|'')*'|"(?:[^"]|"")*"|--[^\n]*|\/\*[\s\S]*?\*\/)|(?<![:\w]):([A-Za-z_]\w*)/g;

/** Rewrites engine-neutral `:name` parameters to DuckDB's `$name`, leaving `::` casts and strings alone. */
export function toDollarParams(sql: string): string {
  return sql.replace(PLACEHOLDER, (match, quoted: string | undefined, name) => (quoted ? match : `$${name}`));
}

/** Names of the `:name` placeholders an SQL text uses (outside string literals, not `::` casts). */
export function placeholderNames(sql: string): string[] {
  const names = new Set<string>();
  for (const m of sql.matchAll(PLACEHOLDER)) if (m[2]) names.add(m[2]);
  return [...names];
}
