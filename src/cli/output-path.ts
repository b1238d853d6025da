import { statSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { UserError } from '../errors/index.js';

/**
 * Checks, before any work, that a file the user named (`--out`, `--pdf`) can be written there: its
 * directory exists and the path is not a directory. Writing into a missing directory failed after the
 * work as "internal error: ENOENT" (exit 1) although the path was the user's to fix.
 */
export function checkOutputFile(path: string, flag: string): void {
  const full = resolve(path);
  const dir = dirname(full);
  const dirStat = statSync(dir, { throwIfNoEntry: false });
  if (!dirStat?.isDirectory()) {
    throw new UserError(`${flag} ${path}: the directory ${dir} does not exist: create it or write elsewhere`);
  }
  if (statSync(full, { throwIfNoEntry: false })?.isDirectory()) {
    throw new UserError(`${flag} ${path} is a directory: give a file name (e.g. ${path}/report.html)`);
  }
}
