import type { Column, Engine, Row } from '../engines/index.js';
import { UserError } from '../errors/index.js';
import { Serial } from './serial.js';
import { timeoutSignal } from './warm-engine.js';

/** A user query's answer: its columns, its first rows, and whether rows were left out. */
export interface SqlAnswer {
  columns: Column[];
  rows: Row[];
  /** True when the result had more than `maxRows` rows and only the first ones are here. */
  truncated: boolean;
}

/** Limits on one user query (the CLI's `sql` has the same timeout default). */
export interface SqlLimits {
  maxRows: number;
  timeoutMs: number;
}

/** Ten minutes, as `shoplake sql --timeout`'s default. */
export const SQL_TIMEOUT_MS = 10 * 60_000;

/**
 * Runs user-written SQL on a sandboxed engine, one statement at a time: it is the same `querySelect`
 * guard that `shoplake sql` uses (one SELECT, prepared and run as is, on a locked engine that reads the
 * lake's live files only, a fresh session per statement). The engine is opened on first use.
 */
export class SqlRunner {
  private engine: Promise<Engine> | undefined;
  private readonly serial = new Serial();

  constructor(
    private readonly open: () => Promise<Engine>,
    private readonly limits: SqlLimits,
  ) {}

  run(sql: string): Promise<SqlAnswer> {
    if (sql.trim() === '') throw new UserError('write one SELECT statement', { code: 'bad_sql' });
    return this.serial.run(async () => {
      this.engine ??= this.open().catch((err: unknown) => {
        this.engine = undefined;
        throw err;
      });
      const engine = await this.engine;
      const signal = timeoutSignal(this.limits.timeoutMs);
      const stream = await engine.querySelect(sql, { signal });
      const rows: Row[] = [];
      let truncated = false;
      for await (const batch of stream) {
        for (const row of batch) {
          if (rows.length >= this.limits.maxRows) truncated = true;
          else rows.push(row);
        }
        // Reading on would only count rows nobody sees; leaving the loop closes the stream.
        if (truncated) break;
      }
      return { columns: [...stream.columns], rows, truncated };
    });
  }

  async close(): Promise<void> {
    const engine = this.engine;
    this.engine = undefined;
    if (engine) await (await engine.catch(() => null))?.close();
  }
}
