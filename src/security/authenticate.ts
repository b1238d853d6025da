import { createHash, timingSafeEqual } from 'node:crypto';
import { statSync } from 'node:fs';
import { type KeyEntry, type KeyRefusal, keyState, keysPath, readKeys, verifyKey } from './keys.js';
import { allows, neededRole, type Permission, type Principal, type Role } from './roles.js';
import { FailureThrottle } from './throttle.js';

/** A refused request: the status to answer, one JSON error code and message, and Retry-After when throttled. */
export interface AuthFailure {
  ok: false;
  status: 401 | 403 | 429;
  code: 'unauthorized' | 'forbidden' | 'too_many_failures';
  message: string;
  retryAfter?: number;
  /** Why, for the audit log only (never told to the client, so it cannot probe which keys exist). */
  reason: KeyRefusal | 'missing' | 'throttled' | 'role';
}
/** An accepted request and who made it. */
export interface AuthSuccess {
  ok: true;
  principal: Principal;
}
export type AuthResult = AuthSuccess | AuthFailure;

/** What the authenticator accepts besides the keys file. */
export interface AuthenticatorOptions {
  dataDir: string;
  /** The collector's write keys (SHOPLAKE_WRITE_KEYS, `writeKeys`): accepted as ingest keys. */
  writeKeys?: readonly string[];
  /** Told about every refusal (for the audit log), with the key's principal when a valid key lacked the role. */
  onFailure?: (failure: AuthFailure, address: string, principal?: Principal) => void;
  /** How often the keys file is checked for changes (default 1000 ms; 0: on every request). */
  recheckMs?: number;
}

const sha256 = (text: string) => createHash('sha256').update(text).digest();
const WRITE_KEY: Principal = { name: 'write-key', role: 'ingest', keyId: null };
const UNAUTHORIZED = 'missing or unknown key: send Authorization: Bearer <key>';

/** Checks `Authorization: Bearer <key>` headers against the keys file and the write keys. */
export interface Authenticator {
  /** Who sent this Authorization header value from this address, or why not. */
  authenticate(header: string | undefined, address: string): Promise<AuthResult>;
  /** Whether any key may scrape /metrics (a metrics key exists); without one /metrics is loopback-only. */
  hasScrapeKeys(): boolean;
  /** Whether an active key with one of these roles exists (the dashboard is open to loopback until one can read). */
  hasActiveKeys(roles: readonly Role[]): boolean;
  /** Reports a valid key refused for its role (403), so that it is audited like a failed key. */
  refused(failure: AuthFailure, address: string, principal: Principal): void;
}

/**
 * Builds the authenticator a server uses: keys from `<data>/keys.json` (re-read when the file changes,
 * so `keys revoke` takes effect on the next request), the collector's write keys as ingest keys, and a
 * throttle on repeated failures per address. A verified key is remembered by the hash of its header so
 * that only the first request pays for scrypt; revocation and expiry are still checked every time.
 */
export function createAuthenticator(options: AuthenticatorOptions): Authenticator {
  // Read once now, so a server given a keys file others can read refuses to start.
  readKeys(options.dataDir);
  const path = keysPath(options.dataDir);
  const writeKeyHashes = (options.writeKeys ?? []).map(sha256);
  const throttle = new FailureThrottle();
  let version = '';
  let keys: KeyEntry[] = [];
  let verified = new Map<string, Principal>();
  // Headers already accepted, by their text: one Map lookup on the collector's hot path instead of a
  // hash per request (as the collector did before keys had roles). Cleared whenever the keys file changes.
  let accepted = new Map<string, Principal>();
  let checkedAt = Number.NEGATIVE_INFINITY;
  const refresh = () => {
    // At most one stat a second: `keys revoke` takes effect within a second, without a syscall per request.
    const now = performance.now();
    if (now - checkedAt < (options.recheckMs ?? 1000)) return;
    checkedAt = now;
    const stat = statSync(path, { throwIfNoEntry: false });
    const seen = stat ? `${stat.mtimeMs}:${stat.size}:${stat.ino}` : 'none';
    if (seen === version) return;
    try {
      keys = readKeys(options.dataDir);
    } catch (err) {
      // A keys file others can read, or a broken one: every key is refused (fail closed) and the server
      // logs why; the client only learns that something is wrong on the server.
      throw new Error(`cannot use the keys file ${path}`, { cause: err });
    }
    verified = new Map();
    accepted = new Map();
    version = seen;
  };
  const usable = (principal: Principal): boolean => {
    if (principal.keyId === null) return true;
    const entry = keys.find((k) => k.id === principal.keyId);
    return entry !== undefined && keyState(entry) === 'active';
  };
  const fail = (address: string, reason: AuthFailure['reason']): AuthFailure => {
    const wait = throttle.fail(address);
    const failure: AuthFailure =
      wait > 0
        ? {
            ok: false,
            status: 429,
            code: 'too_many_failures',
            message: `too many failed keys: retry in ${wait} s`,
            retryAfter: wait,
            reason,
          }
        : { ok: false, status: 401, code: 'unauthorized', message: UNAUTHORIZED, reason };
    options.onFailure?.(failure, address);
    return failure;
  };

  return {
    refused(failure, address, principal) {
      options.onFailure?.(failure, address, principal);
    },
    hasScrapeKeys() {
      refresh();
      return keys.some((k) => k.role === 'metrics' && keyState(k) === 'active');
    },
    hasActiveKeys(roles) {
      refresh();
      return keys.some((k) => roles.includes(k.role) && keyState(k) === 'active');
    },
    async authenticate(header, address) {
      const wait = throttle.waitSeconds(address);
      if (wait > 0) {
        return {
          ok: false,
          status: 429,
          code: 'too_many_failures',
          message: `too many failed keys: retry in ${wait} s`,
          retryAfter: wait,
          reason: 'throttled',
        };
      }
      refresh();
      const known = header !== undefined ? accepted.get(header) : undefined;
      if (known && usable(known)) {
        throttle.succeed(address);
        return { ok: true, principal: known };
      }
      const presented = /^Bearer ([\x21-\x7e]+)$/i.exec(header?.trim() ?? '')?.[1];
      if (!presented || header === undefined) return fail(address, 'missing');
      const digest = sha256(presented);
      // Every write key is compared, in constant time, whether or not an earlier one matched.
      let isWriteKey = false;
      for (const h of writeKeyHashes) isWriteKey = timingSafeEqual(h, digest) || isWriteKey;
      if (isWriteKey) {
        throttle.succeed(address);
        if (accepted.size < 10_000) accepted.set(header, WRITE_KEY);
        return { ok: true, principal: WRITE_KEY };
      }
      const cacheKey = digest.toString('hex');
      let principal = verified.get(cacheKey);
      if (!principal) {
        const check = await verifyKey(keys, presented);
        if (!check.ok) return fail(address, check.reason);
        principal = check.principal;
        if (verified.size < 10_000) verified.set(cacheKey, principal);
      }
      const entry = keys.find((k) => k.id === principal.keyId);
      const state = entry ? keyState(entry) : 'revoked';
      if (state !== 'active') {
        verified.delete(cacheKey);
        return fail(address, state);
      }
      throttle.succeed(address);
      if (accepted.size < 10_000) accepted.set(header, principal);
      return { ok: true, principal };
    },
  };
}

/** Refuses a principal whose role does not grant `permission` (403), or null when it does. */
export function requireRole(principal: Principal, permission: Permission): AuthFailure | null {
  if (allows(principal.role, permission)) return null;
  return {
    ok: false,
    status: 403,
    code: 'forbidden',
    message: `this ${principal.role} key cannot do this: it needs the ${neededRole(permission)} role`,
    reason: 'role',
  };
}
