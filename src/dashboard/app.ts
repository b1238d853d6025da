import type { RequestListener } from 'node:http';
import { getRequestListener } from '@hono/node-server';
import { type Context, Hono } from 'hono';
import { streamSSE } from 'hono/streaming';
import { z } from 'zod';
import { findAnalysis, parseParams, runAnalysisWithNotes } from '../analyses/index.js';
import { type Engine, type OpenEngineOptions, openEngine } from '../engines/index.js';
import { UserError } from '../errors/index.js';
import { describeCatalog } from './catalog-info.js';
import { errorBody } from './errors.js';
import { LiveCounters } from './live.js';
import { ResultCache } from './result-cache.js';
import { SQL_TIMEOUT_MS, SqlRunner } from './sql-runner.js';
import { loadWebFiles, WEB_DIR } from './static.js';
import { WarmEngine } from './warm-engine.js';

/** Checks a request before any route runs (e.g. a role check); throws a UserError (401/403) to refuse. */
export type Authorize = (c: Context) => void | Promise<void>;

/** What the dashboard serves and how. */
export interface DashboardOptions {
  /** The data directory and the engine to open on it (openEngine's options, without `sandboxed`). */
  engine: OpenEngineOptions;
  /** How long a shared analysis result is served before it is computed again (default 10 s). */
  refreshMs?: number;
  /** How often the live counters look for new data (default 500 ms). */
  pollMs?: number;
  /** Rows the SQL page returns at most (default 10,000). */
  maxSqlRows?: number;
  sqlTimeoutMs?: number;
  /** Time limit of one analysis run (default 10 min, as `shoplake query --timeout`). */
  queryTimeoutMs?: number;
  /** Runs in front of every route, API and pages alike: the one place a role check goes. */
  authorize?: Authorize;
  /** The built frontend (default dist/web). */
  webDir?: string;
}

/** A dashboard: its routes as a Hono app and a node:http listener, plus what it shares between viewers. */
export interface Dashboard {
  app: Hono;
  listener: RequestListener;
  /** Statements sent to the lake so far, and the cache's counts. */
  stats(): { statements: number; cache: ReturnType<ResultCache<unknown>['stats']> };
  close(): Promise<void>;
}

/** Query-string keys as flags or camelCase (`window-minutes` → `windowMinutes`), as the CLI reads them. */
function paramsFrom(url: URL): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [key, value] of url.searchParams) {
    out[key.replace(/^--/, '').replace(/-([a-z])/g, (_, c: string) => c.toUpperCase())] = value;
  }
  return out;
}

const sqlBody = z.object({ sql: z.string() });
const tzQuery = z.string().refine((tz) => {
  try {
    new Intl.DateTimeFormat('en', { timeZone: tz });
    return true;
  } catch {
    return false;
  }
}, 'unknown time zone');

/** A JSON replacer for 64-bit integers that a user's SQL may return. */
function jsonSafe(_key: string, value: unknown): unknown {
  if (typeof value !== 'bigint') return value;
  return Number.isSafeInteger(Number(value)) ? Number(value) : value.toString();
}

/** Builds the dashboard: JSON API under /api/, live counters as server-sent events, the built pages. */
export function createDashboard(options: DashboardOptions): Dashboard {
  const refreshMs = options.refreshMs ?? 10_000;
  const warm = new WarmEngine(
    () => openEngine({ ...options.engine, sandboxed: false }),
    options.queryTimeoutMs ?? 10 * 60_000,
  );
  const sql = new SqlRunner(() => openEngine({ ...options.engine, sandboxed: true }), {
    maxRows: options.maxSqlRows ?? 10_000,
    timeoutMs: options.sqlTimeoutMs ?? SQL_TIMEOUT_MS,
  });
  const cache = new ResultCache<unknown>(refreshMs);
  const live = new LiveCounters(
    options.engine.dataDir,
    (text, params) => warm.query(text, params),
    options.pollMs ?? 500,
  );
  const web = loadWebFiles(options.webDir ?? WEB_DIR);
  // Event streams wake on close so that a stopping server does not wait for viewers to leave.
  const wakers = new Set<() => void>();
  let closing = false;
  const app = new Hono();

  app.onError((err) => {
    const body = errorBody(err);
    return new Response(JSON.stringify(body), {
      status: body.error.status,
      headers: { 'content-type': 'application/json' },
    });
  });
  app.use('*', async (c, next) => {
    if (options.authorize) await options.authorize(c);
    await next();
  });

  app.get('/api/analyses', async (c) => c.json(await describeCatalog()));
  app.get('/api/analyses/:name', async (c) => {
    const analysis = await findAnalysis(c.req.param('name'));
    const raw = paramsFrom(new URL(c.req.url));
    // Parsed first so that a bad parameter answers at once (and never reaches the cache); the key is the
    // parsed form, so `limit=10` and no limit share one result.
    const params = parseParams(analysis, raw);
    const key = `${analysis.name} ${JSON.stringify(Object.entries(params).sort())}`;
    const entry = await cache.get(key, async () => {
      const engine: Engine = await warm.queued();
      return runAnalysisWithNotes(engine, analysis, raw);
    });
    return c.json({
      analysis: analysis.name,
      params,
      computedAt: new Date(entry.computedAt).toISOString(),
      refreshMs,
      ...(entry.value as object),
    });
  });
  const runSql = async (c: Context, text: string) => {
    const answer = await sql.run(text);
    return c.body(JSON.stringify(answer, jsonSafe), 200, { 'content-type': 'application/json' });
  };
  app.get('/api/sql', (c) => runSql(c, c.req.query('q') ?? ''));
  app.post('/api/sql', async (c) => {
    const parsed = sqlBody.safeParse(await c.req.json().catch(() => null));
    if (!parsed.success) throw new UserError('send JSON {"sql": "SELECT …"}', { code: 'bad_request' });
    return runSql(c, parsed.data.sql);
  });
  app.get('/api/status', async (c) => {
    const tables = await (await warm.queued()).tables();
    return c.json({
      engine: options.engine.kind ?? 'duckdb',
      refreshMs,
      tables: tables.map((t) => ({
        table: t.table,
        state: t.state,
        files: t.files.length,
        problem: t.problem,
      })),
      statements: warm.statements,
      cache: cache.stats(),
    });
  });
  const tzOf = (c: Context) => {
    const parsed = tzQuery.safeParse(c.req.query('tz') ?? 'UTC');
    if (!parsed.success) throw new UserError('tz: unknown time zone: use an IANA name such as Europe/Paris');
    return parsed.data;
  };
  app.get('/api/live/snapshot', async (c) => c.json(await live.snapshot(tzOf(c))));
  app.get('/api/live', (c) => {
    const tz = tzOf(c);
    return streamSSE(c, async (stream) => {
      let wake: () => void = () => {};
      const unsubscribe = live.subscribe(tz, (snap) => {
        void stream.writeSSE({ event: 'counters', data: JSON.stringify(snap) });
      });
      const waker = () => wake();
      wakers.add(waker);
      stream.onAbort(waker);
      // Held open until the viewer leaves; a comment every 15 s keeps proxies from closing it.
      while (!stream.aborted && !closing) {
        await new Promise<void>((resolve) => {
          wake = resolve;
          setTimeout(resolve, 15_000).unref();
        });
        if (!stream.aborted && !closing) await stream.write(': keep-alive\n\n');
      }
      wakers.delete(waker);
      unsubscribe();
    });
  });
  app.all('/api/*', () => {
    throw new UserError('no such API route: see docs/DASHBOARD.md', { code: 'not_found', status: 404 });
  });

  // Pages: the built files by name, and index.html for every other path (the pages route in the browser).
  app.get('*', (c) => {
    const file = web.get(c.req.path) ?? web.get('/index.html');
    if (!file) {
      throw new UserError("the dashboard's pages are not built: run 'npm run build'", {
        code: 'not_built',
        status: 503,
      });
    }
    return c.body(new Uint8Array(file.body), 200, {
      'content-type': file.type,
      'cache-control': c.req.path.endsWith('.html') || !web.has(c.req.path) ? 'no-cache' : 'max-age=3600',
    });
  });

  return {
    app,
    listener: getRequestListener(app.fetch),
    stats: () => ({ statements: warm.statements, cache: cache.stats() }),
    async close() {
      closing = true;
      for (const wake of wakers) wake();
      live.stop();
      await Promise.all([warm.close(), sql.close()]);
    },
  };
}
