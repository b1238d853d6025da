import { DuckDbSession, sqlIdent } from '../duckdb/index.js';
import {
  dataLayout,
  filesByPartition,
  keysOfFilesSql,
  TABLES,
  tableBytes,
  tableFiles,
  tableSelectSql,
} from '../lake/index.js';
import type { KeySet } from './key-set.js';
import type { CollectorMetrics } from './metrics.js';
import { COLLECTED_TABLES, type CollectedTable } from './records.js';

/**
 * Loads the newest keys of the lake into the key sets (so keys already stored answer "duplicate" at
 * once) and seeds the lake metrics. Runs before the server takes traffic, so it may use every core and
 * stat every live file.
 */
export async function loadLakeState(
  dataDir: string,
  keysByTable: Map<CollectedTable, KeySet>,
  capacity: number,
  metrics: CollectorMetrics,
): Promise<void> {
  const layout = dataLayout(dataDir);
  const db = await DuckDbSession.open();
  try {
    for (const table of COLLECTED_TABLES) {
      const spec = TABLES[table];
      await loadTableKeys(db, dataDir, table, keysByTable.get(table) as KeySet, capacity);
      const [count] = await db.all(`SELECT count(*) AS n FROM (${tableSelectSql(layout, spec)})`);
      metrics.lakeRows.set({ table }, Number(count?.n ?? 0));
    }
  } finally {
    db.close();
  }
  // Later the compaction process measures it, off the request path.
  for (const table of COLLECTED_TABLES) metrics.lakeBytes.set({ table }, tableBytes(layout, TABLES[table]));
}

/**
 * Adds the newest keys of one lake table to `keys`, oldest first: retries are for records sent moments
 * ago, so whole date partitions are read newest first until the set is full (reading only those files,
 * not sorting the whole table).
 */
export async function loadTableKeys(
  db: DuckDbSession,
  dataDir: string,
  table: CollectedTable,
  keys: KeySet,
  capacity: number,
): Promise<void> {
  const spec = TABLES[table];
  const cols = spec.key.map(sqlIdent).join(` || '|' || `);
  const byPartition = filesByPartition(tableFiles(dataLayout(dataDir), spec));
  const partitions = [...byPartition.keys()].sort().reverse();
  const batches: string[][] = [];
  let room = capacity;
  for (const partition of partitions) {
    if (room <= 0) break;
    const batch = await db.column(
      `SELECT ${cols} AS k FROM (${keysOfFilesSql(spec, byPartition.get(partition) ?? [])}) LIMIT ${room}`,
    );
    batches.push(batch);
    room -= batch.length;
  }
  // Oldest first, so that the key set's generations drop the oldest when it fills.
  for (const batch of batches.reverse()) for (const k of batch) keys.add(k);
}
