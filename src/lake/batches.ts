import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { z } from 'zod';
import { type DataLayout, tableDirectory } from './layout.js';
import { batchLogLines } from './manifest.js';
import { TABLE_NAMES, type TableName } from './tables.js';

/**
 * A new batch id: 'b' + UTC time to the millisecond + 6 random hex digits. Ids sort by time, so that
 * Parquet min/max statistics of the `_batch` column let a rollback skip the row groups of other batches.
 */
export function newBatchId(now = new Date()): string {
  const stamp = now.toISOString().replace(/[-:]/g, '').replace('.', '').replace('Z', '');
  return `b${stamp}-${randomUUID().replaceAll('-', '').slice(0, 6)}`;
}

/** How a batch came in. */
export const BATCH_KINDS = ['ingest', 'build-lake', 'collector', 'derived', 'fraud'] as const;

/** The log line of a committed batch. */
export const batchEntrySchema = z.object({
  type: z.literal('batch'),
  id: z.string(),
  table: z.enum(TABLE_NAMES),
  kind: z.enum(BATCH_KINDS),
  /** The file or directory read (absolute path). */
  source: z.string(),
  /** First 16 hex digits of sha256 over the mapping as JSON; null without a mapping. */
  mapping: z.string().nullable(),
  at: z.string(),
  read: z.number(),
  loaded: z.number(),
  duplicate: z.number(),
  quarantined: z.number(),
  /** The files the batch wrote (relative to the table directory); later merges may move its rows. */
  files: z.array(z.string()),
  /** Batches this one replaced (ingest --replace), removed in the same commit. */
  replaces: z.array(z.string()),
  quarantineFile: z.string().nullable(),
  duplicatesFile: z.string().nullable(),
  /** Size and modification time of each file read, so that an unchanged input can be recognised. */
  inputs: z.array(z.object({ path: z.string(), bytes: z.number(), modifiedMs: z.number() })).optional(),
  /** A derived table's batch: the committed length of its source table's batch log it reflects. */
  sourceLog: z.number().int().nonnegative().optional(),
  /** The sessions table's batch: the committed length of orders' batch log it reflects. */
  ordersLog: z.number().int().nonnegative().optional(),
  /**
   * The sessions table's batch: the committed length of experiments' batch log it reflects (absent in
   * batches written before sessions carried assignments: such a table is recomputed by the next load).
   */
  experimentsLog: z.number().int().nonnegative().optional(),
});
export type BatchEntry = z.infer<typeof batchEntrySchema>;

/** The log line of a rollback. */
export const rollbackEntrySchema = z.object({
  type: z.literal('rollback'),
  id: z.string(),
  at: z.string(),
  rows: z.number(),
});
export type RollbackEntry = z.infer<typeof rollbackEntrySchema>;

const entrySchema = z.discriminatedUnion('type', [batchEntrySchema, rollbackEntrySchema]);

/** A batch as `shoplake batches` lists it. */
export interface BatchInfo extends BatchEntry {
  /** live, rolled back, or replaced (by the batch in `replacedBy`). */
  state: 'live' | 'rolled back' | 'replaced';
  replacedBy: string | null;
}

/** The committed entries of a table's batch log from byte `from` on (as committed at the time of reading). */
export function batchLogEntries(tableDir: string, from = 0): (BatchEntry | RollbackEntry)[] {
  return batchLogLines(tableDir, from).map((line) => entrySchema.parse(JSON.parse(line)));
}

/** Every batch of the table, oldest first, with its state. */
export function tableBatches(layout: DataLayout, table: TableName): BatchInfo[] {
  const entries = batchLogEntries(tableDirectory(layout, table));
  const batches = new Map<string, BatchInfo>();
  for (const e of entries) {
    if (e.type === 'batch') {
      for (const old of e.replaces) {
        const b = batches.get(old);
        if (b) Object.assign(b, { state: 'replaced', replacedBy: e.id });
      }
      batches.set(e.id, { ...e, state: 'live', replacedBy: null });
    } else {
      const b = batches.get(e.id);
      if (b) b.state = 'rolled back';
    }
  }
  return [...batches.values()];
}

/** The table holding batch `id`, or null when no table's log has it. */
export function findBatch(layout: DataLayout, id: string): BatchInfo | null {
  for (const table of TABLE_NAMES) {
    if (!batchLogLines(join(layout.lake, table)).some((l) => l.includes(id))) continue;
    const found = tableBatches(layout, table).find((b) => b.id === id);
    if (found) return found;
  }
  return null;
}
