import { statSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import type { BatchEntry, RollbackEntry } from '../lake/index.js';
import { liveBatchIds } from './batch-log.js';
import type { TableInspection } from './inspect-table.js';
import type { ParquetCheck } from './parquet-file.js';

type Readable = Extract<ParquetCheck, { ok: true }>;

/** The live files a rebuilt manifest lists, and why the other readable files stay out. */
export interface RebuiltList {
  /** Relative to the table directory, sorted. */
  files: string[];
  /** Columns every chosen file has. */
  columns: string[];
  /** Readable files left out (absolute) with the reason. */
  left: { file: string; reason: string }[];
}

/**
 * Decides which files on disk are live when the manifest is gone: a file is live if it is readable and
 * every batch it holds is live in the committed batch log (an uncommitted writer's batch, a rolled-back
 * batch, or the file a rollback rewrote, hold a batch that is not). Files of one partition that hold the
 * same batch are copies of the same rows (a merge's inputs, retired but still on disk, and the merged
 * file; or an older merge): the newest is kept, unless both are files that batch wrote itself. Files
 * without a batch column predate batches and are all kept, as before manifests existed.
 */
export function rebuildFileList(
  inspection: TableInspection,
  checks: ReadonlyMap<string, Readable>,
  entries: readonly (BatchEntry | RollbackEntry)[],
): RebuiltList {
  const live = liveBatchIds(entries);
  const written = new Map<string, Set<string>>();
  for (const e of entries) if (e.type === 'batch') written.set(e.id, new Set(e.files));
  const left: RebuiltList['left'] = [];
  const candidates: { file: string; rel: string; batches: string[]; mtime: number }[] = [];
  for (const [file, check] of checks) {
    const rel = relative(inspection.dir, file);
    const batches = check.batches.filter((b): b is string => b !== null);
    const dead = batches.filter((b) => !live.has(b));
    if (dead.length > 0) {
      left.push({ file, reason: `holds rows of batch ${dead[0]}, which is not live in the batch log` });
      continue;
    }
    candidates.push({ file, rel, batches, mtime: statSync(file).mtimeMs });
  }
  // Newest first within each partition directory.
  candidates.sort((a, b) => b.mtime - a.mtime || b.rel.localeCompare(a.rel));
  const taken = new Map<string, Map<string, string>>();
  const chosen: string[] = [];
  for (const c of candidates) {
    const partition = dirname(c.rel);
    const seen = taken.get(partition) ?? new Map<string, string>();
    taken.set(partition, seen);
    const clash = c.batches.find((b) => {
      const other = seen.get(b);
      if (other === undefined) return false;
      const own = written.get(b);
      return !(own?.has(other) && own.has(c.rel));
    });
    if (clash !== undefined) {
      left.push({ file: c.file, reason: `its rows of batch ${clash} are in the newer ${seen.get(clash)}` });
      continue;
    }
    for (const b of c.batches) seen.set(b, c.rel);
    chosen.push(c.rel);
  }
  const columnSets = chosen.map((rel) => checks.get(join(inspection.dir, rel))?.columns ?? []);
  const columns =
    columnSets.length === 0 ? [] : columnSets.reduce((acc, cols) => acc.filter((c) => cols.includes(c)));
  return { files: chosen.sort(), columns, left };
}
