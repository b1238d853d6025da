import type { Engine, RunOptions } from './types.js';

/**
 * The same engine with `options` (e.g. a stop signal) applied to every statement, for callers such as
 * runAnalysis that run statements on an engine without passing options themselves.
 */
export function withRunOptions(engine: Engine, options: RunOptions): Engine {
  return {
    name: engine.name,
    query: (sql, params, own) => engine.query(sql, params, { ...options, ...own }),
    stream: (sql, params, own) => engine.stream(sql, params, { ...options, ...own }),
    querySelect: (sql, own) => engine.querySelect(sql, { ...options, ...own }),
    tables: () => engine.tables(),
    close: () => engine.close(),
  };
}
