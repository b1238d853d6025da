import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import { KEY_HINT, lakeKey } from '../duckdb/index.js';
import { UserError } from '../errors/index.js';
import type { DataLayout } from './layout.js';

/**
 * `<data>/lake/_encryption.json`: present when the lake is encrypted. It holds the key's fingerprint
 * (HKDF of the key, see lake-key.ts), never the key, so a lake opened without its key, or with another
 * one, is refused with one line before any file is read. A lake is encrypted from its first write or
 * not at all: DuckDB refuses to read plain and encrypted Parquet files in one scan.
 */
const MARKER = '_encryption.json';
const markerSchema = z.object({
  parquet: z.literal('parquet-modular-encryption AES-GCM'),
  files: z.literal('AES-256-GCM sealed lines'),
  key_fingerprint: z.string().regex(/^[0-9a-f]{16}$/),
});

/** The key fingerprint an encrypted lake records, or null for a plain lake. */
export function lakeEncryptionFingerprint(layout: DataLayout): string | null {
  const path = join(layout.lake, MARKER);
  if (!existsSync(path)) return null;
  const parsed = markerSchema.safeParse(JSON.parse(readFileSync(path, 'utf8')));
  if (!parsed.success) throw new Error(`${path} is not shoplake's encryption marker (damaged?)`);
  return parsed.data.key_fingerprint;
}

/**
 * Checks that the configured key (or its absence) fits the lake: an encrypted lake needs its own key,
 * a plain lake that holds data takes none. Returns whether the lake is encrypted.
 */
export function checkLakeEncryption(layout: DataLayout): boolean {
  const key = lakeKey();
  const recorded = lakeEncryptionFingerprint(layout);
  if (recorded !== null && !key)
    throw new UserError(`the lake in ${layout.root} is encrypted: give its key with ${KEY_HINT}`, {
      code: 'encrypted_lake',
    });
  if (recorded !== null && key && key.fingerprint !== recorded)
    throw new UserError(
      `the encryption key given (fingerprint ${key.fingerprint}) is not the lake's (fingerprint ${recorded}): give the key the lake was written with`,
      { code: 'wrong_key' },
    );
  if (recorded === null && key && holdsData(layout))
    throw new UserError(
      `the lake in ${layout.root} was written without encryption, so it cannot take a key: unset the key, or build a new data directory with it`,
      { code: 'plain_lake' },
    );
  return recorded !== null;
}

/** Before a write: checkLakeEncryption, and on an encrypted lake's first write, records the key's fingerprint. */
export function prepareLakeEncryption(layout: DataLayout): void {
  if (checkLakeEncryption(layout)) return;
  const key = lakeKey();
  if (!key) return;
  mkdirSync(layout.lake, { recursive: true });
  const path = join(layout.lake, MARKER);
  const tmp = `${path}.${process.pid}.tmp`;
  const marker = {
    parquet: 'parquet-modular-encryption AES-GCM',
    files: 'AES-256-GCM sealed lines',
    key_fingerprint: key.fingerprint,
  };
  writeFileSync(tmp, `${JSON.stringify(marker, null, 2)}\n`);
  renameSync(tmp, path);
}

// Any table directory, WAL segment or report means data was written already.
function holdsData(layout: DataLayout): boolean {
  const nonEmpty = (dir: string) => existsSync(dir) && readdirSync(dir).some((f) => !f.startsWith('.'));
  return (
    nonEmpty(layout.lake) ||
    nonEmpty(join(layout.root, 'wal')) ||
    nonEmpty(layout.quarantine) ||
    nonEmpty(layout.duplicates)
  );
}
