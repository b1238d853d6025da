import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { KEY_HINT, lakeKey } from '../duckdb/index.js';
import { UserError } from '../errors/index.js';

// Text files of an encrypted lake (WAL segments, quarantine and duplicates reports) hold sealed lines:
// each is PREFIX + base64(IV ‖ ciphertext ‖ tag) of one chunk of the plain text, AES-256-GCM with a
// fresh random 96-bit IV per line (node:crypto; 2^32 lines per key keep the IV collision risk
// negligible), so the files stay line-oriented: appends, fsync accounting and cutting a torn last line
// work unchanged. The tag authenticates each line: a changed byte, a line from another file written
// with another key, or a truncated line fails to open.
const PREFIX = 'slk1:';
const AAD = Buffer.from('shoplake sealed text v1');
const IV_BYTES = 12;
const TAG_BYTES = 16;

/** `text` as one sealed line when the lake is encrypted; unchanged (plain) when it is not. */
export function sealText(text: string): string {
  const key = lakeKey();
  if (!key || text === '') return text;
  const iv = randomBytes(IV_BYTES);
  const cipher = createCipheriv('aes-256-gcm', key.fileKey, iv);
  cipher.setAAD(AAD);
  const body = Buffer.concat([cipher.update(text, 'utf8'), cipher.final()]);
  return `${PREFIX}${Buffer.concat([iv, body, cipher.getAuthTag()]).toString('base64')}\n`;
}

/** True when the file's text was written sealed (its first line is a sealed line). */
export function isSealed(text: string): boolean {
  return text.startsWith(PREFIX);
}

/** A sealed line that does not open with the lake's key: changed, cut or damaged since it was written. */
export class SealedTextError extends Error {
  constructor(
    message: string,
    /** The 1-based line that failed. */
    readonly line: number,
    options: { cause: unknown },
  ) {
    super(message, options);
  }
}

/**
 * The plain text of a file's content: sealed lines are opened and joined, plain text is returned as is
 * (a lake written before encryption). `file` names it in errors.
 */
export function openSealedText(text: string, file: string): string {
  if (!isSealed(text)) return text;
  const key = lakeKey();
  if (!key)
    throw new UserError(`${file} is encrypted: give the lake's key with ${KEY_HINT}`, {
      code: 'encrypted_lake',
    });
  let out = '';
  let lineNo = 0;
  for (const line of text.split('\n')) {
    lineNo++;
    if (line === '') continue;
    const raw = line.startsWith(PREFIX) ? Buffer.from(line.slice(PREFIX.length), 'base64') : Buffer.alloc(0);
    try {
      if (raw.length < IV_BYTES + TAG_BYTES) throw new Error('too short');
      const decipher = createDecipheriv('aes-256-gcm', key.fileKey, raw.subarray(0, IV_BYTES));
      decipher.setAAD(AAD);
      decipher.setAuthTag(raw.subarray(raw.length - TAG_BYTES));
      out += decipher.update(raw.subarray(IV_BYTES, raw.length - TAG_BYTES), undefined, 'utf8');
      out += decipher.final('utf8');
    } catch (err) {
      throw new SealedTextError(
        `line ${lineNo} of ${file} fails authentication: it was changed or damaged after it was written`,
        lineNo,
        { cause: err },
      );
    }
  }
  return out;
}

/** The plain text of a file that may be sealed (see openSealedText). */
export function readSealedFile(file: string): string {
  return openSealedText(readFileSync(file, 'utf8'), file);
}

/**
 * A new private directory (mode 0700) for plain text that must never reach the data directory's disk:
 * on /dev/shm (memory) where the system has it, else the system's temp directory. The caller removes it.
 */
export function scratchDirectory(): string {
  if (existsSync('/dev/shm')) {
    try {
      return mkdtempSync(join('/dev/shm', 'shoplake-'));
    } catch {
      // Not writable here (some containers): the system's temp directory, still off <data>/.
    }
  }
  return mkdtempSync(join(tmpdir(), 'shoplake-'));
}
