import type { DuckDBConnection, DuckDBInstance, DuckDBValue } from '@duckdb/node-api';
import { UserError } from '../errors/index.js';
import { duckdb } from './client.js';
import { isStatementError } from './errors.js';
import {
  encryptionUserError,
  httpfsExtensionPath,
  lakeKey,
  PARQUET_KEY_NAME,
  parquetWriteOptions,
} from './lake-key.js';
import { sqlIdent, sqlString, toDollarParams } from './quote.js';
import { numbersFromStrings, rowStream, stringNumericColumns } from './rows.js';
import { lockDown, prepareSingleSelect, SANDBOX_CONFIG } from './sandbox.js';
import type { SessionOptions } from './session.js';
import type { Row, RowStream, RunOptions, SqlParams } from './types.js';

/**
 * The only place that talks to DuckDB: owns one in-memory instance and connection, binds every value
 * as a parameter, and converts results to plain JSON-ready rows. Loaded by `DuckDbSession.open`
 * (session.ts) on first use, with DuckDB's native library; nothing else imports this file.
 */
export class NativeSession {
  private constructor(
    private readonly instance: DuckDBInstance,
    private readonly connection: DuckDBConnection,
    /** True when the session was locked down for user-written SQL. */
    readonly sandboxed: boolean,
  ) {}

  /** Opens an in-memory database; `threads` caps parallelism (default: all cores). */
  static async open(options: SessionOptions = {}): Promise<NativeSession> {
    const sandboxed = options.readOnlyFiles !== undefined;
    const config: Record<string, string> = sandboxed ? { ...SANDBOX_CONFIG } : {};
    if (options.threads) config.threads = String(options.threads);
    if (options.memoryLimit) config.memory_limit = options.memoryLimit;
    // Large ingests spill here rather than failing when they outgrow memory.
    if (options.tempDirectory) config.temp_directory = options.tempDirectory;
    const instance = await duckdb.DuckDBInstance.create(':memory:', config);
    const connection = await instance.connect();
    try {
      // Pinned so that timestamps without a zone mean UTC whatever the machine's zone is.
      await connection.run("SET TimeZone = 'UTC'");
      // Progress is tracked (for `onProgress`) but never printed by DuckDB itself.
      await connection.run('SET enable_progress_bar = true');
      await connection.run('SET enable_progress_bar_print = false');
      // An encrypted lake: every session can decrypt it (reading needs no extension).
      const key = lakeKey();
      if (key)
        await connection.run(
          `PRAGMA add_parquet_key(${sqlString(PARQUET_KEY_NAME)}, ${sqlString(key.parquetKey)})`,
        );
      if (options.readOnlyFiles) await lockDown(connection, options.readOnlyFiles);
    } catch (err) {
      connection.closeSync();
      instance.closeSync();
      throw err;
    }
    return new NativeSession(instance, connection, sandboxed);
  }

  /** Runs a statement, discarding any result. `:name` parameters are bound from `params`. */
  async run(sql: string, params: SqlParams = {}): Promise<void> {
    await this.tracked(() => this.connection.run(toDollarParams(sql), bindable(params)));
  }

  private httpfsLoaded = false;

  /**
   * The COPY option that encrypts Parquet this session writes ('' for an unencrypted lake). Secure
   * encryption needs httpfs's OpenSSL, loaded by path on the first encrypted write (never downloaded;
   * DuckDB's insecure fallback is never enabled).
   */
  async parquetWriteOptions(): Promise<string> {
    const options = parquetWriteOptions();
    if (options !== '' && !this.httpfsLoaded) {
      await this.connection.run(`LOAD ${sqlString(httpfsExtensionPath())}`);
      this.httpfsLoaded = true;
    }
    return options;
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
    } catch (err) {
      throw encryptionUserError(err) ?? err;
    } finally {
      clearInterval(timer);
    }
  }

  /** Called a few times a second with the running statement's progress (0–100) while one runs. */
  onProgress: ((percent: number) => void) | undefined;

  /** Runs a query and returns its rows as plain objects (64-bit integers and decimals as numbers). */
  async all(sql: string, params: SqlParams = {}, options: RunOptions = {}): Promise<Row[]> {
    const reader = await this.interruptible(options.signal, () =>
      this.tracked(() => this.connection.runAndReadAll(toDollarParams(sql), bindable(params))),
    );
    const rows = reader.getRowObjectsJson() as Row[];
    return numbersFromStrings(rows, stringNumericColumns(reader));
  }

  /** The first column of a query's result as text, without building an object per row (for millions of keys). */
  async column(sql: string, params: SqlParams = {}): Promise<string[]> {
    const reader = await this.tracked(() =>
      this.connection.runAndReadAll(toDollarParams(sql), bindable(params)),
    );
    return (reader.getColumnsJson()[0] ?? []).map((v) => String(v));
  }

  /**
   * The first column of a query's result as numbers in one Float64Array (NULL as NaN), chunk by chunk:
   * millions of values (the sessions table's id hashes) without an object or a string each.
   */
  async numbers(sql: string): Promise<Float64Array> {
    const result = await this.tracked(() => this.connection.stream(sql));
    const parts: Float64Array[] = [];
    let total = 0;
    for (
      let chunk = await result.fetchChunk();
      chunk && chunk.rowCount > 0;
      chunk = await result.fetchChunk()
    ) {
      const vector = chunk.getColumnVector(0);
      const part = new Float64Array(chunk.rowCount);
      for (let i = 0; i < part.length; i++) {
        const v = vector.getItem(i);
        part[i] = typeof v === 'number' ? v : typeof v === 'bigint' ? Number(v) : Number.NaN;
      }
      parts.push(part);
      total += part.length;
    }
    const out = new Float64Array(total);
    let at = 0;
    for (const part of parts) {
      out.set(part, at);
      at += part.length;
    }
    return out;
  }

  /** Runs a query and hands its rows over chunk by chunk as DuckDB produces them (bounded memory). */
  async stream(sql: string, params: SqlParams = {}, options: RunOptions = {}): Promise<RowStream> {
    const stop = this.onAbort(options.signal);
    try {
      options.signal?.throwIfAborted();
      const result = await this.connection.stream(toDollarParams(sql), bindable(params));
      return rowStream(result, stop);
    } catch (err) {
      stop();
      throw encryptionUserError(err) ?? err;
    }
  }

  /**
   * Streams the rows of one user-written SELECT, refused unless this session is sandboxed. The text is
   * checked and run as one prepared statement (see prepareSingleSelect); it is never rewritten.
   */
  async selectUserSql(sql: string, options: RunOptions = {}): Promise<RowStream> {
    if (!this.sandboxed) throw new Error('user-written SQL needs a sandboxed session (readOnlyFiles)');
    const stop = this.onAbort(options.signal);
    try {
      const prepared = await prepareSingleSelect(this.connection, sql);
      // A stop that came while preparing: an interrupt only reaches a statement that is running.
      options.signal?.throwIfAborted();
      const result = await prepared.stream();
      // User SQL is printed, not computed on: a value no double carries exactly is kept exact.
      return rowStream(
        result,
        () => {
          stop();
          prepared.destroySync();
        },
        true,
      );
    } catch (err) {
      stop();
      throw err;
    }
  }

  // An aborted signal interrupts whatever the connection is running; the statement then fails with
  // DuckDB's interrupt error, which the caller replaces by the signal's reason. The interrupt is repeated
  // until the statement is over, because one that lands before DuckDB starts executing is forgotten.
  private onAbort(signal: AbortSignal | undefined): () => void {
    if (!signal) return () => {};
    let repeat: NodeJS.Timeout | undefined;
    const interrupt = () => {
      this.connection.interrupt();
      repeat ??= setInterval(() => this.connection.interrupt(), 100);
    };
    if (signal.aborted) interrupt();
    signal.addEventListener('abort', interrupt, { once: true });
    return () => {
      clearInterval(repeat);
      signal.removeEventListener('abort', interrupt);
    };
  }

  private async interruptible<T>(signal: AbortSignal | undefined, work: () => Promise<T>): Promise<T> {
    const stop = this.onAbort(signal);
    try {
      return await work();
    } finally {
      stop();
    }
  }

  /**
   * Turns this session into a sandbox for untrusted SQL after its inputs are loaded: no file, network or
   * extension access from now on (tables already loaded stay readable), and no way to change it back.
   */
  async lockDown(): Promise<void> {
    await lockDown(this.connection, []);
  }

  /**
   * Runs `sql` if it is exactly one SELECT and appends its rows to a new table `table` of `target`
   * (another session), chunk by chunk. The statement checked is the statement that runs: DuckDB's own
   * parser splits the text, and the one prepared statement is tested for its type before it executes.
   */
  async copySelectInto(sql: string, target: NativeSession, table: string): Promise<number> {
    // The same guard as `shoplake sql`, with the mapping named in what it says.
    const prepared = await prepareSingleSelect(this.connection, sql).catch((err: unknown): never => {
      if (err instanceof UserError)
        throw new UserError(`the mapping's sql: ${err.message}`, { code: err.code, cause: err });
      if (isStatementError(err))
        throw new UserError(`the mapping's sql fails: ${firstLine(err)}`, { code: 'bad_sql', cause: err });
      throw err;
    });
    try {
      // A fault of the query (a failed cast) is the user's to fix, whether at the start or mid-stream.
      const userFault = (err: unknown): never => {
        if (isStatementError(err))
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

function firstLine(err: unknown): string {
  return (err instanceof Error ? err.message : String(err)).split('\n')[0] ?? '';
}

function bindable(params: SqlParams): Record<string, DuckDBValue> {
  const out: Record<string, DuckDBValue> = {};
  for (const [key, value] of Object.entries(params)) out[key] = value;
  return out;
}
