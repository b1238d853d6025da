import { createHash } from 'node:crypto';
import { closeSync, existsSync, fsyncSync, openSync, readFileSync, writeSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { z } from 'zod';
import { UserError } from '../errors/index.js';
import { withTableLock } from '../lake/index.js';
import { assertOwnerOnly, readOwnerOnly, writeOwnerOnly } from './owner-file.js';
import { type Principal, roleSchema } from './roles.js';

/** The audit log of a data directory: one JSON object per line, each chained to the one before. */
export const AUDIT_FILE = 'audit.log';
/** Sequence number and hash of the last entry, so that cutting lines off the end is detected too. */
const HEAD_FILE = 'audit.head';
const GENESIS = '0'.repeat(64);

/** What is recorded. */
export const AUDIT_ACTIONS = [
  'key.create',
  'key.revoke',
  'sql',
  'query',
  'export',
  'erase',
  'retention',
  'auth.failure',
  'auth.refused',
] as const;
export type AuditAction = (typeof AUDIT_ACTIONS)[number];

const entrySchema = z.strictObject({
  seq: z.number().int().positive(),
  at: z.string(),
  actor: z.strictObject({ name: z.string(), role: roleSchema.nullable(), keyId: z.string().nullable() }),
  action: z.enum(AUDIT_ACTIONS),
  detail: z.record(z.string(), z.unknown()),
  prev: z.string().regex(/^[0-9a-f]{64}$/),
  hash: z.string().regex(/^[0-9a-f]{64}$/),
});
/** One audit entry as stored. */
export type AuditEntry = z.infer<typeof entrySchema>;
/** Who did it: a principal, or an unauthenticated caller (role null) such as a failed key. */
export type Actor = Pick<Principal, 'name'> & { role: Principal['role'] | null; keyId?: string | null };

const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');
// The hash covers the entry's JSON without its own hash; JSON.parse then JSON.stringify gives back the
// same text for what stringify wrote, so verification recomputes it from the parsed line.
const bodyOf = (e: Omit<AuditEntry, 'hash'>) =>
  JSON.stringify({ seq: e.seq, at: e.at, actor: e.actor, action: e.action, detail: e.detail, prev: e.prev });

function paths(dataDir: string) {
  const root = resolve(dataDir);
  return { root, log: join(root, AUDIT_FILE), head: join(root, HEAD_FILE), lock: join(root, '.audit-lock') };
}

function readHead(head: string): { seq: number; hash: string } {
  const text = readOwnerOnly(head);
  if (text === null) return { seq: 0, hash: GENESIS };
  return z.object({ seq: z.number().int().nonnegative(), hash: z.string() }).parse(JSON.parse(text));
}

/**
 * Appends one entry (synced) under a lock shared by every process writing this data directory, so the
 * chain stays one line after the other. The file is created 0600: SQL text can hold personal data.
 */
export async function appendAudit(
  dataDir: string,
  actor: Actor,
  action: AuditAction,
  detail: Record<string, unknown>,
  now = new Date(),
): Promise<AuditEntry> {
  const p = paths(dataDir);
  // Never creates the data directory: a command given a wrong --data says so instead.
  if (!existsSync(p.root))
    throw new UserError(`data directory ${p.root} does not exist: pass --data DIR`, { code: 'no_data' });
  return withTableLock(p.lock, async () => {
    const last = readHead(p.head);
    const who = { name: actor.name, role: actor.role, keyId: actor.keyId ?? null };
    // Through JSON once, so the stored entry is exactly what verification parses back (no undefined).
    const plain = z.record(z.string(), z.unknown()).parse(JSON.parse(JSON.stringify(detail)));
    const body = {
      seq: last.seq + 1,
      at: now.toISOString(),
      actor: who,
      action,
      detail: plain,
      prev: last.hash,
    };
    const entry: AuditEntry = { ...body, hash: sha256(bodyOf(body)) };
    if (existsSync(p.log)) assertOwnerOnly(p.log);
    const fd = openSync(p.log, 'a', 0o600);
    try {
      const line = Buffer.from(`${JSON.stringify(entry)}\n`);
      let written = 0;
      while (written < line.length) written += writeSync(fd, line, written);
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    writeOwnerOnly(p.head, JSON.stringify({ seq: entry.seq, hash: entry.hash }));
    return entry;
  });
}

/** Which entries to list. */
export interface AuditFilter {
  action?: string;
  actor?: string;
  since?: Date;
  until?: Date;
}

/** The audit log's entries that match the filter (every line must parse; verify says why one does not). */
export function readAudit(dataDir: string, filter: AuditFilter = {}): AuditEntry[] {
  const { log } = paths(dataDir);
  if (!existsSync(log)) return [];
  assertOwnerOnly(log);
  return lines(log)
    .map((l) => entrySchema.parse(JSON.parse(l)))
    .filter(
      (e) =>
        (filter.action === undefined ||
          e.action === filter.action ||
          e.action.startsWith(`${filter.action}.`)) &&
        (filter.actor === undefined || e.actor.name === filter.actor) &&
        (filter.since === undefined || Date.parse(e.at) >= filter.since.getTime()) &&
        (filter.until === undefined || Date.parse(e.at) < filter.until.getTime()),
    );
}

function lines(log: string): string[] {
  return readFileSync(log, 'utf8')
    .split('\n')
    .filter((l) => l !== '');
}

/** What `audit verify` found. */
export interface AuditVerification {
  ok: boolean;
  entries: number;
  /** Each break of the chain: the line (1-based) and what is wrong. */
  problems: { line: number; message: string }[];
}

/**
 * Walks the chain: every line parses, its hash matches its content, its `prev` is the hash of the line
 * before and its sequence number follows; the last entry is the one the head file names. A changed,
 * inserted, reordered or removed line (also the last) breaks one of these.
 */
export function verifyAudit(dataDir: string): AuditVerification {
  const p = paths(dataDir);
  const head = readHead(p.head);
  const all = existsSync(p.log) ? lines(p.log) : [];
  const problems: AuditVerification['problems'] = [];
  let prev = GENESIS;
  let seq = 0;
  for (const [i, text] of all.entries()) {
    const line = i + 1;
    let entry: AuditEntry;
    try {
      entry = entrySchema.parse(JSON.parse(text));
    } catch {
      problems.push({ line, message: 'not a valid audit entry' });
      continue;
    }
    if (sha256(bodyOf(entry)) !== entry.hash)
      problems.push({ line, message: 'content changed (hash does not match)' });
    if (entry.prev !== prev)
      problems.push({ line, message: 'chain broken: the entry before it was changed or removed' });
    if (entry.seq !== seq + 1) problems.push({ line, message: `sequence jumps from ${seq} to ${entry.seq}` });
    prev = entry.hash;
    seq = entry.seq;
  }
  if (head.seq !== seq || head.hash !== prev)
    problems.push({
      line: all.length,
      message: `the log ends at entry ${seq} but ${head.seq} were written: entries removed from the end`,
    });
  return { ok: problems.length === 0, entries: all.length, problems };
}
