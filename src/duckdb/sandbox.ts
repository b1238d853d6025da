import type { DuckDBConnection } from '@duckdb/node-api';
import { UserError } from '../errors/index.js';
import { duckdb } from './client.js';
import { sqlString } from './quote.js';

/**
 * Locks a fresh DuckDB instance down for user-written SQL: no file access but reading `readable` (the
 * lake's live files), no extension install or load, and no later change to any of it. Runs before any
 * user text reaches DuckDB, because even preparing a statement can touch files (EXPORT DATABASE creates
 * its directory while it is bound).
 */
export async function lockDown(connection: DuckDBConnection, readable: readonly string[]): Promise<void> {
  // allowed_paths also permits writing to those exact paths: the statement-type check in
  // prepareSingleSelect is what keeps COPY … TO a live file out; this keeps every other path out.
  if (readable.length > 0)
    await connection.run(`SET allowed_paths = [${readable.map(sqlString).join(', ')}]`);
  await connection.run('SET enable_external_access = false');
  await connection.run('SET lock_configuration = true');
}

/** Settings a sandboxed instance is created with (extensions are never fetched or loaded on demand). */
export const SANDBOX_CONFIG: Readonly<Record<string, string>> = {
  autoinstall_known_extensions: 'false',
  autoload_known_extensions: 'false',
};

/**
 * The one guard for user-written SQL: DuckDB's own parser splits the text, exactly one statement is
 * allowed, it is prepared, and only a SELECT (which includes DESCRIBE, SHOW, SUMMARIZE and VALUES) is
 * returned for execution. The caller runs this very prepared statement: the text checked is the text
 * run, never rewritten and never parsed a second time.
 */
export async function prepareSingleSelect(connection: DuckDBConnection, sql: string) {
  const none = new UserError('give one SELECT statement (the text holds none)', { code: 'read_only' });
  if (sql.trim() === '') throw none;
  const extracted = await connection.extractStatements(sql).catch((err: unknown) => {
    // DuckDB's C API fails without a message on text that holds no statement (';', a lone comment).
    if (err instanceof Error && err.message === 'Error in native callback') throw none;
    throw unwrapExtractError(err);
  });
  if (extracted.count !== 1) {
    throw new UserError(`give exactly one SELECT statement (found ${extracted.count})`, {
      code: 'read_only',
    });
  }
  const prepared = await extracted.prepare(0);
  if (prepared.statementType !== duckdb.StatementType.SELECT) {
    const kind = duckdb.StatementType[prepared.statementType] ?? 'unknown';
    prepared.destroySync();
    throw new UserError(`only a SELECT query is allowed, not ${kind}`, {
      code: 'read_only',
    });
  }
  if (prepared.parameterCount > 0) {
    prepared.destroySync();
    throw new UserError('query parameters ($1, ?) cannot be bound here: write the values in the query', {
      code: 'read_only',
    });
  }
  return prepared;
}

// "Failed to extract statements: Parser Error: …" → the parser's own error, so it is classed as a
// statement error like any other.
function unwrapExtractError(err: unknown): unknown {
  if (!(err instanceof Error)) return err;
  const inner = /^Failed to extract statements: (.*)$/s.exec(err.message)?.[1];
  return inner ? new Error(inner, { cause: err }) : err;
}
