/** A result row: column name to JSON-ready value. */
export type Row = Record<string, unknown>;

/** Values bound to `:name` parameters. */
export type SqlParams = Record<string, string | number | boolean | null>;

/** What every engine does: run engine-neutral SQL over the lake's tables with bound parameters. */
export interface Engine {
  readonly name: string;
  query(sql: string, params?: SqlParams): Promise<Row[]>;
  close(): Promise<void>;
}
