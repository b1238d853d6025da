/**
 * Runs tasks one after another. One DuckDB engine refreshes its views and runs one statement at a time,
 * so every query of the server's warm engine goes through one of these (a queue of promises; no library
 * needed for ten lines).
 */
export class Serial {
  private tail: Promise<unknown> = Promise.resolve();

  /** Runs `task` once every task queued before it has settled. */
  run<T>(task: () => Promise<T>): Promise<T> {
    const result = this.tail.then(task, task);
    this.tail = result.catch(() => undefined);
    return result;
  }
}
