import { hkdfSync, randomBytes } from 'node:crypto';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { UserError } from '../errors/index.js';

/**
 * The key of an encrypted lake, from $SHOPLAKE_ENCRYPTION_KEY (the key itself) or
 * $SHOPLAKE_ENCRYPTION_KEY_FILE (a file holding it; the CLI's --encryption-key-file sets this, so the
 * collector's compaction process inherits it). The key is 32 random bytes written in base64
 * (`openssl rand -base64 32`). It is never used directly: HKDF-SHA256 derives one key for Parquet
 * modular encryption, one for the AES-256-GCM files (WAL, quarantine, duplicates) and a fingerprint the
 * lake records so that a wrong key is told apart from a damaged file.
 */
export interface LakeKey {
  /** 16 hex digits naming the key (safe to store and print; it does not reveal the key). */
  fingerprint: string;
  /** AES-256 key for Parquet modular encryption, base64 as DuckDB's add_parquet_key takes it. */
  parquetKey: string;
  /** AES-256-GCM key for the lake's other files. */
  fileKey: Buffer;
}

/** Where the key comes from, for messages. */
export const KEY_HINT = '--encryption-key-file FILE or $SHOPLAKE_ENCRYPTION_KEY';

let cached: { source: string; key: LakeKey | null } | undefined;

/** The configured lake key, or null when none is set (the lake is then written unencrypted). */
export function lakeKey(): LakeKey | null {
  const inline = process.env.SHOPLAKE_ENCRYPTION_KEY ?? '';
  const file = process.env.SHOPLAKE_ENCRYPTION_KEY_FILE ?? '';
  const source = `${inline}\n${file}`;
  if (cached?.source === source) return cached.key;
  const key =
    inline !== '' ? parseKey(inline, '$SHOPLAKE_ENCRYPTION_KEY') : file !== '' ? readKey(file) : null;
  cached = { source, key };
  return key;
}

function readKey(file: string): LakeKey {
  let text: string;
  try {
    // Like keys.json and mask.key: a key others can read is no secret (POSIX modes only).
    if (process.platform !== 'win32' && (statSync(file).mode & 0o077) !== 0) {
      throw new UserError(`the encryption key file ${file} can be read by others: chmod 600 ${file}`, {
        code: 'bad_key',
      });
    }
    text = readFileSync(file, 'utf8');
  } catch (err) {
    if (err instanceof UserError) throw err;
    const code = err instanceof Error && 'code' in err ? String(err.code) : 'unreadable';
    throw new UserError(`cannot read the encryption key file ${file}: ${code}`, {
      code: 'bad_key',
      cause: err,
    });
  }
  return parseKey(text, `the key file ${file}`);
}

function parseKey(text: string, where: string): LakeKey {
  const trimmed = text.trim();
  const bytes = Buffer.from(trimmed, 'base64');
  // Buffer.from ignores characters outside base64: the round trip shows the text was base64 throughout.
  if (bytes.length !== 32 || bytes.toString('base64') !== trimmed) {
    throw new UserError(
      `${where} is not an encryption key: it must be 32 random bytes in base64 (make one with 'shoplake encryption-key')`,
      { code: 'bad_key' },
    );
  }
  const derive = (info: string) => Buffer.from(hkdfSync('sha256', bytes, 'shoplake lake key', info, 32));
  return {
    fingerprint: derive('fingerprint').subarray(0, 8).toString('hex'),
    parquetKey: derive('parquet').toString('base64'),
    fileKey: derive('files'),
  };
}

/** DuckDB's name for the lake key inside a session (PRAGMA add_parquet_key). */
export const PARQUET_KEY_NAME = 'shoplake_lake';

/** The read_parquet option that decrypts the lake's files ('' when no key is configured). */
export function parquetReadOptions(): string {
  return lakeKey() ? `, encryption_config = {footer_key: '${PARQUET_KEY_NAME}'}` : '';
}

/** The COPY … (FORMAT parquet …) option that encrypts what it writes ('' when no key is configured). */
export function parquetWriteOptions(): string {
  return lakeKey() ? `, ENCRYPTION_CONFIG {footer_key: '${PARQUET_KEY_NAME}'}` : '';
}

function extensionFile(): string {
  const set = process.env.SHOPLAKE_HTTPFS_EXTENSION;
  if (set !== undefined && set !== '') return set;
  return fileURLToPath(
    new URL(
      `../../../.cache/duckdb-extensions/${EXTENSION_VERSION}/httpfs.duckdb_extension`,
      import.meta.url,
    ),
  );
}

/** Whether the httpfs extension is installed (tests that write an encrypted lake skip without it, outside CI). */
export function httpfsExtensionInstalled(): boolean {
  return existsSync(extensionFile());
}

/** The DuckDB version whose httpfs extension scripts/duckdb-ext-setup.sh installs. */
const EXTENSION_VERSION = 'v1.5.5';

/**
 * The httpfs extension file: DuckDB writes Parquet encryption securely only with the OpenSSL it
 * brings. $SHOPLAKE_HTTPFS_EXTENSION overrides the project cache's copy. Never downloaded at run time.
 */
export function httpfsExtensionPath(): string {
  const set = process.env.SHOPLAKE_HTTPFS_EXTENSION;
  const path =
    set !== undefined && set !== ''
      ? set
      : fileURLToPath(
          new URL(
            `../../../.cache/duckdb-extensions/${EXTENSION_VERSION}/httpfs.duckdb_extension`,
            import.meta.url,
          ),
        );
  if (!existsSync(path)) {
    throw new UserError(
      `writing an encrypted lake needs DuckDB's httpfs extension (${path} is missing): run 'npm run setup:encryption' in shoplake's directory`,
      { code: 'no_extension' },
    );
  }
  return path;
}

/**
 * DuckDB's refusals about Parquet encryption as one line the user can act on (a lake read without its
 * key, with a wrong key, or a key given for a lake written without one); null for any other error.
 */
export function encryptionUserError(err: unknown): UserError | null {
  const text = err instanceof Error ? err.message : '';
  if (/is encrypted, but 'encryption_config' was not set/.test(text))
    return new UserError(`the lake is encrypted: give its key with ${KEY_HINT}`, {
      code: 'encrypted_lake',
      cause: err,
    });
  if (/Computed AES tag differs from read AES tag/.test(text))
    return new UserError(
      `the lake's files do not open with this encryption key: give the key the lake was written with (${KEY_HINT})`,
      {
        code: 'wrong_key',
        cause: err,
      },
    );
  if (/is not encrypted, but 'encryption_config' was set/.test(text))
    return new UserError(
      'this lake is not encrypted but an encryption key is set: unset $SHOPLAKE_ENCRYPTION_KEY and $SHOPLAKE_ENCRYPTION_KEY_FILE, or drop --encryption-key-file',
      { code: 'plain_lake', cause: err },
    );
  return null;
}

/** A new lake key: 32 random bytes (node:crypto's CSPRNG) in base64, the format lakeKey reads. */
export function newLakeKeyText(): string {
  return randomBytes(32).toString('base64');
}
