import { posix } from 'node:path';
import { getConnInfo } from '@hono/node-server/conninfo';
import type { Context } from 'hono';
import { getCookie } from 'hono/cookie';
import { UserError } from '../errors/index.js';
import {
  type Authenticator,
  type AuthFailure,
  appendAudit,
  authorizeRequest,
  createAuthenticator,
  isLoopback,
  type Principal,
  type Role,
} from '../security/index.js';

/** The cookie that carries a signed-in browser's key (HttpOnly, SameSite=Strict: scripts and other sites never see it). */
export const SESSION_COOKIE = 'shoplake_key';

/** Who a loopback caller is while the data directory has no key that could read: an analyst (PII masked, SQL allowed). */
export const LOCAL_VIEWER: Principal = { name: 'local-dashboard', role: 'analyst', keyId: null };

/** Roles whose keys can use the dashboard: once one exists, every caller needs a key. */
export const READING_ROLES: readonly Role[] = ['admin', 'analyst', 'viewer'];

const NO_KEYS =
  'this dashboard answers only its own machine until a key exists: create one with ' +
  "'shoplake keys create --name NAME --role viewer' and sign in with it";

/** A refused request as a user error, keeping Retry-After for a throttled address. */
export class AccessRefused extends UserError {
  readonly retryAfter: number | undefined;
  constructor(failure: Pick<AuthFailure, 'status' | 'code' | 'message' | 'retryAfter'>) {
    super(failure.message, { code: failure.code, status: failure.status });
    this.retryAfter = failure.retryAfter;
  }
}

/** One dashboard request as the access rule sees it. */
export interface DashboardRequest {
  path: string;
  method: string;
  /** The Authorization header, or the session cookie's key as a Bearer value. */
  authorization: string | undefined;
  /** Whether the credential came from an Authorization header (a script) rather than the cookie. */
  fromHeader: boolean;
  /** The socket's peer address (never a forwarded header). */
  address: string;
}

/** Whether a path is the JSON API, read as loosely as any router could (`/API`, `/%61pi`), so none slips past. */
export function isApiPath(path: string): boolean {
  const q = path.indexOf('?');
  const bare = q < 0 ? path : path.slice(0, q);
  let loose: string;
  try {
    loose = posix.normalize(decodeURIComponent(bare).toLowerCase());
  } catch {
    return true;
  }
  return loose === '/api' || loose.startsWith('/api/');
}

/** Sign-in and sign-out: reachable without a key (they only check one or clear the cookie). */
function isSessionChange(path: string, method: string): boolean {
  return path === '/api/session' && (method === 'POST' || method === 'DELETE');
}

/**
 * The dashboard's access rule: static pages (the JS/CSS/HTML shell, which hold no data) are public; every
 * /api/ route needs the role `routePermission` names, checked by `authorizeRequest` on the shared
 * Authenticator (one failure throttle with the collector). While the data directory has no admin,
 * analyst or viewer key, a loopback caller without a Bearer header acts as an analyst (so a local demo
 * needs no set-up) and anyone else is told to create a key.
 */
export async function decideAccess(
  auth: Authenticator,
  request: DashboardRequest,
): Promise<{ ok: true; principal: Principal | null } | AuthFailure> {
  const api = isApiPath(request.path);
  if (!api && (request.method === 'GET' || request.method === 'HEAD')) return { ok: true, principal: null };
  if (api && isSessionChange(request.path, request.method)) return { ok: true, principal: null };
  if (!auth.hasActiveKeys(READING_ROLES) && !request.fromHeader) {
    if (isLoopback(request.address)) return { ok: true, principal: LOCAL_VIEWER };
    return { ok: false, status: 401, code: 'unauthorized', message: NO_KEYS, reason: 'missing' };
  }
  return authorizeRequest(auth, {
    path: request.path,
    authorization: request.authorization,
    address: request.address,
  });
}

/** The peer address of a request served through @hono/node-server ('' when there is none, e.g. app.request in tests). */
export function addressOf(c: Context): string {
  try {
    return getConnInfo(c).remote.address ?? '';
  } catch {
    // app.request() has no socket: no address, so never loopback.
    return '';
  }
}

/** The request's credential: its Authorization header, else the session cookie's key. */
export function credentialOf(c: Context): { authorization: string | undefined; fromHeader: boolean } {
  const header = c.req.header('authorization');
  if (header !== undefined) return { authorization: header, fromHeader: true };
  const cookie = getCookie(c, SESSION_COOKIE);
  return { authorization: cookie ? `Bearer ${cookie}` : undefined, fromHeader: false };
}

/** The dashboard's `authorize` hook over an Authenticator: the principal, or an AccessRefused thrown. */
export function keyAuthorize(auth: Authenticator): (c: Context) => Promise<Principal | null> {
  return async (c) => {
    const decision = await decideAccess(auth, {
      path: new URL(c.req.url).pathname,
      method: c.req.method,
      ...credentialOf(c),
      address: addressOf(c),
    });
    if (!decision.ok) throw new AccessRefused(decision);
    return decision.principal;
  };
}

/**
 * An Authenticator for the dashboard on its own (`shoplake dashboard`): keys from `<data>/keys.json`,
 * each refused key written to the audit log (a log that cannot be written is said through `log`).
 */
export function dashboardAuthenticator(
  dataDir: string,
  log: (line: string) => void,
  options: { recheckMs?: number } = {},
): Authenticator {
  return createAuthenticator({
    dataDir,
    ...options,
    onFailure: (failure, address, principal) => {
      const actor = principal ?? { name: 'http', role: null };
      appendAudit(dataDir, actor, principal ? 'auth.refused' : 'auth.failure', {
        via: 'dashboard',
        address,
        reason: failure.reason,
        status: failure.status,
      }).catch((err: unknown) => log(`audit log: cannot record a failed key: ${String(err)}`));
    },
  });
}
