import type { RequestListener } from 'node:http';
import { getRequestListener } from '@hono/node-server';
import { type Context, Hono } from 'hono';
import { deleteCookie, setCookie } from 'hono/cookie';
import { streamSSE } from 'hono/streaming';
import { z } from 'zod';
import {
  type Analysis,
  type AnalysisResult,
  findAnalysis,
  parseParams,
  runAnalysisWithNotes,
} from '../analyses/index.js';
import { type Engine, type OpenEngineOptions, openEngine, readsLocalLake } from '../engines/index.js';
import { isUserError, UserError } from '../errors/index.js';
import {
  type Actor,
  type AuditAction,
  type Authenticator,
  allows,
  appendAudit,
  htmlSecurityHeaders,
  type Principal,
  type Role,
} from '../security/index.js';
import {
  AccessRefused,
  addressOf,
  keyAuthorize,
  LOCAL_VIEWER,
  READING_ROLES,
  SESSION_COOKIE,
} from './access.js';
import { columnsOf, describeCatalog } from './catalog-info.js';
import { toCsv } from './csv.js';
import { errorBody } from './errors.js';
import { LiveCounters } from './live.js';
import { regionCaseNote } from './region-note.js';
import { ResultCache } from './result-cache.js';
import { SQL_TIMEOUT_MS, SqlRunner } from './sql-runner.js';
import { loadWebFiles, WEB_DIR } from './static.js';
import { timeoutSignal, WarmEngine } from './warm-engine.js';

/**
 * Checks a request before any route runs (e.g. a role check): returns who is asking (nothing: the local
 * analyst), or throws a UserError (401/403) to refuse.
 */
export type Authorize = (c: Context) => AuthorizeAnswer | Promise<AuthorizeAnswer>;
// biome-ignore lint/suspicious/noConfusingVoidType: a hook that only refuses returns nothing.
type AuthorizeAnswer = Principal | null | undefined | void;
/** What the routes know about the request beyond Hono's: who is asking. */
type DashboardEnv = { Variables: { principal: Principal } };

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
  /**
   * Keys and roles (src/security): every /api/ route then needs a key with its role, sent as a Bearer
   * header or the cookie that POST /api/session sets. Ignored when `authorize` is given.
   */
  auth?: Authenticator;
  /** Served over TLS: the session cookie is Secure and HTML pages carry HSTS. */
  https?: boolean;
  /** The built frontend (default dist/web). */
  webDir?: string;
}

/** A dashboard: its routes as a Hono app and a node:http listener, plus what it shares between viewers. */
export interface Dashboard {
  app: Hono<DashboardEnv>;
  listener: RequestListener;
  /** Statements sent to the lake so far (all; those of the live counters), and the cache's counts. */
  stats(): { statements: number; liveStatements: number; cache: ReturnType<ResultCache<unknown>['stats']> };
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
  const https = options.https ?? false;
  // One engine and cache shared by every viewer, so it masks PII for all of them (the viewer role):
  // unmasked data is for the data directory's owner, through the CLI.
  const queryTimeoutMs = options.queryTimeoutMs ?? 10 * 60_000;
  const warm = new WarmEngine(
    () => openEngine({ ...options.engine, sandboxed: false, role: 'viewer' }),
    queryTimeoutMs,
  );
  // User SQL runs as the caller's role (analyst or admin), each role on its own sandboxed engine.
  const sqlRunners = new Map<Role, SqlRunner>();
  const sqlFor = (role: Role): SqlRunner => {
    let runner = sqlRunners.get(role);
    if (!runner) {
      runner = new SqlRunner(() => openEngine({ ...options.engine, sandboxed: true, role }), {
        maxRows: options.maxSqlRows ?? 10_000,
        timeoutMs: options.sqlTimeoutMs ?? SQL_TIMEOUT_MS,
      });
      sqlRunners.set(role, runner);
    }
    return runner;
  };
  const authorize: Authorize | undefined =
    options.authorize ?? (options.auth ? keyAuthorize(options.auth) : undefined);
  /** Whether the request's key still passes (a refusal is the answer; an internal failure is thrown). */
  const stillAllowed = async (c: Context<DashboardEnv>): Promise<boolean> => {
    try {
      if (authorize) await authorize(c);
      return true;
    } catch (err) {
      if (isUserError(err)) return false;
      throw err;
    }
  };
  const audit = (c: Context<DashboardEnv>, action: AuditAction, detail: Record<string, unknown>) => {
    const who: Principal = c.get('principal');
    const actor: Actor = { name: who.name, role: who.role, keyId: who.keyId };
    return appendAudit(options.engine.dataDir, actor, action, { via: 'dashboard', ...detail });
  };
  // Panels poll: one audit entry per viewer, analysis and parameters per refresh period, not per poll.
  const audited = new Map<string, number>();
  const auditView = async (c: Context<DashboardEnv>, key: string, detail: Record<string, unknown>) => {
    const who: Principal = c.get('principal');
    const id = `${who.keyId ?? who.name} ${key}`;
    const now = Date.now();
    if (now - (audited.get(id) ?? Number.NEGATIVE_INFINITY) < refreshMs) return;
    if (audited.size > 10_000) audited.clear();
    audited.set(id, now);
    await audit(c, 'query', detail);
  };
  const cache = new ResultCache<AnalysisResult<Record<string, unknown>>>(refreshMs);
  /** An analysis's result from the shared cache (computed on the warm engine when stale), audited per viewer. */
  const sharedResult = async (c: Context<DashboardEnv>, analysis: Analysis, raw: Record<string, string>) => {
    // Parsed first so that a bad parameter answers at once (and never reaches the cache); the key is the
    // parsed form, so `limit=10` and no limit share one result.
    try {
      const params = parseParams(analysis, raw);
      const key = `${analysis.name} ${JSON.stringify(Object.entries(params).sort())}`;
      const entry = await cache.get(key, async () => {
        // One time limit for the whole run, as `query --timeout` has: an analysis of many statements
        // (recommend-backtest) otherwise kept the engine busy long after its first statement was stopped.
        const engine: Engine = await warm.queued(timeoutSignal(queryTimeoutMs));
        const result = await runAnalysisWithNotes(engine, analysis, raw);
        if (result.rows.length > 0) return result;
        const note = await regionCaseNote(engine, raw.region);
        return note === null ? result : { ...result, notes: [...result.notes, note] };
      });
      return { entry, key };
    } catch (err) {
      await audit(c, 'query', { analysis: analysis.name, params: raw, error: errorBody(err).error.code });
      throw err;
    }
  };
  const viewResult = async (c: Context<DashboardEnv>, analysis: Analysis, raw: Record<string, string>) => {
    const { entry, key } = await sharedResult(c, analysis, raw);
    // Outside sharedResult's catch: a log that cannot be written fails the request once, as itself.
    await auditView(c, key, { analysis: analysis.name, params: raw });
    return entry;
  };
  // The live counters count on an engine of their own, always a local DuckDB, whatever engine the panels
  // use. Their inputs are on this machine by construction (the manifests and the collector's WAL that
  // they watch, and the Parquet files a manifest lists), so a
  // local count is exact and takes milliseconds; on the panels' engine it would wait in their queue
  // behind each refresh (with the overview's analyses running on Spark, the counters were pushed 17–27 s
  // after data landed, against 0.1–0.3 s on their own engine; docs/DASHBOARD.md), and Spark adds
  // 0.1–0.3 s per statement besides.
  // Only where the lake's files are on this machine, though: Spark reading the lake from HDFS or S3 has
  // just the manifests here, so there the counters share the panels' engine (and its queue).
  const ownCounter = readsLocalLake(options.engine);
  const counting = ownCounter
    ? new WarmEngine(
        () =>
          openEngine({
            dataDir: options.engine.dataDir,
            kind: 'duckdb',
            sandboxed: false,
            role: 'viewer',
            ...(options.engine.threads ? { threads: options.engine.threads } : {}),
            ...(options.engine.memoryLimit ? { memoryLimit: options.engine.memoryLimit } : {}),
          }),
        queryTimeoutMs,
      )
    : warm;
  const live = new LiveCounters(
    options.engine.dataDir,
    (text, params) => counting.query(text, params),
    options.pollMs ?? 500,
  );
  const web = loadWebFiles(options.webDir ?? WEB_DIR);
  // Event streams wake on close so that a stopping server does not wait for viewers to leave.
  const wakers = new Set<() => void>();
  let closing = false;
  const app = new Hono<DashboardEnv>();

  app.onError((err) => {
    const body = errorBody(err);
    const headers = new Headers({ 'content-type': 'application/json' });
    if (err instanceof AccessRefused && err.retryAfter) headers.set('retry-after', String(err.retryAfter));
    return new Response(JSON.stringify(body), { status: body.error.status, headers });
  });
  app.use('*', async (c, next) => {
    // Without a hook (a library user's own server) the caller is the local analyst.
    c.set('principal', (authorize ? await authorize(c) : null) ?? LOCAL_VIEWER);
    await next();
  });

  // Sign-in for browsers, which cannot send a Bearer header on page loads or EventSource: the key is
  // checked as any request's would be (same throttle), then kept in an HttpOnly cookie the server reads.
  const sessionBody = z.object({ key: z.string().min(1).max(512) });
  app.post('/api/session', async (c) => {
    const auth = options.auth;
    if (!auth)
      throw new UserError('this dashboard has no keys to sign in with', { code: 'not_found', status: 404 });
    const parsed = sessionBody.safeParse(await c.req.json().catch(() => null));
    if (!parsed.success || !/^[\x21-\x7e]+$/.test(parsed.data.key))
      throw new UserError('send JSON {"key": "slk_…"}', { code: 'bad_request' });
    const address = addressOf(c);
    const result = await auth.authenticate(`Bearer ${parsed.data.key}`, address);
    if (!result.ok) throw new AccessRefused(result);
    if (!READING_ROLES.includes(result.principal.role)) {
      const refusal = {
        ok: false as const,
        status: 403 as const,
        code: 'forbidden' as const,
        message: `this ${result.principal.role} key cannot open the dashboard: it needs the viewer role`,
        reason: 'role' as const,
      };
      auth.refused(refusal, address, result.principal);
      throw new AccessRefused(refusal);
    }
    setCookie(c, SESSION_COOKIE, parsed.data.key, {
      httpOnly: true,
      sameSite: 'Strict',
      secure: https,
      path: '/',
    });
    return c.json({ name: result.principal.name, role: result.principal.role });
  });
  app.delete('/api/session', (c) => {
    deleteCookie(c, SESSION_COOKIE, { path: '/', secure: https, httpOnly: true, sameSite: 'Strict' });
    return c.body(null, 204);
  });
  app.get('/api/session', (c) => {
    const who = c.get('principal');
    return c.json({ name: who.name, role: who.role, keys: options.auth !== undefined });
  });

  app.get('/api/analyses', async (c) => c.json(await describeCatalog()));
  app.get('/api/analyses/:name', async (c) => {
    const analysis = await findAnalysis(c.req.param('name'));
    const raw = paramsFrom(new URL(c.req.url));
    // Parsed first so that a bad parameter answers at once (and never reaches the cache); the key is the
    // parsed form, so `limit=10` and no limit share one result.
    const entry = await viewResult(c, analysis, raw);
    const params = parseParams(analysis, raw);
    return c.json({
      analysis: analysis.name,
      params,
      computedAt: new Date(entry.computedAt).toISOString(),
      refreshMs,
      ...entry.value,
    });
  });
  app.get('/api/analyses/:name/download', async (c) => {
    const analysis = await findAnalysis(c.req.param('name'));
    const raw = paramsFrom(new URL(c.req.url));
    const format = raw.format ?? 'csv';
    delete raw.format;
    if (format !== 'csv' && format !== 'json')
      throw new UserError('format: expected csv or json', { code: 'bad_request' });
    let rows: Record<string, unknown>[];
    try {
      rows = (await sharedResult(c, analysis, raw)).entry.value.rows;
    } catch (err) {
      await audit(c, 'export', {
        analysis: analysis.name,
        params: raw,
        format,
        error: errorBody(err).error.code,
      });
      throw err;
    }
    await audit(c, 'export', { analysis: analysis.name, params: raw, format, rows: rows.length });
    const body =
      format === 'json'
        ? JSON.stringify(rows, jsonSafe, 2)
        : toCsv(
            columnsOf(analysis).map((col) => col.name),
            rows,
          );
    return c.body(body, 200, {
      'content-type': format === 'json' ? 'application/json' : 'text/csv; charset=utf-8',
      'content-disposition': `attachment; filename="${analysis.name}.${format}"`,
    });
  });
  const runSql = async (c: Context<DashboardEnv>, text: string) => {
    const role = c.get('principal').role;
    // Also checked here, whatever hook let the request in: user SQL needs the analyst role.
    if (!allows(role, 'sql'))
      throw new UserError(`this ${role} key cannot run SQL: it needs the analyst role`, {
        code: 'forbidden',
        status: 403,
      });
    let answer: Awaited<ReturnType<SqlRunner['run']>>;
    try {
      answer = await sqlFor(role === 'admin' ? 'admin' : 'analyst').run(text);
    } catch (err) {
      await audit(c, 'sql', { sql: text, error: errorBody(err).error.code });
      throw err;
    }
    await audit(c, 'sql', { sql: text, rows: answer.rows.length, truncated: answer.truncated });
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
      liveEngine: ownCounter ? 'duckdb' : (options.engine.kind ?? 'duckdb'),
      refreshMs,
      tables: tables.map((t) => ({
        table: t.table,
        state: t.state,
        files: t.files.length,
        problem: t.problem,
      })),
      statements: warm.statements + (ownCounter ? counting.statements : 0),
      liveStatements: counting.statements,
      cache: cache.stats(),
    });
  });
  const tzOf = (c: Context<DashboardEnv>) => {
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
        // A key revoked (or expired) meanwhile ends the stream at the next keep-alive: its page then
        // sees the stream close and its next API call asks for a key.
        if (!(await stillAllowed(c))) break;
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
      'x-content-type-options': 'nosniff',
      'cache-control': c.req.path.endsWith('.html') || !web.has(c.req.path) ? 'no-cache' : 'max-age=3600',
      ...(file.type.startsWith('text/html') ? htmlSecurityHeaders({ https }) : {}),
    });
  });

  return {
    app,
    listener: getRequestListener(app.fetch),
    stats: () => ({
      statements: warm.statements + (ownCounter ? counting.statements : 0),
      liveStatements: counting.statements,
      cache: cache.stats(),
    }),
    async close() {
      closing = true;
      for (const wake of wakers) wake();
      live.stop();
      await Promise.all([
        warm.close(),
        ...(ownCounter ? [counting.close()] : []),
        ...[...sqlRunners.values()].map((r) => r.close()),
      ]);
    },
  };
}
