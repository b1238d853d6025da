import { closeSync, existsSync, openSync, readSync, rmSync, truncateSync } from 'node:fs';
import { join, relative } from 'node:path';
import type { DuckDbSession } from '../duckdb/index.js';
import {
  type DataLayout,
  type Manifest,
  TABLES,
  type TableName,
  withTableLock,
  writeManifest,
} from '../lake/index.js';
import { entriesUpTo, type RawLog } from './batch-log.js';
import type { RepairAction } from './findings.js';
import { inspectTable, ORPHAN_AGE_MS, type TableInspection } from './inspect-table.js';
import { checkParquetFile, type ParquetCheck } from './parquet-file.js';
import { rebuildFileList } from './rebuild.js';
import { keepAside, moveAside } from './set-aside.js';

type Readable = Extract<ParquetCheck, { ok: true }>;

/**
 * Brings one table back to a consistent state from what is on disk, holding the table lock (so a
 * running collector or ingest commits before or after, never in between). Nothing is deleted but
 * retired files past their time: unreadable files, old uncommitted files and cut log bytes go to
 * <data>/damaged/. Returns what it did.
 */
export async function repairTable(
  db: DuckDbSession,
  layout: DataLayout,
  table: TableName,
): Promise<RepairAction[]> {
  const dir = join(layout.lake, table);
  if (!existsSync(dir)) return [];
  return withTableLock(dir, async (held) => {
    const found = await inspectTable(db, layout.lake, table);
    const actions: RepairAction[] = [];
    const did = (text: string, path: string | null) => actions.push({ table, did: text, path });
    const next =
      found.manifest.state === 'ok'
        ? await mendManifest(layout, found, found.manifest.value, did)
        : await rebuildManifest(db, layout, found, did);
    if (next) {
      held.assertHeld();
      writeManifest(dir, held, next);
      did(`wrote ${join(dir, '_manifest.json')} listing ${next.files.length} live file(s)`, null);
    }
    return actions;
  });
}

type Did = (text: string, path: string | null) => void;

// A readable manifest: drop what is gone or unreadable, cut an uncommitted log tail, tidy old files.
async function mendManifest(
  layout: DataLayout,
  found: TableInspection,
  manifest: Manifest,
  did: Did,
): Promise<Manifest | null> {
  let changed = false;
  const keep = new Set(manifest.files);
  for (const { file, check } of found.listed) {
    const rel = relative(found.dir, file);
    if (check === null) {
      keep.delete(rel);
      changed = true;
      did(`dropped ${rel} from the manifest: the file is not on disk`, file);
    } else if (!check.ok) {
      keep.delete(rel);
      changed = true;
      did(
        `moved ${rel} (${check.problem}) to ${moveAside(layout, file)} and dropped it from the manifest`,
        file,
      );
    }
  }
  const committed = manifest.version === 2 ? manifest.log : 0;
  let log = committed;
  if (manifest.version === 2) {
    // The committed part must be whole entries: keep the readable ones when it is not.
    if (committed > found.log.validBytes) {
      log = found.log.validBytes;
      changed = true;
    }
    if (found.log.size > log) cutLog(layout, found.log, log, did);
  }
  for (const { file, ageMs } of found.orphans) {
    if (ageMs < ORPHAN_AGE_MS) continue;
    did(`moved ${relative(found.dir, file)}, which no manifest lists, to ${moveAside(layout, file)}`, file);
  }
  const expired = new Set(found.expiredRetired.map((f) => relative(found.dir, f)));
  for (const file of found.expiredRetired) {
    rmSync(file, { force: true });
    did(`deleted ${relative(found.dir, file)}, retired more than ten minutes ago`, file);
  }
  if (!changed && expired.size === 0) return null;
  return {
    version: 2,
    files: [...keep].sort(),
    retired: manifest.retired.filter((r) => !expired.has(r.file)),
    log,
    ...(manifest.version === 2 && manifest.columns ? { columns: manifest.columns } : {}),
  };
}

// No usable manifest: the batch log's readable entries say which batches are live, the files say the rest.
async function rebuildManifest(
  db: DuckDbSession,
  layout: DataLayout,
  found: TableInspection,
  did: Did,
): Promise<Manifest | null> {
  if (found.manifest.state === 'missing' && found.log.size === 0) return null;
  const entries = entriesUpTo(found.log, found.log.validBytes) ?? [];
  if (found.log.size > found.log.validBytes) cutLog(layout, found.log, found.log.validBytes, did);
  const readable = new Map<string, Readable>();
  for (const { file } of found.orphans) {
    const check = await checkParquetFile(db, TABLES[found.table], file);
    if (check.ok) readable.set(file, check);
    else did(`moved ${relative(found.dir, file)} (${check.problem}) to ${moveAside(layout, file)}`, file);
  }
  const list = rebuildFileList(found, readable, entries);
  for (const { file, reason } of list.left) {
    did(`left ${relative(found.dir, file)} out of the manifest: ${reason}`, file);
  }
  return { version: 2, files: list.files, retired: [], log: found.log.validBytes, columns: list.columns };
}

// Keeps the bytes past `length` under <data>/damaged/, then cuts them off the log.
function cutLog(layout: DataLayout, log: RawLog, length: number, did: Did): void {
  const tail = Buffer.alloc(log.size - length);
  const fd = openSync(log.path, 'r');
  try {
    readSync(fd, tail, 0, tail.length, length);
  } finally {
    closeSync(fd);
  }
  const kept = keepAside(layout, log.path, tail);
  truncateSync(log.path, length);
  did(`cut ${tail.length} uncommitted or unreadable byte(s) off the batch log (kept in ${kept})`, log.path);
}
