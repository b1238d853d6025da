import { createHash, createHmac, randomBytes } from 'node:crypto';
import { existsSync, mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { readOwnerOnly, writeOwnerOnly } from './owner-file.js';

/** The per-lake masking secret under the data directory (mode 0600). */
export const MASK_SECRET_FILE = 'mask.key';
/** Columns holding personal data, per table: masked for every role below admin. */
export const PII_COLUMNS: Readonly<Record<string, readonly string[]>> = {
  customers: ['first_name', 'last_name', 'email', 'city'],
};
/** Hex digits of the HMAC kept in a masked value (96 bits: no collision in any real customer table). */
export const MASK_HEX_DIGITS = 24;
const BLOCK = 64;

/**
 * The lake's masking secret: 32 random bytes, created on first use. The same secret for every query of
 * a lake, so a masked email is the same value in every output and joins and counts on it still work;
 * without it the value cannot be recomputed from a guessed email.
 */
export function maskSecret(dataDir: string): Buffer {
  const path = join(resolve(dataDir), MASK_SECRET_FILE);
  const text = readOwnerOnly(path);
  if (text !== null) return Buffer.from(text.trim(), 'hex');
  if (!existsSync(resolve(dataDir))) mkdirSync(resolve(dataDir), { recursive: true, mode: 0o700 });
  writeOwnerOnly(path, `${randomBytes(32).toString('hex')}\n`);
  return Buffer.from((readOwnerOnly(path) ?? '').trim(), 'hex');
}

/** The masked form of one value, computed in Node (what the engines' SQL must agree with). */
export function maskValue(secret: Buffer, value: string): string {
  return createHmac('sha256', secret).update(value, 'utf8').digest('hex').slice(0, MASK_HEX_DIGITS);
}

/**
 * HMAC-SHA256 (RFC 2104) spelled in SQL, since neither DuckDB nor Spark has an HMAC function:
 * H((K ⊕ opad) ‖ H((K ⊕ ipad) ‖ m)), with the padded key halves as hex literals. Each engine names
 * its hash and byte functions differently; `dialect` supplies them.
 */
export interface MaskDialect {
  /** SHA-256 of a binary expression, as lower-case hex text. */
  sha256(binary: string): string;
  /** Binary from a hex text expression or literal. */
  unhex(hex: string): string;
  /** A text column's UTF-8 bytes. */
  utf8(text: string): string;
  /** Concatenation of two binary expressions. */
  concat(a: string, b: string): string;
  /** The first n characters of a text expression. */
  left(text: string, n: number): string;
}

/** DuckDB's spelling of the HMAC pieces. */
export const DUCKDB_MASK: MaskDialect = {
  sha256: (b) => `sha256(${b})`,
  unhex: (h) => `unhex(${h})`,
  utf8: (t) => `encode(${t})`,
  concat: (a, b) => `(${a} || ${b})`,
  left: (t, n) => `left(${t}, ${n})`,
};

/** Spark SQL's spelling of the HMAC pieces. */
export const SPARK_MASK: MaskDialect = {
  sha256: (b) => `sha2(${b}, 256)`,
  unhex: (h) => `unhex(${h})`,
  utf8: (t) => `encode(${t}, 'UTF-8')`,
  concat: (a, b) => `concat(${a}, ${b})`,
  left: (t, n) => `left(${t}, ${n})`,
};

/** SQL computing maskValue(secret, column) (NULL stays NULL). `column` must be a quoted identifier. */
export function maskSql(dialect: MaskDialect, secret: Buffer, column: string): string {
  const key = Buffer.alloc(BLOCK);
  // Secrets longer than a block are hashed first (RFC 2104); ours are 32 bytes, but stay correct.
  (secret.length > BLOCK ? createHash('sha256').update(secret).digest() : secret).copy(key);
  const pad = (byte: number) => `'${Buffer.from(key.map((b) => b ^ byte)).toString('hex')}'`;
  const inner = dialect.sha256(dialect.concat(dialect.unhex(pad(0x36)), dialect.utf8(column)));
  const outer = dialect.sha256(dialect.concat(dialect.unhex(pad(0x5c)), dialect.unhex(inner)));
  return dialect.left(outer, MASK_HEX_DIGITS);
}

/**
 * A SELECT over `relation` (SQL of a subquery with every column of the table) that keeps every column,
 * in order, with the table's PII columns replaced by their masked form. `quote` quotes an identifier.
 */
export function maskedSelectSql(
  dialect: MaskDialect,
  secret: Buffer,
  table: string,
  columns: readonly string[],
  relation: string,
  quote: (name: string) => string,
): string {
  const pii = new Set(PII_COLUMNS[table] ?? []);
  const list = columns.map((c) =>
    pii.has(c) ? `${maskSql(dialect, secret, quote(c))} AS ${quote(c)}` : quote(c),
  );
  return `SELECT ${list.join(', ')} FROM (${relation}) AS unmasked`;
}
