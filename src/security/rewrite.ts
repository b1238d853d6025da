import { randomUUID } from 'node:crypto';
import { closeSync, fsyncSync, openSync, renameSync, statSync, writeSync } from 'node:fs';

/** Replaces a file's content atomically, keeping its permission bits (a synced temp file, renamed). */
export function writeOwnerOnlyLike(path: string, content: string): void {
  const mode = statSync(path).mode & 0o777;
  const tmp = `${path}.${process.pid}.${randomUUID().slice(0, 8)}.tmp`;
  const fd = openSync(tmp, 'wx', mode);
  try {
    writeSync(fd, content);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  renameSync(tmp, path);
}
