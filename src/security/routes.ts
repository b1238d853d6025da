import { posix } from 'node:path';
import type { Permission } from './roles.js';

/** Routes anyone may call (load balancers and orchestrators probe them without a key). */
const PUBLIC = new Set(['/healthz', '/readyz']);
const INGEST = new Set(['/v1/orders', '/v1/events', '/v1/order-checks', '/v1/stock-movements']);
/** Path prefixes that need more than a viewer: user SQL (analyst) and key, audit and erasure routes (admin). */
const BY_PREFIX: ReadonlyArray<readonly [string, Permission]> = [
  ['/api/sql', 'sql'],
  ['/api/admin', 'admin'],
  ['/api/keys', 'admin'],
  ['/api/audit', 'admin'],
  ['/api/erase', 'admin'],
];

/**
 * What a path of `shoplake serve` needs, in one table for the collector and the dashboard: public
 * probes, ingest for the collector's endpoints, metrics for /metrics, and read (viewer) for everything
 * else, so a route nobody listed is never open. Exact routes are compared as sent (no `..` resolution):
 * `/v1/../metrics` is not `/metrics`, and routers that match exactly answer it 404.
 */
export function routePermission(path: string): Permission | 'public' {
  const q = path.indexOf('?');
  const exact = q < 0 ? path : path.slice(0, q);
  if (PUBLIC.has(exact)) return 'public';
  if (INGEST.has(exact)) return 'ingest';
  if (exact === '/metrics') return 'metrics';
  // Prefixes are matched on a decoded, lower-cased, slash-collapsed form, so that a router that decodes
  // or ignores case cannot be reached past its rule by `/API/SQL` or `/api/%73ql`.
  const loose = normalise(exact);
  if (loose === null) return 'admin';
  for (const [prefix, permission] of BY_PREFIX)
    if (loose === prefix || loose.startsWith(`${prefix}/`)) return permission;
  return 'read';
}

function normalise(path: string): string | null {
  try {
    return posix.normalize(decodeURIComponent(path).toLowerCase()).replace(/\/$/, '');
  } catch {
    // Undecodable: the strictest rule rather than a guess.
    return null;
  }
}
