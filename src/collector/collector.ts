import { join } from 'node:path';
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
import { type CompactionReport, Compactor } from './compactor.js';
import type { CollectorConfig } from './config.js';
import { CollectorError } from './errors.js';
import { KeySet } from './key-set.js';
import { CollectorMetrics } from './metrics.js';
import type { ParsedBody } from './parse.js';
import { Quarantine } from './quarantine.js';
import { COLLECTED_TABLES, type CollectedTable, RecordValidator, type Rejection } from './records.js';
import { Wal } from './wal.js';

type RecordCounters = Record<'accepted' | 'duplicate' | 'rejected', { inc(n: number): void }>;

/** The answer to one write: counts, and the reason for each rejected record. */
export interface CollectResult {
  accepted: number;
  duplicate: number;
  rejected: number;
  errors: Rejection[];
}

/**
 * The collector without HTTP: validates records, answers duplicates, appends new ones to the WAL
 * (resolving only after fsync) and keeps the compactor moving them into the lake.
 */
export class Collector {
  readonly metrics = new CollectorMetrics();
  private readonly validators = new Map<CollectedTable, RecordValidator>();
  private readonly keys = new Map<CollectedTable, KeySet>();
  private readonly wals = new Map<CollectedTable, Wal>();
  private readonly compactor: Compactor;
  private readonly quarantine: Quarantine;
  private readonly counts = new Map<CollectedTable, RecordCounters>();
  private inFlight = 0;
  private draining = false;

  private constructor(
    readonly dataDir: string,
    readonly config: CollectorConfig,
  ) {
    const layout = dataLayout(dataDir);
    for (const table of COLLECTED_TABLES) {
      this.validators.set(table, new RecordValidator(TABLES[table]));
      this.keys.set(table, new KeySet(config.dedupKeys));
      const counter = (outcome: string) => this.metrics.records.labels(table, outcome);
      this.counts.set(table, {
        accepted: counter('accepted'),
        duplicate: counter('duplicate'),
        rejected: counter('rejected'),
      });
      const wal = new Wal(join(layout.root, 'wal', table));
      wal.onCommit = (seconds, appends) => {
        this.metrics.fsync.observe(seconds);
        this.metrics.groupSize.observe(appends);
      };
      this.wals.set(table, wal);
    }
    this.compactor = new Compactor(dataDir, this.wals, this.metrics);
    this.quarantine = new Quarantine(join(layout.quarantine, 'collector'));
  }

  /** Opens the WAL, compacts what a previous run left, learns the stored keys, starts compacting. */
  static async open(dataDir: string, config: CollectorConfig, log: (line: string) => void = () => {}) {
    const c = new Collector(dataDir, config);
    c.compactor.onError = (err) => log(`compaction failed, will retry: ${(err as Error).message}`);
    await c.compactor.compactNow();
    await c.loadLakeState();
    c.compactor.start(config.compactIntervalMs);
    return c;
  }

  /** Called after each segment reaches the lake. */
  set onCompaction(fn: (r: CompactionReport) => void) {
    this.compactor.onReport = (r) => {
      this.updateLakeBytes();
      fn(r);
    };
  }

  /** Ready to take writes: not draining and compaction keeping up. */
  get ready(): boolean {
    return !this.draining && this.compactor.pendingBytes <= this.config.maxPendingBytes;
  }

  /** Refuses a write before its body is read when the server cannot take it now (503). */
  admit(): void {
    if (this.draining)
      throw new CollectorError('shutting down: retry on another instance or later', {
        code: 'draining',
        status: 503,
        retryAfter: 5,
      });
    if (this.compactor.pendingBytes > this.config.maxPendingBytes) {
      throw new CollectorError('compaction is behind: retry later', {
        code: 'backpressure',
        status: 503,
        retryAfter: Math.ceil(this.config.compactIntervalMs / 1000),
      });
    }
    if (this.inFlight >= this.config.maxInFlight) {
      throw new CollectorError('too many requests in flight: retry later', {
        code: 'overloaded',
        status: 503,
        retryAfter: 1,
      });
    }
  }

  /** Validates, deduplicates and durably stores the records of one request. */
  async collect(table: CollectedTable, body: ParsedBody): Promise<CollectResult> {
    this.inFlight++;
    try {
      return await this.store(table, body);
    } finally {
      this.inFlight--;
    }
  }

  private async store(table: CollectedTable, body: ParsedBody): Promise<CollectResult> {
    const validator = this.validators.get(table) as RecordValidator;
    const keys = this.keys.get(table) as KeySet;
    const errors = [...body.unparsable];
    const reserved: string[] = [];
    let lines = '';
    let duplicate = 0;
    for (const { index, value } of body.items) {
      const result = validator.validate(value, index);
      if ('rejections' in result) {
        errors.push(...result.rejections);
        continue;
      }
      const key = validator.key(result.record);
      if (keys.has(key)) {
        duplicate++;
        continue;
      }
      // Reserved before the fsync so a concurrent request with the same key counts as a duplicate.
      keys.add(key);
      reserved.push(key);
      lines += `${JSON.stringify(result.record)}\n`;
    }
    if (lines) {
      try {
        await this.wals.get(table)?.append(lines);
      } catch (err) {
        for (const key of reserved) keys.delete(key);
        throw err;
      }
      this.compactor.added(Buffer.byteLength(lines));
    }
    let rejected = 0;
    if (errors.length) {
      errors.sort((a, b) => a.index - b.index);
      rejected = new Set(errors.map((e) => e.index)).size;
      this.quarantine.keep(table, errors, new Map(body.items.map((i) => [i.index, i.value])));
    }
    // Counted once per request, not per record (a labelled inc costs a label lookup).
    const counts = this.counts.get(table) as RecordCounters;
    if (reserved.length) counts.accepted.inc(reserved.length);
    if (duplicate) counts.duplicate.inc(duplicate);
    if (rejected) counts.rejected.inc(rejected);
    return { accepted: reserved.length, duplicate, rejected, errors };
  }

  /** Compacts now (tests, shutdown); resolves when the WAL is empty. */
  compactNow(): Promise<void> {
    return this.compactor.compactNow();
  }

  /** Stops taking writes, compacts everything, and flushes the quarantine. */
  async close(): Promise<void> {
    this.draining = true;
    await this.compactor.stop();
    await this.quarantine.flushed();
  }

  // Keys already in the lake answer "duplicate" at once; rows and bytes seed the lake metrics.
  private async loadLakeState(): Promise<void> {
    const layout = dataLayout(this.dataDir);
    // Runs before the server takes traffic, so it may use every core.
    const db = await DuckDbSession.open();
    try {
      for (const table of COLLECTED_TABLES) {
        const spec = TABLES[table];
        const cols = spec.key.map(sqlIdent).join(` || '|' || `);
        const keys = this.keys.get(table) as KeySet;
        // The newest keys, since retries are for records sent moments ago: whole date partitions, newest
        // first, until the set is full (reading only those files, not sorting the whole table).
        const byPartition = filesByPartition(tableFiles(layout, spec));
        const partitions = [...byPartition.keys()].sort().reverse();
        const batches: string[][] = [];
        let room = this.config.dedupKeys;
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
        const [count] = await db.all(`SELECT count(*) AS n FROM (${tableSelectSql(layout, spec)})`);
        this.metrics.lakeRows.set({ table }, Number(count?.n ?? 0));
      }
    } finally {
      db.close();
    }
    this.updateLakeBytes();
  }

  private updateLakeBytes(): void {
    const layout = dataLayout(this.dataDir);
    for (const table of COLLECTED_TABLES) {
      const bytes = tableBytes(layout, TABLES[table]);
      this.metrics.lakeBytes.set({ table }, bytes);
    }
  }
}
