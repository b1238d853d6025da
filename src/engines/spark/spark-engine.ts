import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { UserError } from '../../errors/index.js';
import {
  type DataLayout,
  dataLayout,
  manifestVersion,
  TABLE_NAMES,
  TABLES,
  type TableName,
  type TableSpec,
  tableFiles,
} from '../../lake/index.js';
import { allows, maskSecret, maskSql, PII_COLUMNS, type Role, SPARK_MASK } from '../../security/index.js';
import { tableStatus, tableStatuses, unavailableTable } from '../table-status.js';
import {
  type Column,
  collectRows,
  type Engine,
  type Row,
  type RowStream,
  type RunOptions,
  type SqlParams,
  type TableStatus,
} from '../types.js';
import { SparkConnectClient, SparkQueryError } from './connect-client.js';
import { parquetSchemaDdl, SESSION_FUNCTIONS, SESSION_SETTINGS, sparkIdent, sparkType } from './dialect.js';
import { type LakeLocator, lakeLocator } from './lake-uri.js';
import { parseSparkRemote, type SparkRemote } from './remote.js';

/** How to reach Spark and where it reads the lake from. */
export interface SparkEngineOptions {
  /** Spark Connect connection string, e.g. sc://127.0.0.1:15002 (or an already parsed one). */
  remote: string | SparkRemote;
  /**
   * The lake directory as Spark sees it (`file:///…`, `hdfs://nn/…/lake`, `s3a://bucket/…/lake`); each
   * live file's path under `<data>/lake` is appended to it. Default: the local lake as a file:// URI.
   */
  lakeUri?: string;
  /**
   * For user-written SQL (`querySelect`): the server must run in restricted mode (see
   * RESTRICTED_MODE), or opening fails with what to change.
   */
  sandboxed?: boolean;
  /** Whose view of the lake (default admin): below admin, customers' personal data reads masked. */
  role?: Role;
}

/**
 * Spark's static setting that rejects reflect(), java_method(), try_reflect() and TRANSFORM … USING:
 * without it a SELECT can call static Java methods (System.exit, System.getenv) or run a program on the
 * cluster, so user-written SQL runs only on a server started with it (a session cannot change it).
 */
export const RESTRICTED_MODE = 'spark.sql.restrictedMode.enabled';

/**
 * Apache Spark through Spark Connect: one session per engine, one temporary view per lake table over
 * exactly the files its manifest lists (rebuilt when the manifest changes), columns cast to the table's
 * declared types, and the engine-neutral helpers `local_time` and `epoch_seconds` as session functions.
 */
export class SparkEngine implements Engine {
  readonly name = 'spark';
  private readonly viewVersions = new Map<TableName, string>();

  private constructor(
    private readonly client: SparkConnectClient,
    private readonly lake: LakeLocator,
    private readonly layout: DataLayout,
    private readonly sandboxed: boolean,
    /** The lake's masking secret when personal data is masked (role below admin). */
    private readonly secret: Buffer | undefined,
  ) {}

  /** Opens a session on the server and registers the lake's views. */
  static async open(dataDir: string, options: SparkEngineOptions): Promise<SparkEngine> {
    const layout = dataLayout(dataDir);
    if (!existsSync(layout.root)) {
      throw new UserError(
        `data directory ${layout.root} does not exist: run 'shoplake generate' or pass --data DIR`,
        { code: 'no_data' },
      );
    }
    const remote = typeof options.remote === 'string' ? parseSparkRemote(options.remote) : options.remote;
    const client = new SparkConnectClient(remote);
    const sandboxed = options.sandboxed === true;
    const secret = allows(options.role ?? 'admin', 'unmasked') ? undefined : maskSecret(layout.root);
    const lake = lakeLocator(layout.lake, options.lakeUri);
    const engine = new SparkEngine(client, lake, layout, sandboxed, secret);
    try {
      if (sandboxed) await assertRestricted(client, remote);
      for (const statement of [...SESSION_SETTINGS, ...SESSION_FUNCTIONS]) await client.run(statement);
      await engine.refreshViews();
    } catch (err) {
      await client.close().catch(() => undefined);
      throw err;
    }
    return engine;
  }

  async query(sql: string, params: SqlParams = {}, options: RunOptions = {}): Promise<Row[]> {
    return collectRows(await this.stream(sql, params, options));
  }

  /**
   * Streams a query's rows as Spark sends its Arrow batches. The first batch is awaited here so that the
   * result's columns are known up front (and a failing query fails this call, not the first read).
   */
  async stream(sql: string, params: SqlParams = {}, options: RunOptions = {}): Promise<RowStream> {
    return this.streamRows(sql, params, options, false);
  }

  // `exact`: values no double carries stay exact text (user SQL, which is printed; see arrow-rows.ts).
  private async streamRows(
    sql: string,
    params: SqlParams,
    options: RunOptions,
    exact: boolean,
  ): Promise<RowStream> {
    const { signal } = options;
    signal?.throwIfAborted();
    await this.refreshViews();
    const batches = this.client.batches(sql, params, exact);
    const first = await batches.next().catch((err: unknown) => {
      throw this.explainMissingTable(err);
    });
    const columns: readonly Column[] = first.done ? [] : first.value.columns;
    async function* rest(): AsyncGenerator<Row[]> {
      try {
        if (!first.done) yield first.value.rows;
        for (;;) {
          signal?.throwIfAborted();
          const next = await batches.next();
          if (next.done) return;
          yield next.value.rows;
        }
      } finally {
        // Cancels the server stream when the reader stops early or the signal fired.
        await batches.return(undefined);
      }
    }
    return Object.assign(rest(), { columns });
  }

  async tables(): Promise<TableStatus[]> {
    // With the lake on HDFS or S3 only the manifests are here: a listed file is not checked locally.
    return tableStatuses(this.layout, { filesHere: this.lake.local });
  }

  /**
   * Runs user-written SQL that must be one query: it is parsed as a subquery, so any other statement
   * (DDL, SET, several statements) fails to parse. Mistakes in it (syntax, unknown column) are the
   * user's, reported on one line.
   */
  async querySelect(sql: string, options: RunOptions = {}): Promise<RowStream> {
    if (!this.sandboxed) throw new Error('querySelect needs an engine opened with sandboxed: true');
    const body = sql.trim().replace(/;\s*$/, '');
    try {
      return await this.streamRows(`SELECT * FROM (\n${body}\n) AS shoplake_query`, {}, options, true);
    } catch (err) {
      // In user-written SQL a feature Spark refuses (0A000: restricted mode's reflect, TRANSFORM) is
      // the user's mistake too, not a failure of shoplake.
      if (err instanceof SparkQueryError && (err.isQueryMistake || err.sqlState === '0A000')) {
        throw new UserError(`only a single valid SELECT query is allowed: ${err.message}`, {
          code: 'read_only',
          cause: err,
        });
      }
      throw err;
    }
  }

  /**
   * Points each table's view at the files its manifest lists now (new batches, merged files). A table
   * that is not loaded has no view, as on DuckDB: a query naming it fails and says what to run, where an
   * empty view answered empty rows (inventory, reorder and the pricing analyses on a lake without
   * stock or competitor tables). A loaded table without rows (all rolled back) is an empty view.
   */
  private async refreshViews(): Promise<void> {
    for (const name of TABLE_NAMES) {
      const version = manifestVersion(join(this.layout.lake, name));
      if (this.viewVersions.get(name) === version) continue;
      if (tableStatus(this.layout, name, { filesHere: this.lake.local }).state === 'not loaded') {
        await this.client.run(`DROP VIEW IF EXISTS ${sparkIdent(name)}`);
      } else {
        await this.client.createTempView(name, this.tableRelation(TABLES[name]));
      }
      this.viewVersions.set(name, version);
    }
  }

  /** Spark's "table or view not found" for a lake table that is not loaded, as DuckDB's engine says it. */
  private explainMissingTable(err: unknown): unknown {
    if (!(err instanceof SparkQueryError)) return err;
    const missing = /TABLE_OR_VIEW_NOT_FOUND\][^`]*`(\w+)`/.exec(err.message)?.[1]?.toLowerCase();
    const table = TABLE_NAMES.find((t) => t === missing);
    if (!table) return err;
    const status = tableStatus(this.layout, table, { filesHere: this.lake.local });
    if (status.state === 'loaded') return err;
    const explained = unavailableTable(status);
    return new UserError(explained.message, { code: explained.code, cause: err });
  }

  /** The protocol relation of one table: its live Parquet files, each column cast to its declared type. */
  private tableRelation(spec: TableSpec): object {
    const files = tableFiles(this.layout, spec);
    if (files.length === 0) {
      const empty = spec.columns.map((c) => `CAST(NULL AS ${sparkType(c.type)}) AS ${sparkIdent(c.name)}`);
      return { sql: { query: `SELECT ${empty.join(', ')} WHERE false` } };
    }
    const read = {
      read: {
        data_source: {
          format: 'parquet',
          paths: files.map((f) => this.lake.uriOf(f)),
          // The schema the lake's writer uses, given rather than inferred: inference reads every file's
          // footer in a Spark job (seconds per table), and a column a file lacks reads as NULL.
          schema: parquetSchemaDdl(spec),
        },
      },
    };
    // Personal data is masked in the view's own projection: the raw column is never a column of any
    // view, and user SQL cannot read files by path (runSQLOnFiles is off).
    const pii = new Set(this.secret ? (PII_COLUMNS[spec.name] ?? []) : []);
    const expressions = spec.columns.map((c) => {
      const typed = `CAST(${sparkIdent(c.name)} AS ${sparkType(c.type)})`;
      const value = this.secret && pii.has(c.name) ? maskSql(SPARK_MASK, this.secret, typed) : typed;
      return { expression_string: { expression: `${value} AS ${sparkIdent(c.name)}` } };
    });
    return { project: { input: read, expressions } };
  }

  async close(): Promise<void> {
    await this.client.close();
  }
}

/** Refuses a server where a SELECT could call Java methods or run programs (see RESTRICTED_MODE). */
async function assertRestricted(client: SparkConnectClient, remote: SparkRemote): Promise<void> {
  const rows: Row[] = [];
  for await (const row of client.rows(`SET ${RESTRICTED_MODE}`)) rows.push(row);
  if (rows.some((r) => String(r.value).toLowerCase() === 'true')) return;
  throw new UserError(
    `the Spark Connect server at sc://${remote.host}:${remote.port} lets SQL call Java methods and run programs (reflect, TRANSFORM … USING): start it with --conf ${RESTRICTED_MODE}=true (Spark ≥ 4.3) to run user-written SQL on it; analyses run without it`,
    { code: 'spark_not_restricted' },
  );
}
