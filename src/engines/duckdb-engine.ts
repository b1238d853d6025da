import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DuckDbSession, defaultMemoryLimit, sqlIdent, sqlString } from '../duckdb/index.js';
import { UserError } from '../errors/index.js';
import {
  type DataLayout,
  dataLayout,
  manifestVersion,
  TABLE_NAMES,
  TABLES,
  type TableName,
  tableSelectSql,
} from '../lake/index.js';
import type { Engine, Row, SqlParams } from './types.js';

/** Options for opening the lake. */
export interface OpenOptions {
  /** Refuse file access outside the lake and any further configuration change (for user-written SQL). */
  sandboxed?: boolean;
  threads?: number;
  /** DuckDB memory limit, e.g. '8GB' (default: defaultMemoryLimit(), half the machine's memory). */
  memoryLimit?: string;
}

/** DuckDB embedded: the default engine. Registers one view per lake table. */
export class DuckDbEngine implements Engine {
  readonly name = 'duckdb';
  // Manifest version each view was built from; a view is rebuilt when its table's manifest changes.
  private readonly viewVersions = new Map<TableName, string>();

  private constructor(
    private readonly db: DuckDbSession,
    private readonly tempDirectory: string,
    private readonly layout: DataLayout,
  ) {}

  static async open(dataDir: string, options: OpenOptions = {}): Promise<DuckDbEngine> {
    const layout = dataLayout(dataDir);
    if (!existsSync(layout.root)) {
      throw new UserError(
        `data directory ${layout.root} does not exist: run 'shoplake generate' or pass --data DIR`,
        {
          code: 'no_data',
        },
      );
    }
    // Queries over tens of millions of rows spill to a private temp directory instead of growing without
    // bound (DuckDB would otherwise take up to 80 % of the machine's memory).
    const tempDirectory = mkdtempSync(join(tmpdir(), 'shoplake-duckdb-'));
    const db = await DuckDbSession.open({
      tempDirectory,
      memoryLimit: options.memoryLimit ?? defaultMemoryLimit(),
      ...(options.threads ? { threads: options.threads } : {}),
    });
    const engine = new DuckDbEngine(db, tempDirectory, layout);
    try {
      await engine.refreshViews();
      // Engine-neutral helper that analyses use for local days; Spark defines the same name.
      await db.run('CREATE OR REPLACE MACRO epoch_seconds(ts) AS CAST(epoch(ts) AS BIGINT)');
      // UTC (the default) skips the zone conversion, which costs seconds on tens of millions of rows.
      await db.run(
        "CREATE OR REPLACE MACRO local_time(ts, tz) AS CASE WHEN tz = 'UTC' THEN ts ELSE timezone(tz, CAST(ts AS TIMESTAMPTZ)) END",
      );
      if (options.sandboxed) {
        await db.run(`SET allowed_directories = [${sqlString(`${layout.lake}/`)}]`);
        await db.run('SET enable_external_access = false');
        await db.run('SET lock_configuration = true');
      }
    } catch (err) {
      db.close();
      rmSync(tempDirectory, { recursive: true, force: true });
      throw err;
    }
    return engine;
  }

  async query(sql: string, params: SqlParams = {}): Promise<Row[]> {
    await this.refreshViews();
    return this.db.all(sql, params);
  }

  /** Points each table's view at the files its manifest lists now (new batches, merged files). */
  private async refreshViews(): Promise<void> {
    for (const name of TABLE_NAMES) {
      const version = manifestVersion(join(this.layout.lake, name));
      if (this.viewVersions.get(name) === version) continue;
      await this.db.run(
        `CREATE OR REPLACE VIEW ${sqlIdent(name)} AS ${tableSelectSql(this.layout, TABLES[name])}`,
      );
      this.viewVersions.set(name, version);
    }
  }

  /** Runs user-written SQL after checking that it is a single SELECT. */
  async querySelect(sql: string): Promise<Row[]> {
    await this.db.assertSelect(sql);
    await this.refreshViews();
    return this.db.all(sql);
  }

  async close(): Promise<void> {
    this.db.close();
    rmSync(this.tempDirectory, { recursive: true, force: true });
  }
}
