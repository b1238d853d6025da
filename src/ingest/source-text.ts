/**
 * SQL giving a source value as ingest reads it: DuckDB's `trim()` (Unicode space separators, category
 * Zs, cut at both ends; tabs and line breaks kept), then '' as absent (NULL). The collector judges
 * values by the same rule (src/collector/lake-text.ts).
 *
 * `trim()` decodes every character of every value and copies the result: over the 4M events of a
 * 1M-order lake it took 2.9 s of CPU, more than parsing the CSV. Values it cannot change are therefore
 * passed through as they are, which costs a fifth of that: a value that is ASCII only (`length` counts
 * characters, fewer than `strlen`'s bytes as soon as one character takes two bytes), starts with a
 * printable character (byte-wise, `>= '!'` excludes the space and control characters) and does not end
 * with a space (the only ASCII space separator). Every other value, '' included, still goes through
 * `trim()`, so the result is the same for all values (source-text.test.ts compares both).
 */
export function sourceTextSql(value: string): string {
  const unchanged = `${value} >= '!' AND NOT ends_with(${value}, ' ') AND strlen(${value}) = length(${value})`;
  return `NULLIF(CASE WHEN ${unchanged} THEN ${value} ELSE trim(${value}) END, '')`;
}
