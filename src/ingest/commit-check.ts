import type { DuckDbSession } from '../duckdb/index.js';
import { batchLogEntries, type TableSnapshot, type TableSpec } from '../lake/index.js';
import { markLakeDuplicates } from './dedup.js';
import { ownKeysInLake } from './direct.js';
import { CarefulReadNeeded } from './sources.js';

/** Another writer rolled back or replaced a batch after the duplicate check: the check starts over. */
export class ConcurrentChange extends Error {}

/**
 * The second half of the duplicate check, run under the table lock right before the commit: the
 * batch's rows are checked against the files other writers committed since the first check (another
 * ingest of the same file, a collector compaction). Merged files hold rows that were already checked,
 * so checking them again only costs time. Returns how many rows turned out to be duplicates now.
 */
export async function recheckUnderLock(
  db: DuckDbSession,
  o: {
    tableDir: string;
    spec: TableSpec;
    snapshot: TableSnapshot;
    current: TableSnapshot;
    replaces: readonly string[];
    careful: boolean;
    /** The batch was written directly (direct.ts): no `checked` table, its files hold its rows. */
    direct: boolean;
    /** The batch's own files (a table without a manifest yet lists every file in its directory). */
    own: readonly string[];
  },
): Promise<{ newDuplicates: number }> {
  // Rows taken out since the first check may have been what some of ours duplicated.
  const since = o.current.log > o.snapshot.log ? batchLogEntries(o.tableDir, o.snapshot.log) : [];
  if (since.some((e) => e.type === 'rollback' || e.replaces.length > 0))
    throw new ConcurrentChange('a batch was rolled back or replaced meanwhile');
  const before = new Set([...o.snapshot.files, ...o.own]);
  const added = o.current.files.filter((f) => !before.has(f));
  if (added.length === 0) return { newDuplicates: 0 };
  if (o.direct) {
    if (await ownKeysInLake(db, o.spec, o.own, added, o.replaces))
      throw new CarefulReadNeeded('rows committed meanwhile');
    return { newDuplicates: 0 };
  }
  const newDuplicates = await markLakeDuplicates(db, o.spec, { files: added, timeFilter: null }, o.replaces);
  // Their duplicates records need line numbers: start over with a careful read.
  if (newDuplicates > 0 && !o.careful) throw new CarefulReadNeeded('rows committed meanwhile');
  return { newDuplicates };
}
