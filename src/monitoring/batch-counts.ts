import {
  batchLogEntries,
  type DataLayout,
  TABLE_NAMES,
  type TableName,
  tableDirectory,
  tableSnapshot,
} from '../lake/index.js';
import { SOURCE_OF_KIND } from './labels.js';
import type { MonitoringMetrics } from './metrics.js';

const OUTCOMES = ['loaded', 'duplicate', 'quarantined'] as const;

/**
 * Turns the tables' batch logs into the ingest counters: each committed batch adds its loaded, duplicate
 * and quarantined rows once, whichever process committed it. Logs are read from where the last read
 * stopped; a batch read twice (committed while the log was being read) is recognised by its id.
 */
export class BatchCounts {
  private readonly offsets = new Map<TableName, number>();
  private readonly lastIds = new Map<TableName, Set<string>>();

  constructor(
    private readonly layout: DataLayout,
    private readonly metrics: MonitoringMetrics,
  ) {
    // Every series exists from the start (at 0), so rates over them are 0 rather than absent.
    for (const table of TABLE_NAMES)
      for (const source of Object.values(SOURCE_OF_KIND))
        for (const outcome of OUTCOMES) metrics.ingestRows.inc({ table, source, outcome }, 0);
  }

  /** Counts the batches committed since the last call. */
  update(): void {
    for (const table of TABLE_NAMES) {
      const dir = tableDirectory(this.layout, table);
      const committed = tableSnapshot(dir).log;
      const from = this.offsets.get(table) ?? 0;
      // A log that got shorter (a repair) is not counted again: counters never count a batch twice.
      if (committed < from) this.offsets.set(table, committed);
      if (committed <= from) continue;
      const seen = this.lastIds.get(table) ?? new Set<string>();
      const ids = new Set<string>();
      for (const entry of batchLogEntries(dir, from)) {
        if (entry.type !== 'batch') continue;
        ids.add(entry.id);
        if (seen.has(entry.id)) continue;
        // A derived table's batch (sessions rebuilt from clickstream) or the fraud model's scores ingest
        // nothing from outside: the source tables' batches did.
        if (entry.kind === 'derived' || entry.kind === 'fraud') continue;
        const source = SOURCE_OF_KIND[entry.kind];
        for (const outcome of OUTCOMES) {
          if (entry[outcome] > 0) this.metrics.ingestRows.inc({ table, source, outcome }, entry[outcome]);
        }
        const at = Date.parse(entry.at) / 1000;
        if (Number.isFinite(at)) this.metrics.lastBatch.set({ table, source }, at);
      }
      this.offsets.set(table, committed);
      this.lastIds.set(table, ids);
    }
  }
}
