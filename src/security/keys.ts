import { randomBytes, scrypt, scryptSync, timingSafeEqual } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { z } from 'zod';
import { UserError } from '../errors/index.js';
import { readOwnerOnly, writeOwnerOnly } from './owner-file.js';
import { type Principal, type Role, roleSchema } from './roles.js';

/** The keys file in a data directory (mode 0600). */
export const KEYS_FILE = 'keys.json';
/** Keys look like `slk_<12 hex id>_<43 base64url characters>`; the id finds the entry, the rest is secret. */
const KEY_PATTERN = /^slk_([0-9a-f]{12})_([A-Za-z0-9_-]{43})$/;
// scrypt's default cost (N=2^14, r=8: 16 MB, tens of ms). The secret is 256 random bits, so the KDF only
// has to make a stolen keys file useless, not slow down guessing of a weak password.
const SCRYPT = { N: 16384, r: 8, p: 1, keylen: 32 } as const;

const entrySchema = z.strictObject({
  id: z.string().regex(/^[0-9a-f]{12}$/),
  name: z.string(),
  role: roleSchema,
  salt: z.string(),
  hash: z.string(),
  createdAt: z.string(),
  expiresAt: z.string().nullable(),
  revokedAt: z.string().nullable(),
});
const fileSchema = z.strictObject({ version: z.literal(1), keys: z.array(entrySchema) });
/** One stored key: never the key itself, only its salted scrypt hash. */
export type KeyEntry = z.infer<typeof entrySchema>;
/** A key as listed (no salt, no hash). */
export type KeyInfo = Omit<KeyEntry, 'salt' | 'hash'> & { state: 'active' | 'expired' | 'revoked' };

/** Names are shown in lists and the audit log: plain words only, so none can forge a line or a column. */
export const keyNameSchema = z
  .string()
  .regex(
    /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/,
    'key names are 1-64 letters, digits, dots, dashes or underscores',
  );

/** Path of the keys file of a data directory. */
export function keysPath(dataDir: string): string {
  return join(resolve(dataDir), KEYS_FILE);
}

/** The stored keys (none when there is no keys file); a file others can read is refused. */
export function readKeys(dataDir: string): KeyEntry[] {
  const path = keysPath(dataDir);
  const text = readOwnerOnly(path);
  if (text === null) return [];
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (err) {
    throw new Error(`keys file ${path} is not valid JSON`, { cause: err });
  }
  return fileSchema.parse(raw).keys;
}

function writeKeys(dataDir: string, keys: KeyEntry[]): void {
  mkdirSync(resolve(dataDir), { recursive: true, mode: 0o700 });
  writeOwnerOnly(keysPath(dataDir), `${JSON.stringify({ version: 1, keys }, null, 2)}\n`);
}

function hashSecret(secret: string, salt: Buffer): Buffer {
  return scryptSync(secret, salt, SCRYPT.keylen, { N: SCRYPT.N, r: SCRYPT.r, p: SCRYPT.p });
}

/** What `keys create` hands back: the key (shown once, never stored) and its entry. */
export interface CreatedKey {
  key: string;
  info: KeyInfo;
}

/** Creates a key with a role and optional expiry; only its salted hash is stored. */
export function createKey(
  dataDir: string,
  options: { name: string; role: Role; expiresAt?: Date | null },
  now = new Date(),
): CreatedKey {
  const name = keyNameSchema.safeParse(options.name);
  if (!name.success) throw new UserError(`--name ${options.name}: ${name.error.issues[0]?.message}`);
  if (options.expiresAt && options.expiresAt.getTime() <= now.getTime())
    throw new UserError('--expires must be in the future');
  const keys = readKeys(dataDir);
  if (keys.some((k) => k.name === name.data && k.revokedAt === null))
    throw new UserError(`a key named ${name.data} exists: revoke it first or choose another name`, {
      code: 'key_exists',
    });
  const id = randomBytes(6).toString('hex');
  const secret = randomBytes(32).toString('base64url');
  const salt = randomBytes(16);
  const entry: KeyEntry = {
    id,
    name: name.data,
    role: options.role,
    salt: salt.toString('base64'),
    hash: hashSecret(secret, salt).toString('base64'),
    createdAt: now.toISOString(),
    expiresAt: options.expiresAt ? options.expiresAt.toISOString() : null,
    revokedAt: null,
  };
  writeKeys(dataDir, [...keys, entry]);
  return { key: `slk_${id}_${secret}`, info: describeKey(entry, now) };
}

/** Every key with its state (never a hash). */
export function listKeys(dataDir: string, now = new Date()): KeyInfo[] {
  return readKeys(dataDir).map((k) => describeKey(k, now));
}

/** Revokes the key with this name or id; returns it. */
export function revokeKey(dataDir: string, nameOrId: string, now = new Date()): KeyInfo {
  const keys = readKeys(dataDir);
  const target = keys.find((k) => k.revokedAt === null && (k.id === nameOrId || k.name === nameOrId));
  if (!target) throw new UserError(`no active key named ${nameOrId}: 'shoplake keys list' shows them`);
  target.revokedAt = now.toISOString();
  writeKeys(dataDir, keys);
  return describeKey(target, now);
}

function describeKey(k: KeyEntry, now: Date): KeyInfo {
  const { salt: _salt, hash: _hash, ...info } = k;
  return { ...info, state: keyState(k, now) };
}

/** The outcome of checking a presented key. */
export type KeyCheck = { ok: true; principal: Principal } | { ok: false; reason: KeyRefusal };

// Off the event loop (libuv's pool): a server checking a key must not stall every other request.
function hashSecretAsync(secret: string, salt: Buffer): Promise<Buffer> {
  return new Promise((done, fail) =>
    scrypt(secret, salt, SCRYPT.keylen, { N: SCRYPT.N, r: SCRYPT.r, p: SCRYPT.p }, (err, key) =>
      err ? fail(err) : done(key),
    ),
  );
}

/** Whether a stored key is usable now (not revoked, not expired). */
export function keyState(k: KeyEntry, now = new Date()): KeyInfo['state'] {
  if (k.revokedAt !== null) return 'revoked';
  return k.expiresAt !== null && Date.parse(k.expiresAt) <= now.getTime() ? 'expired' : 'active';
}

/** Why a presented key was refused (said to the caller only as "unknown key"; kept for the audit log). */
export type KeyRefusal = 'malformed' | 'unknown' | 'revoked' | 'expired';

/**
 * Checks a presented key against the stored hashes, in constant time: the id picks the entry, the
 * secret is hashed with its salt and compared with timingSafeEqual. An unknown id still pays for one
 * scrypt, so timing does not tell which ids exist.
 */
export async function verifyKey(
  keys: readonly KeyEntry[],
  presented: string,
  now = new Date(),
): Promise<KeyCheck> {
  const match = KEY_PATTERN.exec(presented);
  if (!match) return { ok: false, reason: 'malformed' };
  const [, id = '', secret = ''] = match;
  const entry = keys.find((k) => k.id === id);
  const salt = entry ? Buffer.from(entry.salt, 'base64') : Buffer.alloc(16);
  const expected = entry ? Buffer.from(entry.hash, 'base64') : Buffer.alloc(SCRYPT.keylen);
  const actual = await hashSecretAsync(secret, salt);
  const same = actual.length === expected.length && timingSafeEqual(actual, expected);
  if (!entry || !same) return { ok: false, reason: 'unknown' };
  const state = keyState(entry, now);
  if (state !== 'active') return { ok: false, reason: state };
  return { ok: true, principal: { name: entry.name, role: entry.role, keyId: entry.id } };
}

/** Whether the keys file holds an active key with one of these roles. */
export function hasActiveKey(dataDir: string, roles: readonly Role[], now = new Date()): boolean {
  return readKeys(dataDir).some((k) => roles.includes(k.role) && keyState(k, now) === 'active');
}
