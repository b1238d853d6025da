import { existsSync, lstatSync, readdirSync } from 'node:fs';
import { basename, join } from 'node:path';
import { type DataLayout, stagingEntryOwner } from '../lake/index.js';
import { type Finding, REPAIR } from './findings.js';
import { ORPHAN_AGE_MS } from './inspect-table.js';

/** One entry of `lake/.staging` with its size and the time since anything in it last changed. */
export interface StagingEntry {
  path: string;
  bytes: number;
  ageMs: number;
}

/**
 * Entries of `lake/.staging`: the writers' uncommitted batches, compaction's merges and DuckDB's spill
 * directories. A writer removes its own when it ends; a
 * writer that crashed (killed, out of memory) leaves it behind, and nothing else ever does.
 */
export function stagingEntries(layout: DataLayout, now = Date.now()): StagingEntry[] {
  if (!existsSync(layout.staging)) return [];
  return readdirSync(layout.staging)
    .sort()
    .map((name) => {
      const path = join(layout.staging, name);
      const { bytes, newest } = treeStats(path);
      return { path, bytes, ageMs: now - newest };
    });
}

/**
 * Staging entries untouched for an hour or more: a crashed writer's. Younger ones may belong to a writer
 * running now (a 10M-order build-lake writes into one for minutes), so they are left out, as unlisted
 * lake files are; so is an entry whose name gives a process that still runs (a collector's compaction
 * process keeps its spill directory for days, and moving it away would break its next spill).
 */
export function inspectStaging(layout: DataLayout, now = Date.now()): Finding[] {
  return stagingEntries(layout, now)
    .filter((e) => e.ageMs >= ORPHAN_AGE_MS && !ownerRuns(basename(e.path)))
    .map((e) => ({
      severity: 'warning' as const,
      code: 'staging_leftover',
      table: null,
      path: e.path,
      message: `${e.path} (${e.bytes} bytes), left in the lake's staging area by a writer that did not finish ${Math.floor(e.ageMs / 3_600_000)} h ago; it holds no committed row and readers never see it`,
      action: `${REPAIR}: moves it to <data>/damaged/ (delete it there to free the space; what it held is still in its input or the WAL)`,
    }));
}

// Whether the process a staging entry's name gives still runs (signal 0 only checks; EPERM means it runs
// under another user). A reused pid keeps a leftover from being reported, never the other way round.
function ownerRuns(name: string): boolean {
  const pid = stagingEntryOwner(name);
  if (pid === null) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

// Size and newest modification time of a file or directory tree. Walked by hand: fs has no du.
function treeStats(path: string): { bytes: number; newest: number } {
  const st = lstatSync(path);
  let bytes = st.isFile() ? st.size : 0;
  let newest = st.mtimeMs;
  if (st.isDirectory()) {
    for (const name of readdirSync(path)) {
      const sub = treeStats(join(path, name));
      bytes += sub.bytes;
      newest = Math.max(newest, sub.newest);
    }
  }
  return { bytes, newest };
}
