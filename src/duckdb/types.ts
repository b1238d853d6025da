/** A result row: column name to JSON-ready value. */
export type Row = Record<string, unknown>;

/** Values bound to `:name` parameters. */
export type SqlParams = Record<string, string | number | boolean | null>;
