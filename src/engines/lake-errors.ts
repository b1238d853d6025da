import { sep } from 'node:path';
import { isInterrupt, isStatementError, type RowStream, type RunOptions } from '../duckdb/index.js';
import { UserError } from '../errors/index.js';
import { type DataLayout, TABLE_NAMES, type TableName } from '../lake/index.js';
import { damaged, unavailableTable } from './table-status.js';
import type { TableStatus } from './types.js';

type Statuses = ReadonlyMap<TableName, TableStatus>;

/**
 * Replaces an engine error by what the user can act on, when there is something to act on: the query
 * was stopped (the signal's reason), it names a table the lake lacks or cannot read (what to run), or a
 * file of a table vanished under it (damaged: run doctor). Anything else is rethrown as it is.
 */
export function explainLakeError(
  err: unknown,
  statuses: Statuses,
  layout: DataLayout,
  options: RunOptions,
): unknown {
  if (options.signal?.aborted && isInterrupt(err)) return options.signal.reason ?? err;
  const text = err instanceof Error ? err.message : '';
  const missing = /Table with name (\w+) does not exist/i.exec(text)?.[1]?.toLowerCase();
  const table = TABLE_NAMES.find((t) => t === missing);
  if (table) {
    const status = statuses.get(table);
    if (status && status.state !== 'loaded') return withCause(unavailableTable(status), err);
  }
  // A live file removed after the view was registered (by hand, or a reader older than RETIRE_MS).
  const lakeFile = new RegExp(`${escapeRegExp(layout.lake + sep)}(\\w+)${escapeRegExp(sep)}`).exec(text)?.[1];
  const gone = TABLE_NAMES.find((t) => t === lakeFile);
  if (gone && /^IO Error/.test(text)) {
    return withCause(
      unavailableTable(damaged(gone, `a file it lists cannot be read (${firstLine(text)})`)),
      err,
    );
  }
  return err;
}

/** Runs `work`, explaining lake errors (see explainLakeError). */
export async function guardErrors<T>(
  statuses: Statuses,
  layout: DataLayout,
  options: RunOptions,
  work: () => Promise<T>,
): Promise<T> {
  try {
    return await work();
  } catch (err) {
    throw explainLakeError(err, statuses, layout, options);
  }
}

/** Like guardErrors, and a mistake in user-written SQL (bad syntax, unknown column, forbidden file) becomes one line. */
export async function userSqlErrors<T>(
  statuses: Statuses,
  layout: DataLayout,
  options: RunOptions,
  work: () => Promise<T>,
): Promise<T> {
  try {
    return await work();
  } catch (err) {
    throw userSqlError(explainLakeError(err, statuses, layout, options));
  }
}

function userSqlError(err: unknown): unknown {
  if (err instanceof UserError || !isStatementError(err)) return err;
  return new UserError(`query failed: ${firstLine(err instanceof Error ? err.message : String(err))}`, {
    code: 'bad_sql',
    cause: err,
  });
}

/** The same stream, with errors raised while rows are fetched explained like the others. */
export function guardStream(
  stream: RowStream,
  statuses: Statuses,
  layout: DataLayout,
  options: RunOptions,
  userSql = false,
): RowStream {
  return {
    columns: stream.columns,
    async *[Symbol.asyncIterator]() {
      try {
        yield* stream;
      } catch (err) {
        const explained = explainLakeError(err, statuses, layout, options);
        throw userSql ? userSqlError(explained) : explained;
      }
    },
  };
}

function withCause(error: UserError, cause: unknown): UserError {
  return new UserError(error.message, { code: error.code, status: error.status, cause });
}

function firstLine(text: string): string {
  return text.split('\n')[0] ?? text;
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
