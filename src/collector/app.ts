import { isUtf8 } from 'node:buffer';
import type { IncomingMessage, RequestListener, ServerResponse } from 'node:http';
import { isUserError, UserError } from '../errors/index.js';
import {
  type Authenticator,
  type AuthFailure,
  authorizeRequest,
  createAuthenticator,
} from '../security/index.js';
import type { Collector, CollectResult } from './collector.js';
import { ClientAbort, CollectorError, errorBody } from './errors.js';
import { parseBody } from './parse.js';
import { RateLimiter } from './rate-limit.js';
import type { CollectedTable } from './records.js';

const ROUTES: Record<string, CollectedTable> = {
  '/v1/orders': 'orders',
  '/v1/events': 'clickstream',
  '/v1/order-checks': 'order_checks',
  '/v1/stock-movements': 'stock_movements',
};
const READS = new Set(['/healthz', '/readyz', '/metrics']);

/** What a handler answers: a status, a JSON body (or text) and extra headers. */
interface Answer {
  status: number;
  body: unknown;
  headers?: Record<string, string>;
  text?: string;
}

/**
 * The collector's HTTP API as a plain `node:http` listener (no web Request/Response per call: the hot
 * path is one body read, one parse, one WAL append). Each write goes authenticate → admit (503) → read
 * (413) → parse (400/415) → rate limit (429) → validate and store (200/207/422); every refusal is one
 * JSON error shape.
 */
export function createApp(
  collector: Collector,
  options: { auth?: Authenticator; scoring?: () => string } = {},
): RequestListener {
  const { config, metrics } = collector;
  // Keys from <data>/keys.json by role, and the write keys as ingest keys (src/security).
  const auth =
    options.auth ?? createAuthenticator({ dataDir: collector.dataDir, writeKeys: config.writeKeys });
  const limiter = new RateLimiter(config.rateLimit);
  const counters = new Map<string, ReturnType<typeof metrics.requests.labels>>();
  const count = (route: string, status: number | 'aborted') => {
    const id = `${route} ${status}`;
    let counter = counters.get(id);
    if (!counter) {
      counter = metrics.requests.labels(route, String(status));
      counters.set(id, counter);
    }
    counter.inc();
  };
  const latency = new Map(Object.keys(ROUTES).map((r) => [r, metrics.latency.labels(r)]));

  // Every route but /healthz and /readyz needs a key whose role allows it; refusals are 401/403/429.
  const authorize = async (req: IncomingMessage, path: string): Promise<string> => {
    const header = req.headers.authorization;
    const result = await authorizeRequest(auth, {
      path,
      authorization: header,
      address: req.socket.remoteAddress ?? '',
    });
    if (!result.ok) throw refused(result);
    // Rate limits count per key (the header names it; a write key's header is the key as before).
    return header ?? '';
  };

  const write = async (req: IncomingMessage, path: string, table: CollectedTable): Promise<Answer> => {
    const key = await authorize(req, path);
    collector.admit();
    const text = decodeUtf8(await readLimited(req, config.maxBodyBytes));
    const body = parseBody(text, req.headers['content-type'] ?? '');
    const wait = limiter.take(key, body.items.length + body.unparsable.length);
    if (wait > 0) {
      throw new CollectorError(`rate limit of ${config.rateLimit} records/s for this key exceeded`, {
        code: 'rate_limited',
        status: 429,
        retryAfter: wait,
      });
    }
    const result = await collector.collect(table, body);
    return { status: statusOf(result), body: result };
  };

  const read = async (req: IncomingMessage, path: string): Promise<Answer> => {
    if (path === '/healthz') return { status: 200, body: { status: 'ok' } };
    if (path === '/readyz') {
      // Fraud scoring (when on) says its own state: orders are taken while its model is still loading.
      const scoring = options.scoring ? { scoring: options.scoring() } : {};
      return { status: collector.ready ? 200 : 503, body: { ready: collector.ready, ...scoring } };
    }
    await authorize(req, path);
    return {
      status: 200,
      body: null,
      text: await metrics.registry.metrics(),
      headers: { 'content-type': metrics.registry.contentType },
    };
  };

  const route = (req: IncomingMessage, path: string): Promise<Answer> => {
    const table = ROUTES[path];
    if (table !== undefined) {
      if (req.method === 'POST') return write(req, path, table);
      throw new UserError(`use POST ${path}`, { code: 'method_not_allowed', status: 405 });
    }
    if (READS.has(path)) {
      if (req.method === 'GET' || req.method === 'HEAD') return read(req, path);
      throw new UserError(`use GET ${path}`, { code: 'method_not_allowed', status: 405 });
    }
    throw new UserError(
      'no such endpoint: POST /v1/orders, /v1/events, /v1/order-checks, /v1/stock-movements, GET /healthz, /readyz, /metrics',
      { code: 'not_found', status: 404 },
    );
  };

  return (req: IncomingMessage, res: ServerResponse) => {
    const started = performance.now();
    const path = pathOf(req.url ?? '/');
    let answer: Promise<Answer>;
    try {
      answer = route(req, path);
    } catch (err) {
      answer = Promise.reject(err);
    }
    const routeLabel = ROUTES[path] !== undefined || READS.has(path) ? path : 'other';
    answer.then(undefined, refusal).then((a) => {
      if (a === ABORTED) {
        // A dropped upload: one line and its own label, never a 500 or a stack trace.
        console.error(`shoplake serve: ${routeLabel}: client closed the connection mid-request`);
        count(routeLabel, 'aborted');
        return;
      }
      if (!res.destroyed) send(req, res, a);
      count(routeLabel, a.status);
      latency.get(path)?.observe((performance.now() - started) / 1000);
    });
  };
}

const ABORTED = Symbol('aborted');

function pathOf(url: string): string {
  const q = url.indexOf('?');
  return q < 0 ? url : url.slice(0, q);
}

function refused(failure: AuthFailure): CollectorError {
  return new CollectorError(failure.message, {
    code: failure.code,
    status: failure.status,
    ...(failure.retryAfter !== undefined ? { retryAfter: failure.retryAfter } : {}),
  });
}

/** The one error shape, with Retry-After and WWW-Authenticate where they apply. */
function refusal(err: unknown): Answer | typeof ABORTED {
  if (err instanceof ClientAbort) return ABORTED;
  const known = isUserError(err) ? err : new UserError('internal error', { code: 'internal', status: 500 });
  // One line with the cause; the client gets the generic answer.
  if (!isUserError(err)) console.error(`shoplake serve: internal error: ${describeError(err)}`);
  const headers: Record<string, string> = {};
  if (err instanceof CollectorError && err.retryAfter !== undefined)
    headers['retry-after'] = String(err.retryAfter);
  if (known.status === 401) headers['www-authenticate'] = 'Bearer realm="shoplake"';
  // The rest of a refused upload is not read: close the connection rather than drain it.
  if (known.code === 'body_too_large') headers.connection = 'close';
  return { status: known.status, body: errorBody(known), headers };
}

function describeError(err: unknown): string {
  if (!(err instanceof Error)) return String(err);
  const cause = err.cause instanceof Error ? ` (cause: ${err.cause.message})` : '';
  return `${err.name}: ${err.message.split('\n')[0]}${cause}`;
}

function send(req: IncomingMessage, res: ServerResponse, a: Answer): void {
  const payload = a.text ?? JSON.stringify(a.body);
  res.writeHead(a.status, {
    'content-type': 'application/json',
    'x-content-type-options': 'nosniff',
    'content-length': Buffer.byteLength(payload),
    ...a.headers,
  });
  res.end(req.method === 'HEAD' ? undefined : payload);
  if (a.headers?.connection === 'close') res.once('finish', () => req.destroy());
}

// 200: all stored or duplicate; 207: some records refused (the rest stored); 422: every record refused.
function statusOf(r: CollectResult): 200 | 207 | 422 {
  if (r.rejected === 0) return 200;
  return r.accepted + r.duplicate > 0 ? 207 : 422;
}

/** Body bytes as text; invalid UTF-8 is refused rather than replaced, so no record is silently altered. */
function decodeUtf8(bytes: Buffer): string {
  if (!isUtf8(bytes)) throw new UserError('body is not valid UTF-8', { code: 'invalid_utf8' });
  const text = bytes.toString('utf8');
  // As TextDecoder does: a leading byte-order mark is not part of the JSON.
  return text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
}

/** Reads the body, giving up as soon as it passes `limit` bytes so a huge upload is never buffered. */
function readLimited(req: IncomingMessage, limit: number): Promise<Buffer> {
  const tooLarge = () =>
    new CollectorError(`body larger than ${limit} bytes: split it into smaller batches`, {
      code: 'body_too_large',
      status: 413,
    });
  if (Number(req.headers['content-length'] ?? 0) > limit) return Promise.reject(tooLarge());
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let total = 0;
    const onData = (chunk: Buffer) => {
      total += chunk.length;
      if (total > limit) {
        req.off('data', onData);
        req.pause();
        reject(tooLarge());
        return;
      }
      chunks.push(chunk);
    };
    req.on('data', onData);
    req.once('end', () =>
      resolve(chunks.length === 1 ? (chunks[0] as Buffer) : Buffer.concat(chunks, total)),
    );
    // A client that drops the upload: 'error' (ECONNRESET "aborted") or a close before the end.
    req.once('error', () => reject(new ClientAbort()));
    req.once('close', () => {
      if (!req.complete) reject(new ClientAbort());
    });
  });
}
