import { randomUUID } from 'node:crypto';
import {
  closeSync,
  existsSync,
  fsyncSync,
  openSync,
  readFileSync,
  renameSync,
  statSync,
  writeSync,
} from 'node:fs';
import { UserError } from '../errors/index.js';

/** Permission bits that let anyone but the owner read or write a file. */
const OTHERS = 0o077;

/**
 * Refuses a secret file that the group or others can read or write: a key hash or the masking secret
 * readable by other users is as good as handed out, so it is not used until its mode is fixed.
 */
export function assertOwnerOnly(path: string): void {
  const mode = statSync(path).mode & 0o777;
  if ((mode & OTHERS) !== 0) {
    throw new UserError(
      `${path} has mode ${mode.toString(8)}: other users can read it; run 'chmod 600 ${path}' and try again`,
      { code: 'insecure_file' },
    );
  }
}

/** The content of an owner-only file, null when it does not exist; refused when others can read it. */
export function readOwnerOnly(path: string): string | null {
  if (!existsSync(path)) return null;
  assertOwnerOnly(path);
  return readFileSync(path, 'utf8');
}

/**
 * Replaces the file's content atomically (write a 0600 temp file, sync, rename), so a reader sees the
 * old content or the new one, and the content is never readable by others, not even for a moment.
 */
export function writeOwnerOnly(path: string, content: string): void {
  const tmp = `${path}.${process.pid}.${randomUUID().slice(0, 8)}.tmp`;
  const fd = openSync(tmp, 'wx', 0o600);
  try {
    writeSync(fd, content);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  renameSync(tmp, path);
}
