/** Quotes a SQL string literal (paths, names); values always go through bound parameters instead. */
export function sqlString(text: string): string {
  return `'${text.replaceAll("'", "''")}'`;
}

/** Quotes an identifier. */
export function sqlIdent(name: string): string {
  return `"${name.replaceAll('"', '""')}"`;
}

/** Rewrites engine-neutral `:name` parameters to DuckDB's `$name`, leaving `::` casts and strings alone. */
export function toDollarParams(sql: string): string {
  return sql.replace(
    /('(?:[^']|'')*')|(?<![:\w]):([A-Za-z_]\w*)/g,
    (match, quoted: string | undefined, name) => (quoted ? match : `$${name}`),
  );
}
