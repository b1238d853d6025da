import {
  closeSync,
  existsSync,
  fsyncSync,
  openSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  statSync,
  writeSync,
} from 'node:fs';
import { join, relative } from 'node:path';
import { z } from 'zod';

/**
 * Each table directory holds `_manifest.json`, the list of its live Parquet files. Readers take the
 * list, not a directory listing, so that a batch spanning several partitions, or a merge replacing many
 * small files by one, becomes visible all at once when the manifest is renamed into place. Files taken
 * out of the list stay on disk for RETIRE_MS, so a query that read the previous list still finds them.
 */
const MANIFEST = '_manifest.json';
const LOCK = '_lock';
export const RETIRE_MS = 10 * 60 * 1000;
const LOCK_WAIT_MS = 30_000;
// A commit holds the lock for milliseconds, so a lock this old belongs to a process that died (its pid
// may already be reused by another process).
const LOCK_STALE_MS = 10_000;

const manifestSchema = z.object({
  version: z.literal(1),
  files: z.array(z.string()),
  retired: z.array(z.object({ file: z.string(), at: z.number() })),
});
type Manifest = z.infer<typeof manifestSchema>;

function readManifest(tableDir: string): Manifest | null {
  const path = join(tableDir, MANIFEST);
  if (!existsSync(path)) return null;
  return manifestSchema.parse(JSON.parse(readFileSync(path, 'utf8')));
}

// Lakes written before manifests existed: every Parquet file under the table directory is live.
function listDirectory(tableDir: string): string[] {
  if (!existsSync(tableDir)) return [];
  const files: string[] = [];
  for (const entry of readdirSync(tableDir, { withFileTypes: true })) {
    if (entry.isFile() && entry.name.endsWith('.parquet')) files.push(entry.name);
    if (entry.isDirectory() && entry.name.includes('=')) {
      for (const f of readdirSync(join(tableDir, entry.name))) {
        if (f.endsWith('.parquet')) files.push(`${entry.name}/${f}`);
      }
    }
  }
  return files.sort();
}

/** Absolute paths of a table's live files, sorted. */
export function liveFiles(tableDir: string): string[] {
  const manifest = readManifest(tableDir);
  const files = manifest ? manifest.files : listDirectory(tableDir);
  return files.map((f) => join(tableDir, f)).sort();
}

/** Files under the table directory that the manifest neither lists nor retires (left by a crashed writer). */
export function unlistedFiles(tableDir: string): string[] {
  const manifest = readManifest(tableDir);
  if (!manifest) return [];
  const known = new Set([...manifest.files, ...manifest.retired.map((r) => r.file)]);
  return listDirectory(tableDir)
    .filter((f) => !known.has(f))
    .map((f) => join(tableDir, f));
}

/** Changes whenever the table's file list may have changed (cheap: one stat). */
export function manifestVersion(tableDir: string): string {
  const path = join(tableDir, MANIFEST);
  if (!existsSync(path)) return existsSync(tableDir) ? `dir:${listDirectory(tableDir).length}` : 'none';
  const s = statSync(path);
  return `${s.mtimeMs}:${s.size}:${s.ino}`;
}

/**
 * Replaces the table's file list under the table lock: `change` gets the live files (absolute) and
 * returns the new list, or null to abandon. Files it drops are retired, then deleted by a later commit.
 * Returns whether the change was committed.
 */
export function commitFiles(tableDir: string, change: (live: string[]) => string[] | null): boolean {
  return withLock(tableDir, () => {
    const current = readManifest(tableDir) ?? {
      version: 1 as const,
      files: listDirectory(tableDir),
      retired: [],
    };
    const next = change(current.files.map((f) => join(tableDir, f)));
    if (next === null) return false;
    const nextRelative = [...new Set(next.map((f) => relative(tableDir, f)))].sort();
    const kept = new Set(nextRelative);
    const now = Date.now();
    const retired = [
      ...current.retired.filter((r) => !kept.has(r.file)),
      ...current.files.filter((f) => !kept.has(f)).map((file) => ({ file, at: now })),
    ];
    const expired = retired.filter((r) => now - r.at >= RETIRE_MS);
    writeManifest(tableDir, {
      version: 1,
      files: nextRelative,
      retired: retired.filter((r) => now - r.at < RETIRE_MS),
    });
    for (const r of expired) rmSync(join(tableDir, r.file), { force: true });
    return true;
  });
}

function writeManifest(tableDir: string, manifest: Manifest): void {
  const tmp = join(tableDir, `${MANIFEST}.${process.pid}.tmp`);
  const fd = openSync(tmp, 'w');
  try {
    writeSync(fd, JSON.stringify(manifest));
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  renameSync(tmp, join(tableDir, MANIFEST));
}

const sleeper = new Int32Array(new SharedArrayBuffer(4));

// A lock file created with O_EXCL: the collector's compaction process and a CLI ingest may commit to
// the same table at once. A lock left by a dead process (or older than LOCK_STALE_MS) is broken.
function withLock<T>(tableDir: string, fn: () => T): T {
  const lock = join(tableDir, LOCK);
  const deadline = Date.now() + LOCK_WAIT_MS;
  for (;;) {
    try {
      const fd = openSync(lock, 'wx');
      writeSync(fd, `${process.pid} ${Date.now()}`);
      closeSync(fd);
      break;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
      if (isStale(lock)) {
        rmSync(lock, { force: true });
        continue;
      }
      if (Date.now() > deadline)
        throw new Error(`table ${tableDir} stayed locked for ${LOCK_WAIT_MS / 1000} s (${lock})`);
      Atomics.wait(sleeper, 0, 0, 5);
    }
  }
  try {
    return fn();
  } finally {
    rmSync(lock, { force: true });
  }
}

function isStale(lock: string): boolean {
  try {
    if (Date.now() - statSync(lock).mtimeMs > LOCK_STALE_MS) return true;
    const pid = Number(readFileSync(lock, 'utf8').split(' ')[0]);
    // Not written yet (created a moment ago), or ours from another thread: not stale.
    if (!Number.isInteger(pid) || pid <= 0) return false;
    process.kill(pid, 0);
    return false;
  } catch (err) {
    // ESRCH: the holder is gone. ENOENT: released meanwhile. EPERM: alive but not ours.
    return (err as NodeJS.ErrnoException).code === 'ESRCH';
  }
}
