import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DuckDbSession, defaultMemoryLimit, sqlIdent } from '../duckdb/index.js';
import {
  type DataLayout,
  dataLayout,
  lakeParquetSql,
  TABLE_NAMES,
  TABLES,
  type TableName,
  tableSelectSql,
} from '../lake/index.js';
import {
  allows,
  DUCKDB_MASK,
  maskedSelectSql,
  maskSecret,
  PII_COLUMNS,
  type Role,
} from '../security/index.js';
import { guardErrors, guardStream, userSqlErrors } from './lake-errors.js';
import { MaskedCopies } from './masked-copies.js';
import { assertDataDir, damaged, tableStatus, tableVersion } from './table-status.js';
import type { Engine, Row, RowStream, RunOptions, SqlParams, TableStatus } from './types.js';

/** Options for opening the lake. */
export interface OpenOptions {
  /** Lock the engine down for user-written SQL: read the lake's live files only, change nothing. */
  sandboxed?: boolean;
  threads?: number;
  /** DuckDB memory limit, e.g. '8GB' (default: defaultMemoryLimit(), half the machine's memory). */
  memoryLimit?: string;
  /**
   * Whose view of the lake (default admin): below admin the customers' names, emails and cities read
   * as a keyed hash (see src/security/mask.ts), in every view this engine registers.
   */
  role?: Role;
}

/**
 * DuckDB embedded, the default engine: one view per lake table over the files its manifest lists,
 * registered table by table so that a damaged table leaves the others readable. Open it with
 * `openEngine` (src/engines/open.ts); code outside src/engines should not name this class.
 */
export class DuckDbEngine implements Engine {
  readonly name = 'duckdb';
  private session: DuckDbSession | undefined;
  // Set once user-written SQL ran in the session: a SELECT can still change session state through
  // table functions (enable_logging() is one), so the next statement gets a fresh locked session.
  private used = false;
  // Version each table's view was built from; a view is rebuilt when its table's manifest changes.
  private readonly versions = new Map<TableName, string>();
  private readonly statuses = new Map<TableName, TableStatus>();
  // The lake's masking secret when this engine masks personal data; undefined for admin.
  private readonly secret: Buffer | undefined;
  // Masked copies of the tables with personal data, read by a sandboxed masking session.
  private readonly maskedCopies: MaskedCopies;

  private constructor(
    private readonly layout: DataLayout,
    private readonly tempDirectory: string,
    private readonly options: OpenOptions,
  ) {
    this.maskedCopies = new MaskedCopies(tempDirectory, {
      tempDirectory,
      memoryLimit: options.memoryLimit ?? defaultMemoryLimit(),
      ...(options.threads ? { threads: options.threads } : {}),
    });
    const role = options.role ?? 'admin';
    this.secret = allows(role, 'unmasked') ? undefined : maskSecret(layout.root);
  }

  // Tables whose raw columns a sandboxed, masking session must never be able to read: their masked rows
  // are copied into the session before it is locked, and their files stay outside what it may open.
  private isMaskedTable(table: TableName): boolean {
    return this.secret !== undefined && (PII_COLUMNS[table]?.length ?? 0) > 0;
  }

  static async open(dataDir: string, options: OpenOptions = {}): Promise<DuckDbEngine> {
    const layout = dataLayout(dataDir);
    assertDataDir(layout.root);
    // Queries over tens of millions of rows spill to a private temp directory (mode 0700) instead of
    // growing without bound (DuckDB would otherwise take up to 80 % of the machine's memory).
    const tempDirectory = mkdtempSync(join(tmpdir(), 'shoplake-duckdb-'));
    const engine = new DuckDbEngine(layout, tempDirectory, options);
    try {
      await engine.refresh();
    } catch (err) {
      await engine.close();
      throw err;
    }
    return engine;
  }

  async query(sql: string, params: SqlParams = {}, options: RunOptions = {}): Promise<Row[]> {
    const session = await this.refresh();
    return guardErrors(this.statuses, this.layout, options, () => session.all(sql, params, options));
  }

  async stream(sql: string, params: SqlParams = {}, options: RunOptions = {}): Promise<RowStream> {
    const session = await this.refresh();
    const stream = await guardErrors(this.statuses, this.layout, options, () =>
      session.stream(sql, params, options),
    );
    return guardStream(stream, this.statuses, this.layout, options);
  }

  async querySelect(sql: string, options: RunOptions = {}): Promise<RowStream> {
    if (!this.options.sandboxed) throw new Error('querySelect needs an engine opened with sandboxed: true');
    const session = await this.refresh();
    this.used = true;
    const stream = await userSqlErrors(this.statuses, this.layout, options, () =>
      session.selectUserSql(sql, options),
    );
    return guardStream(stream, this.statuses, this.layout, options, true);
  }

  async tables(): Promise<TableStatus[]> {
    await this.refresh();
    return TABLE_NAMES.map((t) => this.statuses.get(t) ?? tableStatus(this.layout, t));
  }

  /**
   * Brings the views up to date with the manifests. A sandboxed session cannot widen the files it may
   * read, so when any table's files change, or user SQL ran in it, it is replaced by a new one locked
   * to the current list: one user statement cannot leave anything behind for the next.
   */
  private async refresh(): Promise<DuckDbSession> {
    const changed = TABLE_NAMES.filter(
      (t) =>
        this.statuses.get(t)?.state === 'damaged' || this.versions.get(t) !== tableVersion(this.layout, t),
    );
    if (this.session && changed.length === 0 && !this.used) return this.session;
    for (const t of changed) {
      this.versions.set(t, tableVersion(this.layout, t));
      this.statuses.set(t, tableStatus(this.layout, t));
    }
    if (!this.session || this.options.sandboxed) {
      this.session?.close();
      this.session = undefined;
      this.used = false;
      const session = await this.openSession();
      this.session = session;
      for (const t of TABLE_NAMES) await this.register(session, t);
      return session;
    }
    for (const t of changed) await this.register(this.session, t);
    return this.session;
  }

  private async openSession(): Promise<DuckDbSession> {
    if (this.options.sandboxed) await this.writeMaskedCopies();
    const readable = [...this.statuses.values()].flatMap((s) =>
      s.state === 'loaded' && !(this.options.sandboxed && this.isMaskedTable(s.table)) ? s.files : [],
    );
    const copies = this.maskedCopies.files();
    const session = await DuckDbSession.open({
      tempDirectory: this.tempDirectory,
      memoryLimit: this.options.memoryLimit ?? defaultMemoryLimit(),
      ...(this.options.threads ? { threads: this.options.threads } : {}),
      ...(this.options.sandboxed ? { readOnlyFiles: [...readable, ...copies] } : {}),
    });
    try {
      // Engine-neutral helper that analyses use for local days; Spark defines the same name.
      await session.run('CREATE OR REPLACE MACRO epoch_seconds(ts) AS CAST(epoch(ts) AS BIGINT)');
      // UTC (the default) skips the zone conversion, which costs seconds on tens of millions of rows.
      await session.run(
        "CREATE OR REPLACE MACRO local_time(ts, tz) AS CASE WHEN tz = 'UTC' THEN ts ELSE timezone(tz, CAST(ts AS TIMESTAMPTZ)) END",
      );
    } catch (err) {
      session.close();
      throw err;
    }
    return session;
  }

  // Brings the masked copies up to date with the tables (see MaskedCopies); a copy that cannot be
  // written leaves its table damaged, as an unreadable file would.
  private async writeMaskedCopies(): Promise<void> {
    for (const table of TABLE_NAMES) {
      if (!this.isMaskedTable(table)) continue;
      const status = this.statuses.get(table) ?? tableStatus(this.layout, table);
      if (status.state !== 'loaded') {
        this.maskedCopies.drop(table);
        continue;
      }
      try {
        await this.maskedCopies.refresh(
          table,
          this.versions.get(table) ?? '',
          this.viewSql(table, status.files),
        );
      } catch (err) {
        const reason = err instanceof Error ? (err.message.split('\n')[0] ?? '') : String(err);
        this.statuses.set(table, damaged(table, `its files cannot be read (${reason.slice(0, 160)})`));
      }
    }
  }

  // The SELECT a table's view runs: typed columns over the live files, personal data masked if need be.
  private viewSql(table: TableName, files: readonly string[]): string {
    const spec = TABLES[table];
    const typed = tableSelectSql(this.layout, spec, files);
    if (!this.secret || !this.isMaskedTable(table)) return typed;
    const names = spec.columns.map((c) => c.name);
    return maskedSelectSql(DUCKDB_MASK, this.secret, table, names, typed, sqlIdent);
  }

  // One table's view; a table that is not loaded or is damaged gets none, so only a query that names it
  // fails (with the line unavailableTable gives), and every other table keeps working.
  private async register(session: DuckDbSession, table: TableName): Promise<void> {
    const status = this.statuses.get(table) ?? tableStatus(this.layout, table);
    await session.run(`DROP VIEW IF EXISTS ${sqlIdent(table)}`);
    if (status.state !== 'loaded') return;
    // A sandboxed masking session reads the masked copy (writeMaskedCopies), never the table's files.
    const fromCopy = this.options.sandboxed === true && this.isMaskedTable(table);
    const copy = fromCopy ? this.maskedCopies.file(table) : undefined;
    if (fromCopy && !copy) return;
    try {
      const select = copy ? `SELECT * FROM ${lakeParquetSql(copy, '')}` : this.viewSql(table, status.files);
      await session.run(`CREATE VIEW ${sqlIdent(table)} AS ${select}`);
    } catch (err) {
      const reason = err instanceof Error ? (err.message.split('\n')[0] ?? '') : String(err);
      this.statuses.set(table, damaged(table, `its files cannot be read (${reason.slice(0, 160)})`));
    }
  }

  async close(): Promise<void> {
    this.session?.close();
    this.session = undefined;
    rmSync(this.tempDirectory, { recursive: true, force: true });
  }
}
