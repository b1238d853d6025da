import type { Authenticator, AuthFailure } from './authenticate.js';
import { requireRole } from './authenticate.js';
import type { Principal } from './roles.js';
import { routePermission } from './routes.js';

/** Whether a socket address is this machine (IPv4, IPv6 or IPv4-mapped loopback). */
export function isLoopback(address: string): boolean {
  return address === '::1' || address.startsWith('127.') || address.startsWith('::ffff:127.');
}

/**
 * The whole decision for one HTTP request, for every server that `shoplake serve` runs: public probes
 * pass; /metrics needs a metrics (or admin) key once one exists, and until then answers loopback
 * callers only; everything else needs a key whose role grants the route's permission. `address` is the
 * socket's peer address, never a header a client could set (X-Forwarded-For is ignored on purpose).
 */
export async function authorizeRequest(
  auth: Authenticator,
  request: { path: string; authorization: string | undefined; address: string },
): Promise<{ ok: true; principal: Principal | null } | AuthFailure> {
  const permission = routePermission(request.path);
  if (permission === 'public') return { ok: true, principal: null };
  if (permission === 'metrics' && request.authorization === undefined && !auth.hasScrapeKeys()) {
    if (isLoopback(request.address)) return { ok: true, principal: null };
  }
  const result = await auth.authenticate(request.authorization, request.address);
  if (!result.ok) return result;
  const refusal = requireRole(result.principal, permission);
  if (!refusal) return result;
  auth.refused(refusal, request.address, result.principal);
  return refusal;
}
