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

// Idle sessions kept for the next statements: a few concurrent requests (the dashboard, serve) reuse
// them instead of opening a session and registering every view each time (tens of ms), while a burst
// leaves at most this many DuckDB databases open once it is over.
const MAX_IDLE = 4;

// One session of the engine: its views were built from `versions`; `used` once user SQL ran in it.
interface Slot {
  readonly session: DuckDbSession;
  readonly versions: Map<TableName, string>;
  used: boolean;
}

/**
 * DuckDB embedded, the default engine: one view per lake table over the files its manifest lists,
 * registered table by table so that a damaged table leaves the others readable. Open it with
 * `openEngine` (src/engines/open.ts); code outside src/engines should not name this class.
 */
export class DuckDbEngine implements Engine {
  readonly name = 'duckdb';
  // Sessions are leased, one statement (or open stream) each: DuckDB ends a connection's open streaming
  // result silently when another statement runs on that connection, and a view rebuilt for a newer
  // manifest must not change under a statement that is reading it. A call takes the idle session or
  // opens another, brings its views up to date while it holds it alone, and gives it back when done.
  private readonly idle: Slot[] = [];
  private readonly busy = new Set<Slot>();
  // Leases run one at a time (a second waits for the first, then sees what it left): the manifests are
  // read, the masked copies written and the views registered without two callers interleaving.
  private leases: Promise<unknown> = Promise.resolve();
  private closed = false;
  // Version each table's status was read from; a session whose views were built from another version
  // re-registers them (or, sandboxed, is replaced) before its next statement.
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
      engine.release(await engine.lease());
    } catch (err) {
      await engine.close();
      throw err;
    }
    return engine;
  }

  async query(sql: string, params: SqlParams = {}, options: RunOptions = {}): Promise<Row[]> {
    const slot = await this.lease();
    try {
      return await guardErrors(this.statuses, this.layout, options, () =>
        slot.session.all(sql, params, options),
      );
    } finally {
      this.release(slot);
    }
  }

  async stream(sql: string, params: SqlParams = {}, options: RunOptions = {}): Promise<RowStream> {
    const slot = await this.lease();
    try {
      const stream = await guardErrors(this.statuses, this.layout, options, () =>
        slot.session.stream(sql, params, options),
      );
      return this.releasedAtEnd(slot, guardStream(stream, this.statuses, this.layout, options));
    } catch (err) {
      this.release(slot);
      throw err;
    }
  }

  async querySelect(sql: string, options: RunOptions = {}): Promise<RowStream> {
    if (!this.options.sandboxed) throw new Error('querySelect needs an engine opened with sandboxed: true');
    const slot = await this.lease();
    // A SELECT can still change session state through table functions (enable_logging() is one): the
    // session is closed when this statement is done, so no later statement runs in it.
    slot.used = true;
    try {
      const stream = await userSqlErrors(this.statuses, this.layout, options, () =>
        slot.session.selectUserSql(sql, options),
      );
      return this.releasedAtEnd(slot, guardStream(stream, this.statuses, this.layout, options, true));
    } catch (err) {
      this.release(slot);
      throw err;
    }
  }

  async tables(): Promise<TableStatus[]> {
    this.release(await this.lease());
    return TABLE_NAMES.map((t) => this.statuses.get(t) ?? tableStatus(this.layout, t));
  }

  // The same stream, giving its session back once it ends, is closed early (break) or fails. A stream
  // never iterated keeps its session until the engine closes.
  private releasedAtEnd(slot: Slot, stream: RowStream): RowStream {
    let released = false;
    const release = () => {
      if (released) return;
      released = true;
      this.release(slot);
    };
    return {
      columns: stream.columns,
      async *[Symbol.asyncIterator]() {
        try {
          yield* stream;
        } finally {
          release();
        }
      },
    };
  }

  // Runs the leases one after another (see `leases`), whether the one before succeeded or failed.
  private serial<T>(work: () => Promise<T>): Promise<T> {
    const run = this.leases.then(work);
    this.leases = run.catch(() => undefined);
    return run;
  }

  /**
   * A session for one statement, its views up to date with the manifests. A sandboxed session cannot
   * widen the files it may read, so one whose tables changed is replaced by a new one locked to the
   * current list; one that ran user SQL was closed when that statement ended.
   */
  private lease(): Promise<Slot> {
    return this.serial(async () => {
      if (this.closed) throw new Error('the engine is closed');
      const changed = TABLE_NAMES.filter(
        (t) =>
          this.statuses.get(t)?.state === 'damaged' || this.versions.get(t) !== tableVersion(this.layout, t),
      );
      for (const t of changed) {
        this.versions.set(t, tableVersion(this.layout, t));
        this.statuses.set(t, tableStatus(this.layout, t));
      }
      let slot = this.idle.pop();
      // A table re-read by this lease, or whose view the slot could not build, is registered again.
      const stale = (s: Slot) =>
        TABLE_NAMES.filter((t) => changed.includes(t) || s.versions.get(t) !== this.versions.get(t));
      if (slot && this.options.sandboxed && stale(slot).length > 0) {
        slot.session.close();
        slot = undefined;
      }
      const tables = slot ? stale(slot) : TABLE_NAMES;
      slot ??= { session: await this.openSession(), versions: new Map(), used: false };
      try {
        for (const t of tables) await this.register(slot, t);
        if (this.closed) throw new Error('the engine is closed');
      } catch (err) {
        slot.session.close();
        throw err;
      }
      this.busy.add(slot);
      return slot;
    });
  }

  // Gives a session back: kept for a later statement while fewer than MAX_IDLE are idle, closed
  // otherwise (or if user SQL ran in it, or the engine was closed meanwhile).
  private release(slot: Slot): void {
    if (!this.busy.delete(slot)) return;
    if (this.closed || slot.used || this.idle.length >= MAX_IDLE) slot.session.close();
    else this.idle.push(slot);
    // Masked copies replaced meanwhile: an idle session reading them is replaced before its next use.
    if (this.busy.size === 0 && !this.closed) this.maskedCopies.removeRetired();
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
  private async register(slot: Slot, table: TableName): Promise<void> {
    const { session } = slot;
    const status = this.statuses.get(table) ?? tableStatus(this.layout, table);
    // A damaged table is left without a version, so every lease tries its view again.
    slot.versions.delete(table);
    await session.run(`DROP VIEW IF EXISTS ${sqlIdent(table)}`);
    if (status.state === 'loaded') await this.createView(session, table, status.files);
    if (this.statuses.get(table)?.state !== 'damaged')
      slot.versions.set(table, this.versions.get(table) ?? '');
  }

  // The view over a loaded table's files; one that cannot be built leaves the table damaged.
  private async createView(
    session: DuckDbSession,
    table: TableName,
    files: readonly string[],
  ): Promise<void> {
    // A sandboxed masking session reads the masked copy (writeMaskedCopies), never the table's files.
    const fromCopy = this.options.sandboxed === true && this.isMaskedTable(table);
    const copy = fromCopy ? this.maskedCopies.file(table) : undefined;
    if (fromCopy && !copy) return;
    try {
      const select = copy ? `SELECT * FROM ${lakeParquetSql(copy, '')}` : this.viewSql(table, files);
      await session.run(`CREATE VIEW ${sqlIdent(table)} AS ${select}`);
    } catch (err) {
      const reason = err instanceof Error ? (err.message.split('\n')[0] ?? '') : String(err);
      this.statuses.set(table, damaged(table, `its files cannot be read (${reason.slice(0, 160)})`));
    }
  }

  async close(): Promise<void> {
    this.closed = true;
    for (const slot of [...this.idle, ...this.busy]) slot.session.close();
    this.idle.length = 0;
    this.busy.clear();
    rmSync(this.tempDirectory, { recursive: true, force: true });
  }
}
