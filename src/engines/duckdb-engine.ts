import { existsSync } from 'node:fs';
import { UserError } from '../errors/index.js';
import { dataLayout, TABLE_NAMES, TABLES } from '../lake/index.js';
import { DuckDbSession, sqlIdent, sqlString } from './duckdb.js';
import { tableSelectSql } from './lake-views.js';
import type { Engine, Row, SqlParams } from './types.js';

/** Options for opening the lake. */
export interface OpenOptions {
  /** Refuse file access outside the lake and any further configuration change (for user-written SQL). */
  sandboxed?: boolean;
  threads?: number;
}

/** DuckDB embedded: the default engine. Registers one view per lake table. */
export class DuckDbEngine implements Engine {
  readonly name = 'duckdb';
  private constructor(private readonly db: DuckDbSession) {}

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
    const db = await DuckDbSession.open(options.threads ? { threads: options.threads } : {});
    try {
      for (const name of TABLE_NAMES) {
        await db.run(`CREATE OR REPLACE VIEW ${sqlIdent(name)} AS ${tableSelectSql(layout, TABLES[name])}`);
      }
      // Engine-neutral helper that analyses use for local days; Spark defines the same name.
      await db.run('CREATE OR REPLACE MACRO local_time(ts, tz) AS timezone(tz, CAST(ts AS TIMESTAMPTZ))');
      if (options.sandboxed) {
        await db.run(`SET allowed_directories = [${sqlString(`${layout.lake}/`)}]`);
        await db.run('SET enable_external_access = false');
        await db.run('SET lock_configuration = true');
      }
    } catch (err) {
      db.close();
      throw err;
    }
    return new DuckDbEngine(db);
  }

  query(sql: string, params: SqlParams = {}): Promise<Row[]> {
    return this.db.all(sql, params);
  }

  /** Runs user-written SQL after checking that it is a single SELECT. */
  async querySelect(sql: string): Promise<Row[]> {
    await this.db.assertSelect(sql);
    return this.db.all(sql);
  }

  async close(): Promise<void> {
    this.db.close();
  }
}
