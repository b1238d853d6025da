import { totalmem } from 'node:os';
import {
  type DuckDBConnection,
  DuckDBInstance,
  DuckDBTypeId,
  type DuckDBValue,
  StatementType,
} from '@duckdb/node-api';
import { UserError } from '../errors/index.js';
import type { Row, SqlParams } from './types.js';

// Types whose JSON form is a string (to keep 64-bit precision) but that analyses want as numbers.
const NUMERIC_AS_STRING = new Set<DuckDBTypeId>([
  DuckDBTypeId.BIGINT,
  DuckDBTypeId.UBIGINT,
  DuckDBTypeId.HUGEINT,
  DuckDBTypeId.UHUGEINT,
  DuckDBTypeId.DECIMAL,
]);

/**
 * DuckDB's memory limit unless the caller sets one: $SHOPLAKE_MEMORY_LIMIT (e.g. '8GB'), else half of
 * the machine's memory, leaving the rest to the collector and the OS. Past it DuckDB spills to disk.
 */
export function defaultMemoryLimit(): string {
  return process.env.SHOPLAKE_MEMORY_LIMIT ?? `${Math.max(1, Math.floor(totalmem() / 2 / 2 ** 30))}GB`;
}

/** Quotes a SQL string literal (paths, names); values always go through bound parameters instead. */
export function sqlString(text: string): string {
  return `'${text.replaceAll("'", "''")}'`;
}

/** Quotes an identifier. */
export function sqlIdent(name: string): string {
  return `"${name.replaceAll('"', '""')}"`;
}

/**
 * The only place that talks to DuckDB: owns one in-memory instance and connection, binds every value
 * as a parameter, and converts results to plain JSON-ready rows.
 */
export class DuckDbSession {
  private constructor(
    private readonly instance: DuckDBInstance,
    private readonly connection: DuckDBConnection,
  ) {}

  /** Opens an in-memory database; `threads` caps parallelism (default: all cores). */
  static async open(
    options: { threads?: number; memoryLimit?: string; tempDirectory?: string } = {},
  ): Promise<DuckDbSession> {
    const config: Record<string, string> = {};
    if (options.threads) config.threads = String(options.threads);
    if (options.memoryLimit) config.memory_limit = options.memoryLimit;
    // Large ingests spill here rather than failing when they outgrow memory.
    if (options.tempDirectory) config.temp_directory = options.tempDirectory;
    const instance = await DuckDBInstance.create(':memory:', config);
    const connection = await instance.connect();
    // Pinned so that timestamps without a zone mean UTC whatever the machine's zone is.
    await connection.run("SET TimeZone = 'UTC'");
    // Progress is tracked (for `onProgress`) but never printed by DuckDB itself.
    await connection.run('SET enable_progress_bar = true');
    await connection.run('SET enable_progress_bar_print = false');
    return new DuckDbSession(instance, connection);
  }

  /** Runs a statement, discarding any result. `:name` parameters are bound from `params`. */
  async run(sql: string, params: SqlParams = {}): Promise<void> {
    await this.tracked(() => this.connection.run(toDollarParams(sql), bindable(params)));
  }

  private async tracked<T>(work: () => Promise<T>): Promise<T> {
    const listener = this.onProgress;
    const timer = listener
      ? setInterval(() => {
          const { percentage } = this.connection.progress;
          if (percentage >= 0) listener(percentage);
        }, 200)
      : undefined;
    try {
      return await work();
    } finally {
      clearInterval(timer);
    }
  }

  /** Called a few times a second with the running statement's progress (0–100) while one runs. */
  onProgress: ((percent: number) => void) | undefined;

  /** Runs a query and returns its rows as plain objects (64-bit integers and decimals as numbers). */
  async all(sql: string, params: SqlParams = {}): Promise<Row[]> {
    const reader = await this.tracked(() =>
      this.connection.runAndReadAll(toDollarParams(sql), bindable(params)),
    );
    const rows = reader.getRowObjectsJson() as Row[];
    const numeric = reader.columnNames().filter((_, i) => NUMERIC_AS_STRING.has(reader.columnType(i).typeId));
    if (numeric.length > 0) {
      for (const row of rows) {
        for (const name of numeric) {
          const value = row[name];
          if (typeof value === 'string') row[name] = Number(value);
        }
      }
    }
    return rows;
  }

  /** The first column of a query's result as text, without building an object per row (for millions of keys). */
  async column(sql: string, params: SqlParams = {}): Promise<string[]> {
    const reader = await this.tracked(() =>
      this.connection.runAndReadAll(toDollarParams(sql), bindable(params)),
    );
    return (reader.getColumnsJson()[0] ?? []).map((v) => String(v));
  }

  /** Rejects anything but a single SELECT, using DuckDB's own parser. */
  async assertSelect(sql: string): Promise<void> {
    const [row] = await this.all('SELECT json_serialize_sql(CAST(:q AS VARCHAR)) AS j', { q: sql });
    const parsed = JSON.parse(String(row?.j)) as {
      error: boolean;
      error_message?: string;
      statements?: unknown[];
    };
    if (parsed.error) {
      throw new UserError(
        `only a single SELECT query is allowed: ${parsed.error_message ?? 'not a SELECT'}`,
        {
          code: 'read_only',
        },
      );
    }
    if ((parsed.statements?.length ?? 0) !== 1) {
      throw new UserError('give exactly one SELECT statement', { code: 'read_only' });
    }
  }

  /**
   * Turns this session into a sandbox for untrusted SQL: no file, network or extension access from now
   * on (tables already loaded stay readable), and the setting cannot be changed back.
   */
  async lockDown(): Promise<void> {
    await this.connection.run('SET enable_external_access = false');
    await this.connection.run('SET lock_configuration = true');
  }

  /**
   * Runs `sql` if it is exactly one SELECT and appends its rows to a new table `table` of `target`
   * (another session), chunk by chunk. The statement checked is the statement that runs: DuckDB's own
   * parser splits the text, and the one prepared statement is tested for its type before it executes.
   */
  async copySelectInto(sql: string, target: DuckDbSession, table: string): Promise<number> {
    let extracted: Awaited<ReturnType<DuckDBConnection['extractStatements']>>;
    try {
      extracted = await this.connection.extractStatements(sql);
    } catch (err) {
      throw new UserError(`the mapping's sql does not parse: ${firstLine(err)}`, {
        code: 'read_only',
        cause: err,
      });
    }
    if (extracted.count !== 1) {
      throw new UserError(
        `the mapping's sql must be exactly one SELECT (it has ${extracted.count} statements)`,
        {
          code: 'read_only',
        },
      );
    }
    let prepared: Awaited<ReturnType<typeof extracted.prepare>>;
    try {
      prepared = await extracted.prepare(0);
    } catch (err) {
      throw new UserError(`the mapping's sql fails: ${firstLine(err)}`, { code: 'bad_sql', cause: err });
    }
    try {
      if (prepared.statementType !== StatementType.SELECT) {
        throw new UserError("the mapping's sql must be a SELECT: it may only read the sources", {
          code: 'read_only',
        });
      }
      // A fault of the query (a failed cast) is the user's to fix, whether at the start or mid-stream.
      const userFault = (err: unknown): never => {
        if (isInputError(err))
          throw new UserError(`the mapping's sql fails: ${firstLine(err)}`, { cause: err });
        throw err;
      };
      const result = await prepared.stream().catch(userFault);
      const names = result.columnNames();
      const types = result.columnTypes();
      const columns = names.map((n, i) => `${sqlIdent(n)} ${String(types[i])}`).join(', ');
      await target.connection.run(`CREATE TEMP TABLE ${sqlIdent(table)} (${columns})`);
      const appender = await target.connection.createAppender(table, 'main', 'temp');
      let rows = 0;
      try {
        for (
          let chunk = await result.fetchChunk().catch(userFault);
          chunk && chunk.rowCount > 0;
          chunk = await result.fetchChunk().catch(userFault)
        ) {
          appender.appendDataChunk(chunk);
          rows += chunk.rowCount;
        }
        appender.flushSync();
      } finally {
        appender.closeSync();
      }
      return rows;
    } finally {
      prepared.destroySync();
    }
  }

  close(): void {
    this.connection.closeSync();
    this.instance.closeSync();
  }
}

// DuckDB names the kind of every error at the start of its message. These kinds come from the input (a
// file's contents, a query's text); the others (Out of Memory, IO, INTERNAL, …) from the machine or a bug.
const INPUT_ERRORS =
  /^(Parser|Binder|Catalog|Conversion|Invalid Input|Out of Range|Permission|Constraint) Error\b/;

/** Whether a DuckDB error was caused by the input (bad data or SQL), not by the machine or a bug. */
export function isInputError(err: unknown): boolean {
  return err instanceof Error && INPUT_ERRORS.test(err.message);
}

function firstLine(err: unknown): string {
  return (err instanceof Error ? err.message : String(err)).split('\n')[0] ?? '';
}

/** Rewrites engine-neutral `:name` parameters to DuckDB's `$name`, leaving `::` casts and strings alone. */
export function toDollarParams(sql: string): string {
  return sql.replace(
    /('(?:[^']|'')*')|(?<![:\w]):([A-Za-z_]\w*)/g,
    (match, quoted: string | undefined, name) => (quoted ? match : `$${name}`),
  );
}

function bindable(params: SqlParams): Record<string, DuckDBValue> {
  const out: Record<string, DuckDBValue> = {};
  for (const [key, value] of Object.entries(params)) out[key] = value as DuckDBValue;
  return out;
}
