// Its own module, free of @duckdb/node-api, so that the Spark engine and the CLI's start-up can use it
// without loading DuckDB (see src/cli/startup.test.ts).

/**
 * A 64-bit (or wider) integer or a decimal, given as DuckDB's exact text with `scale` digits after the point,
 * as a number when a double carries it exactly as written (what JSON.stringify would print back), else the
 * text itself: 9007199254740993 and 12345678901234567.89 stay strings, so that output never rounds them.
 */
export function exactNumber(text: string, scale: number): number | string {
  const n = Number(text);
  if (scale === 0) return Number.isSafeInteger(n) ? n : text;
  return Number.isFinite(n) && Math.abs(n) < 1e21 && n.toFixed(scale) === text ? n : text;
}
