import { statSync } from 'node:fs';
import { sep } from 'node:path';
import type { DuckDbSession } from '../../duckdb/index.js';
import { lakeParquetSql } from '../parquet-sql.js';

/**
 * A session id's key in the index: the top 53 bits of DuckDB's 64-bit `hash`, which a JS number holds
 * exactly. Two ids sharing a key (about one pair in 10^5 at 11M sessions) only make the refresh look
 * in one file more; which rows match is always decided by the ids themselves.
 */
export function idKeySql(column: string): string {
  return `CAST(hash(${column}) >> 11 AS DOUBLE)`;
}

interface FileKeys {
  bytes: number;
  modifiedMs: number;
  /** The keys of every session_id in the file, ascending. */
  keys: Float64Array;
}

// Every sessions file's id keys read so far in this process, by path. A lake file never changes once
// written (a change writes new files and retires old ones through the manifest), so an entry is right
// for as long as its file is live, whoever committed it: a long-lived process (the collector's
// compaction process) reads each file's keys once. Size and modification time guard against a path
// written again. Entries of files no longer live are dropped at each use. At 11.1M sessions: 89 MB.
const byFile = new Map<string, FileKeys>();

/** Which live sessions files may hold a session id, from the per-process index of their id keys. */
export interface SessionIdIndex {
  /** The files whose keys include `key` (a key from idKeySql); empty for an id new to the table. */
  filesOf(key: number): string[];
  /**
   * For many keys at once (a batch's touched ids): whether each is held by some file, and the files
   * holding any of them. One walk over each file's keys instead of a search per key and file.
   */
  filesOfKeys(keys: readonly number[]): { held: boolean[]; files: Set<string> };
  /** Files whose keys were read by this call (not held from before). */
  loaded: number;
}

/**
 * The index of `files`, the sessions table's live files (under `dir`): reads the keys of those not
 * held yet (all of them after a restart or a full recomputation; the few a refresh wrote otherwise),
 * and forgets files under `dir` that are no longer live.
 */
export async function sessionIdIndex(
  db: DuckDbSession,
  dir: string,
  files: readonly string[],
): Promise<SessionIdIndex> {
  const live = new Set(files);
  const prefix = dir.endsWith(sep) ? dir : `${dir}${sep}`;
  for (const path of byFile.keys()) if (path.startsWith(prefix) && !live.has(path)) byFile.delete(path);
  const held: [string, Float64Array][] = [];
  let loaded = 0;
  for (const file of files) {
    const st = statSync(file);
    let entry = byFile.get(file);
    if (!entry || entry.bytes !== st.size || entry.modifiedMs !== st.mtimeMs) {
      const keys = await db.numbers(`SELECT ${idKeySql('session_id')} FROM ${lakeParquetSql(file)}`);
      keys.sort();
      entry = { bytes: st.size, modifiedMs: st.mtimeMs, keys };
      byFile.set(file, entry);
      loaded++;
    }
    held.push([file, entry.keys]);
  }
  return {
    loaded,
    filesOf: (key) => held.filter(([, keys]) => holds(keys, key)).map(([file]) => file),
    filesOfKeys: (keys) => lookUpMany(held, keys),
  };
}

// At 40,000 events a batch touches ~7,000 ids; with ~200 files (an hour's refreshes) a binary search per id
// and file was ~55 ms of Node CPU a batch (2026-11-26). Here the keys are sorted once, and each file is
// walked alongside them (both ascending), or searched per key when it is much larger than the batch.
function lookUpMany(
  held: readonly [string, Float64Array][],
  keys: readonly number[],
): { held: boolean[]; files: Set<string> } {
  const order = Array.from(keys.keys()).sort((a, b) => (keys[a] ?? 0) - (keys[b] ?? 0));
  const sorted = Float64Array.from(order, (i) => keys[i] ?? Number.NaN);
  const found = new Uint8Array(sorted.length);
  const files = new Set<string>();
  for (const [file, fileKeys] of held) {
    let hit = false;
    if (fileKeys.length > 8 * sorted.length) {
      for (let q = 0; q < sorted.length; q++)
        if (holds(fileKeys, sorted[q] ?? Number.NaN)) {
          found[q] = 1;
          hit = true;
        }
    } else {
      let f = 0;
      for (let q = 0; q < sorted.length; q++) {
        const k = sorted[q] ?? Number.NaN;
        while (f < fileKeys.length && (fileKeys[f] ?? 0) < k) f++;
        if (f === fileKeys.length) break;
        if (fileKeys[f] === k) {
          found[q] = 1;
          hit = true;
        }
      }
    }
    if (hit) files.add(file);
  }
  const heldOut = new Array<boolean>(keys.length).fill(false);
  for (let q = 0; q < order.length; q++) if (found[q]) heldOut[order[q] ?? 0] = true;
  return { held: heldOut, files };
}

/**
 * Records the keys of `kept`, a copy of `from` without some of its rows (a refresh's rewrite), as
 * `from`'s keys less one occurrence of each key in `removed` (one per distinct session id taken out), so
 * that the next refresh need not read the copy (at 10M orders each batch rewrites hour files of tens of
 * thousands of sessions). Keeping a key too many is harmless (an id would be looked up in one file more);
 * one too few is not, so nothing is removed beyond the ids taken out. Nothing is recorded when `from`'s
 * keys are not held (the next refresh reads the copy).
 */
export function noteKeptFile(kept: string, from: string, removed: readonly number[]): void {
  const entry = byFile.get(from);
  if (!entry) return;
  const drop = Float64Array.from(removed).sort();
  const keys = new Float64Array(entry.keys.length);
  let n = 0;
  let d = 0;
  for (const k of entry.keys) {
    while (d < drop.length && (drop[d] ?? 0) < k) d++;
    if (d < drop.length && drop[d] === k) {
      d++;
      continue;
    }
    keys[n++] = k;
  }
  const st = statSync(kept);
  byFile.set(kept, { bytes: st.size, modifiedMs: st.mtimeMs, keys: keys.slice(0, n) });
}

/** Forgets every file's keys (tests: a process started afresh). */
export function forgetSessionIdIndex(): void {
  byFile.clear();
}

// Binary search in ascending keys.
function holds(keys: Float64Array, key: number): boolean {
  let lo = 0;
  let hi = keys.length - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >>> 1;
    const k = keys[mid] ?? Number.NaN;
    if (k === key) return true;
    if (k < key) lo = mid + 1;
    else hi = mid - 1;
  }
  return false;
}
