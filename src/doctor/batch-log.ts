import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import {
  BATCH_LOG_FILE,
  type BatchEntry,
  batchEntrySchema,
  type RollbackEntry,
  rollbackEntrySchema,
} from '../lake/index.js';

const entrySchema = z.discriminatedUnion('type', [batchEntrySchema, rollbackEntrySchema]);

/** A table's batch log read straight from disk, whatever its manifest says. */
export interface RawLog {
  path: string;
  /** Bytes in the file. */
  size: number;
  /** Entries of the longest prefix made of whole lines that each parse, in order. */
  entries: (BatchEntry | RollbackEntry)[];
  /** Length in bytes of that prefix. */
  validBytes: number;
}

/** Reads the batch log; a missing log reads as empty. */
export function readRawLog(tableDir: string): RawLog {
  const path = join(tableDir, BATCH_LOG_FILE);
  const raw = existsSync(path) ? readFileSync(path) : Buffer.alloc(0);
  const entries: (BatchEntry | RollbackEntry)[] = [];
  let validBytes = 0;
  while (validBytes < raw.length) {
    const end = raw.indexOf(0x0a, validBytes);
    if (end < 0) break;
    const text = raw.subarray(validBytes, end).toString('utf8');
    if (text.trim() !== '') {
      const entry = parseEntry(text);
      if (!entry) break;
      entries.push(entry);
    }
    validBytes = end + 1;
  }
  return { path, size: raw.length, entries, validBytes };
}

/** Entries of the log's first `bytes` bytes, or null when a line in them does not parse. */
export function entriesUpTo(log: RawLog, bytes: number): (BatchEntry | RollbackEntry)[] | null {
  if (bytes > log.validBytes) return null;
  const raw = existsSync(log.path) ? readFileSync(log.path).subarray(0, bytes) : Buffer.alloc(0);
  const out: (BatchEntry | RollbackEntry)[] = [];
  for (const line of raw.toString('utf8').split('\n')) {
    if (line.trim() === '') continue;
    const entry = parseEntry(line);
    if (!entry) return null;
    out.push(entry);
  }
  return out;
}

/** The ids of the batches that are live after these entries (not rolled back, not replaced). */
export function liveBatchIds(entries: readonly (BatchEntry | RollbackEntry)[]): Set<string> {
  const live = new Set<string>();
  for (const e of entries) {
    if (e.type === 'batch') {
      for (const old of e.replaces) live.delete(old);
      live.add(e.id);
    } else live.delete(e.id);
  }
  return live;
}

function parseEntry(text: string): BatchEntry | RollbackEntry | null {
  try {
    const parsed = entrySchema.safeParse(JSON.parse(text));
    return parsed.success ? parsed.data : null;
  } catch {
    return null;
  }
}
