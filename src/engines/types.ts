import type { Row, SqlParams } from '../duckdb/index.js';

export type { Row, SqlParams };

/** What every engine does: run engine-neutral SQL over the lake's tables with bound parameters. */
export interface Engine {
  readonly name: string;
  query(sql: string, params?: SqlParams): Promise<Row[]>;
  close(): Promise<void>;
}
