/** A result row: column name to JSON-ready value. */
export type Row = Record<string, unknown>;

/** Values bound to `:name` parameters. */
export type SqlParams = Record<string, string | number | boolean | null>;

/** A result column: its name, whether it holds numbers, and the fixed decimals of DECIMAL columns. */
export interface Column {
  name: string;
  numeric: boolean;
  /** Digits after the point for fixed-point (DECIMAL) columns, null for every other type. */
  decimals: number | null;
}

/** Rows handed over batch by batch as the engine produces them, with the result's columns known up front. */
export interface RowStream extends AsyncIterable<Row[]> {
  readonly columns: readonly Column[];
}

/** What a caller can pass to a running statement: a signal that stops it (timeout, Ctrl-C). */
export interface RunOptions {
  signal?: AbortSignal;
}
