import { createHash } from 'node:crypto';
import { Hono } from 'hono';
import { isUserError, UserError } from '../errors/index.js';
import type { Collector, CollectResult } from './collector.js';
import { CollectorError, errorBody } from './errors.js';
import { decodeUtf8, parseBody } from './parse.js';
import { RateLimiter } from './rate-limit.js';
import type { CollectedTable } from './records.js';

const ROUTES: Record<string, CollectedTable> = { '/v1/orders': 'orders', '/v1/events': 'clickstream' };
const KNOWN = new Set(['/healthz', '/readyz', '/metrics', ...Object.keys(ROUTES)]);
const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');

/**
 * The collector's HTTP API. Each write goes authenticate → admit (503) → read (413) → parse (400/415)
 * → rate limit (429) → validate and store (200/207/422); every refusal is one JSON error shape.
 */
export function createApp(collector: Collector): Hono {
  const { config, metrics } = collector;
  // Keys are compared as hashes so lookup time does not depend on how much of a guess was right.
  const keyHashes = new Set(config.writeKeys.map(sha256));
  const limiter = new RateLimiter(config.rateLimit);
  const app = new Hono();

  app.use(async (c, next) => {
    const started = performance.now();
    await next();
    const route = KNOWN.has(c.req.path) ? c.req.path : 'other';
    metrics.requests.inc({ route, status: String(c.res.status) });
    if (ROUTES[c.req.path]) metrics.latency.observe({ route }, (performance.now() - started) / 1000);
  });

  app.onError((err, c) => {
    const known = isUserError(err) ? err : new UserError('internal error', { code: 'internal', status: 500 });
    if (!isUserError(err)) console.error(`shoplake serve: ${(err as Error).stack ?? err}`);
    if (err instanceof CollectorError && err.retryAfter !== undefined)
      c.header('Retry-After', String(err.retryAfter));
    if (known.status === 401) c.header('WWW-Authenticate', 'Bearer realm="shoplake"');
    return c.json(errorBody(known), known.status as 400);
  });
  app.notFound(() => {
    throw new UserError(
      'no such endpoint: POST /v1/orders, POST /v1/events, GET /healthz, /readyz, /metrics',
      {
        code: 'not_found',
        status: 404,
      },
    );
  });

  app.get('/healthz', (c) => c.json({ status: 'ok' }));
  app.get('/readyz', (c) => c.json({ ready: collector.ready }, collector.ready ? 200 : 503));
  app.get('/metrics', async (c) =>
    c.body(await metrics.registry.metrics(), 200, { 'Content-Type': metrics.registry.contentType }),
  );

  for (const [path, table] of Object.entries(ROUTES)) {
    app.post(path, async (c) => {
      const auth = c.req.header('authorization') ?? '';
      const key = /^Bearer (.+)$/i.exec(auth)?.[1]?.trim();
      if (!key || !keyHashes.has(sha256(key))) {
        throw new CollectorError('missing or unknown write key: send Authorization: Bearer <key>', {
          code: 'unauthorized',
          status: 401,
        });
      }
      collector.admit();
      const bytes = await readLimited(c.req.raw, config.maxBodyBytes);
      const body = parseBody(decodeUtf8(bytes), c.req.header('content-type') ?? '');
      const wait = limiter.take(key, body.items.length + body.unparsable.length);
      if (wait > 0) {
        throw new CollectorError(`rate limit of ${config.rateLimit} records/s for this key exceeded`, {
          code: 'rate_limited',
          status: 429,
          retryAfter: wait,
        });
      }
      const result = await collector.collect(table, body);
      return c.json(result, statusOf(result));
    });
    app.all(path, () => {
      throw new UserError(`use POST ${path}`, { code: 'method_not_allowed', status: 405 });
    });
  }
  return app;
}

// 200: all stored or duplicate; 207: some records refused (the rest stored); 422: every record refused.
function statusOf(r: CollectResult): 200 | 207 | 422 {
  if (r.rejected === 0) return 200;
  return r.accepted + r.duplicate > 0 ? 207 : 422;
}

/** Reads the body, giving up as soon as it passes `limit` bytes so a huge upload is never buffered. */
async function readLimited(req: Request, limit: number): Promise<Uint8Array> {
  const tooLarge = () =>
    new CollectorError(`body larger than ${limit} bytes: split it into smaller batches`, {
      code: 'body_too_large',
      status: 413,
    });
  if (Number(req.headers.get('content-length') ?? 0) > limit) throw tooLarge();
  if (!req.body) return new Uint8Array();
  const chunks: Uint8Array[] = [];
  let total = 0;
  const reader = req.body.getReader();
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    total += value.byteLength;
    if (total > limit) {
      await reader.cancel();
      throw tooLarge();
    }
    chunks.push(value);
  }
  return chunks.length === 1 ? (chunks[0] as Uint8Array) : Buffer.concat(chunks);
}
