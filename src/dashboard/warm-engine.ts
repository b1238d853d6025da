import type { Engine, Row, SqlParams } from '../engines/index.js';
import { UserError } from '../errors/index.js';
import { Serial } from './serial.js';

/** An abort signal that fires after `ms` with a user error saying so (as the CLI's --timeout does). */
export function timeoutSignal(ms: number): AbortSignal {
  const controller = new AbortController();
  setTimeout(
    () =>
      controller.abort(
        new UserError(`stopped after ${Math.round(ms / 1000)} s: narrow the query`, {
          code: 'timeout',
          status: 408,
        }),
      ),
    ms,
  ).unref();
  return controller.signal;
}

/**
 * The server's one long-lived engine (opened on first use, so the server starts before the lake exists),
 * with its statements run one at a time and counted: the count is what /api/status reports and what
 * the benchmark checks does not grow with the number of viewers.
 */
export class WarmEngine {
  private engine: Promise<Engine> | undefined;
  private readonly serial = new Serial();
  /** Statements sent to the lake so far. */
  statements = 0;

  constructor(
    private readonly open: () => Promise<Engine>,
    private readonly timeoutMs: number,
  ) {}

  /** The engine itself, for the analyses library (its queries still go through `run`). */
  async get(): Promise<Engine> {
    this.engine ??= this.open().catch((err: unknown) => {
      this.engine = undefined;
      throw err;
    });
    return this.engine;
  }

  /**
   * An Engine whose every statement is queued, counted and bounded in time: by `signal` when given (one
   * bound for all the statements of an analysis, so that once it fired the rest fail at once instead of
   * each running up to the limit), else each statement by the engine's time limit.
   */
  async queued(signal?: AbortSignal): Promise<Engine> {
    const engine = await this.get();
    const run = <T>(task: () => Promise<T>) =>
      this.serial.run(() => {
        this.statements++;
        return task();
      });
    // Checked here too, before the statement starts: an engine may only notice a stop while it runs.
    const bound = async () => {
      const bounding = signal ?? timeoutSignal(this.timeoutMs);
      bounding.throwIfAborted();
      return bounding;
    };
    return {
      name: engine.name,
      query: (sql: string, params?: SqlParams) =>
        run(async () => engine.query(sql, params, { signal: await bound() })),
      stream: (sql, params) => run(async () => engine.stream(sql, params, { signal: await bound() })),
      querySelect: () => Promise.reject(new Error('user SQL runs on the sandboxed engine, not the warm one')),
      tables: () => run(() => engine.tables()),
      close: () => Promise.resolve(),
    };
  }

  /** Runs one trusted statement (the live counters' queries). */
  async query(sql: string, params: SqlParams): Promise<Row[]> {
    return (await this.queued()).query(sql, params);
  }

  async close(): Promise<void> {
    const engine = this.engine;
    this.engine = undefined;
    if (engine) await (await engine.catch(() => null))?.close();
  }
}
