import {
  closeSync,
  existsSync,
  fsyncSync,
  openSync,
  readdirSync,
  readFileSync,
  readSync,
  renameSync,
  rmSync,
  statSync,
  truncateSync,
  writeSync,
} from 'node:fs';
import { join, relative } from 'node:path';
import { z } from 'zod';
import { type HeldLock, withTableLock } from './lock.js';

/**
 * Each table directory holds `_manifest.json`, the list of its live Parquet files. Readers take the
 * list, not a directory listing, so that a batch spanning several partitions, or a merge replacing many
 * small files by one, becomes visible all at once when the manifest is renamed into place. Files taken
 * out of the list stay on disk for RETIRE_MS, so a query that read the previous list still finds them.
 *
 * Next to it, `_batches.ndjson` is the table's batch log (one JSON line per committed batch or
 * rollback). The manifest records how many bytes of the log are committed: a line appended by a writer
 * that died before renaming its manifest lies past that length, is ignored, and is cut off by the next
 * commit. So the manifest and the log change together in the one rename.
 */
const MANIFEST = '_manifest.json';
const LOG = '_batches.ndjson';
/** File names of a table's manifest and batch log (part of the lake's documented on-disk format). */
export const MANIFEST_FILE = MANIFEST;
export const BATCH_LOG_FILE = LOG;
export const RETIRE_MS = 10 * 60 * 1000;

const manifestSchema = z.union([
  z.object({
    version: z.literal(1),
    files: z.array(z.string()),
    retired: z.array(z.object({ file: z.string(), at: z.number() })),
  }),
  z.object({
    version: z.literal(2),
    files: z.array(z.string()),
    retired: z.array(z.object({ file: z.string(), at: z.number() })),
    /** Committed length of the batch log in bytes. */
    log: z.number().int().nonnegative(),
    /**
     * Columns every live file is known to have (absent: not known, e.g. files adopted from a lake
     * written before manifests). Readers skip the slower reading that tolerates missing columns when
     * every column they need is listed.
     */
    columns: z.array(z.string()).optional(),
  }),
]);
/** A table's manifest as stored (version 1 or 2). */
export type Manifest = z.infer<typeof manifestSchema>;

/** The table's manifest, null when it has none; throws when it is not valid JSON of the expected shape. */
export function readManifest(tableDir: string): Manifest | null {
  const path = join(tableDir, MANIFEST);
  if (!existsSync(path)) return null;
  return manifestSchema.parse(JSON.parse(readFileSync(path, 'utf8')));
}

// Lakes written before manifests existed: every Parquet file under the table directory is live.
/** Every Parquet file in the table's directory and partition directories (relative, sorted). */
export function listDirectory(tableDir: string): string[] {
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

/** The live files (absolute, sorted) and the committed length of the batch log, read together. */
export interface TableSnapshot {
  files: string[];
  log: number;
  /** Columns every live file has, when known. */
  columns?: string[];
}

/** The table's live files and committed batch-log length as of now. */
export function tableSnapshot(tableDir: string): TableSnapshot {
  const manifest = readManifest(tableDir);
  const files = manifest ? manifest.files : listDirectory(tableDir);
  return {
    files: files.map((f) => join(tableDir, f)).sort(),
    log: manifest?.version === 2 ? manifest.log : 0,
    ...(manifest?.version === 2 && manifest.columns ? { columns: manifest.columns } : {}),
  };
}

/** Absolute paths of a table's live files, sorted. */
export function liveFiles(tableDir: string): string[] {
  return tableSnapshot(tableDir).files;
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

/** Files the manifest retired (absolute) that are still on disk, kept for readers of an earlier list. */
export function retiredFiles(tableDir: string): string[] {
  const manifest = readManifest(tableDir);
  if (!manifest) return [];
  return manifest.retired.map((r) => join(tableDir, r.file)).filter((f) => existsSync(f));
}

/** Changes whenever the table's file list may have changed (cheap: one stat). */
export function manifestVersion(tableDir: string): string {
  const path = join(tableDir, MANIFEST);
  if (!existsSync(path)) return existsSync(tableDir) ? `dir:${listDirectory(tableDir).length}` : 'none';
  const s = statSync(path);
  return `${s.mtimeMs}:${s.size}:${s.ino}`;
}

/** The committed lines of the batch log (raw JSON text), from byte `from` on. */
export function batchLogLines(tableDir: string, from = 0): string[] {
  const { log } = tableSnapshot(tableDir);
  const path = join(tableDir, LOG);
  if (log <= from || !existsSync(path)) return [];
  const fd = openSync(path, 'r');
  try {
    const buffer = Buffer.alloc(log - from);
    let read = 0;
    while (read < buffer.length) {
      const n = readSync(fd, buffer, read, buffer.length - read, from + read);
      if (n === 0) break;
      read += n;
    }
    return buffer
      .subarray(0, read)
      .toString('utf8')
      .split('\n')
      .filter((l) => l.trim() !== '');
  } finally {
    closeSync(fd);
  }
}

/** What a commit makes visible: the new live list and, for a batch or rollback, its log line. */
export interface TableChange {
  files: string[];
  /** Appended to the batch log in the same commit. */
  logEntry?: Record<string, unknown>;
  /** The columns of the files this change adds (a batch's files); merged and rewritten files keep theirs. */
  addedColumns?: readonly string[];
}

/**
 * Replaces the table's file list under the table lock: `change` gets the live files (absolute) and the
 * snapshot they belong to, and returns the new list (with an optional batch-log entry), or null to
 * abandon. Files it drops are retired, then deleted by a later commit. Returns whether it committed.
 * `change` may take its time (it may query DuckDB): other writers wait without blocking a thread.
 */
export async function commitTable(
  tableDir: string,
  change: (current: TableSnapshot) => Promise<TableChange | null> | TableChange | null,
): Promise<boolean> {
  return withTableLock(tableDir, (held) => commitTableHeld(tableDir, held, change));
}

/** commitTable for a caller already holding the table's lock (a derived table refreshed under it). */
export async function commitTableHeld(
  tableDir: string,
  held: HeldLock,
  change: (current: TableSnapshot) => Promise<TableChange | null> | TableChange | null,
): Promise<boolean> {
  {
    const manifest = readManifest(tableDir);
    const current: Manifest = manifest ?? { version: 1, files: listDirectory(tableDir), retired: [] };
    const committedLog = current.version === 2 ? current.log : 0;
    const next = await change({
      files: current.files.map((f) => join(tableDir, f)).sort(),
      log: committedLog,
    });
    if (next === null) return false;
    const nextRelative = [...new Set(next.files.map((f) => relative(tableDir, f)))].sort();
    const kept = new Set(nextRelative);
    const now = Date.now();
    const retired = [
      ...current.retired.filter((r) => !kept.has(r.file)),
      ...current.files.filter((f) => !kept.has(f)).map((file) => ({ file, at: now })),
    ];
    const expired = retired.filter((r) => now - r.at >= RETIRE_MS);
    held.assertHeld();
    const log = appendLog(tableDir, committedLog, next.logEntry);
    const columns = nextColumns(current, next.addedColumns);
    writeManifest(tableDir, held, {
      version: 2,
      files: nextRelative,
      retired: retired.filter((r) => now - r.at < RETIRE_MS),
      log,
      ...(columns ? { columns } : {}),
    });
    for (const r of expired) rmSync(join(tableDir, r.file), { force: true });
    return true;
  }
}

/**
 * Gives a table a manifest before anything is written to it. Without one, every Parquet file in the
 * directory counts as live (lakes written before manifests existed), which would include the files a
 * concurrent writer has written but not committed. Creating it adopts the files already there.
 */
export async function ensureManifest(tableDir: string): Promise<void> {
  if (existsSync(join(tableDir, MANIFEST))) return;
  await commitTable(tableDir, ({ files }) => ({ files }));
}

/**
 * Replaces the file list (see commitTable) with a synchronous change; kept for callers that only
 * swap files (merges).
 */
export function commitFiles(tableDir: string, change: (live: string[]) => string[] | null): Promise<boolean> {
  return commitTable(tableDir, ({ files }) => {
    const next = change(files);
    return next === null ? null : { files: next };
  });
}

// The columns all live files have after a change: an empty table takes the added files' columns; added
// files can only narrow the list; merges and rewrites keep at least their inputs' columns.
function nextColumns(current: Manifest, added: readonly string[] | undefined): string[] | undefined {
  const known = current.files.length === 0 ? null : current.version === 2 ? current.columns : undefined;
  if (known === undefined) return undefined;
  if (!added) return known ?? undefined;
  return known === null ? [...added] : known.filter((c) => added.includes(c));
}

// Cuts what an uncommitted writer left past the committed length, then appends and syncs the entry.
function appendLog(tableDir: string, committed: number, entry: Record<string, unknown> | undefined): number {
  const path = join(tableDir, LOG);
  if (!entry) return committed;
  if (existsSync(path) && statSync(path).size > committed) truncateSync(path, committed);
  const line = Buffer.from(`${JSON.stringify(entry)}\n`);
  const fd = openSync(path, 'a');
  try {
    let written = 0;
    while (written < line.length) written += writeSync(fd, line, written);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  return committed + line.length;
}

/**
 * Writes a manifest in place (synced, then renamed) while holding the table lock. For `shoplake doctor
 * --repair`, which rebuilds a manifest that commitTable cannot read; every other writer uses commitTable.
 */
export function writeManifest(tableDir: string, held: HeldLock, manifest: Manifest): void {
  const tmp = join(tableDir, `${MANIFEST}.${process.pid}.tmp`);
  const fd = openSync(tmp, 'w');
  try {
    writeSync(fd, JSON.stringify(manifest));
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  held.assertHeld();
  renameSync(tmp, join(tableDir, MANIFEST));
}
