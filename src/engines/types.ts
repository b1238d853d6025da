import type { Column, Row, RowStream, RunOptions, SqlParams } from '../duckdb/index.js';
import type { TableName } from '../lake/index.js';
import type { EngineKind } from './kind.js';

export type { Column, Row, RowStream, RunOptions, SqlParams };

/** Whether a lake table can be read: loaded (possibly empty), never loaded, or damaged. */
export type TableState = 'loaded' | 'not loaded' | 'damaged';

/** One lake table as an engine sees it. */
export interface TableStatus {
  table: TableName;
  state: TableState;
  /** Absolute paths of the live files (empty unless loaded). */
  files: readonly string[];
  /** What is wrong with a damaged table, in a few words; null otherwise. */
  problem: string | null;
}

/**
 * What every engine does: register the lake's tables as views, run engine-neutral SQL with bound
 * `:name` parameters, stream rows as they come, and run user-written SQL behind the one guard.
 */
export interface Engine {
  /** Which engine this is (for what must depend on it, e.g. an analysis that cannot run on it). */
  readonly name: EngineKind;
  /** Runs trusted (shoplake's own) SQL and collects its rows. */
  query(sql: string, params?: SqlParams, options?: RunOptions): Promise<Row[]>;
  /** Runs trusted SQL and hands rows over batch by batch, in bounded memory. */
  stream(sql: string, params?: SqlParams, options?: RunOptions): Promise<RowStream>;
  /**
   * Runs one user-written SELECT and streams its rows. Only a sandboxed engine accepts it: the statement
   * is checked and run as is, and it can read the lake's live files and nothing else.
   */
  querySelect(sql: string, options?: RunOptions): Promise<RowStream>;
  /** Each lake table's state, as of now. */
  tables(): Promise<TableStatus[]>;
  close(): Promise<void>;
}

/** Collects a stream's rows (for callers that need them all at once). */
export async function collectRows(stream: RowStream): Promise<Row[]> {
  const rows: Row[] = [];
  for await (const batch of stream) for (const row of batch) rows.push(row);
  return rows;
}
