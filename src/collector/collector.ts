import { join } from 'node:path';
import { dataLayout, prepareLakeEncryption, TABLES } from '../lake/index.js';
import { type Backlog, type CompactionReport, Compactor, type SegmentSource } from './compactor.js';
import type { CollectorConfig } from './config.js';
import { CollectorError } from './errors.js';
import { SCORE_KEYS } from './fraud-keys.js';
import { KeySet } from './key-set.js';
import { loadLakeState } from './lake-state.js';
import { CollectorMetrics } from './metrics.js';
import type { ParsedBody } from './parse.js';
import { Quarantine } from './quarantine.js';
import { quarantinedKeys } from './quarantined-keys.js';
import { COLLECTED_TABLES, type CollectedTable, RecordValidator, type Rejection } from './records.js';
import { RemovedKeys } from './removed-keys.js';
import type { CollectedRecord } from './schema.js';
import { Wal, WalWriteError, walDirectory } from './wal.js';
import { storageRefusal, WalHealth } from './wal-health.js';

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
  /** The reasons of each table's row checks, to tell a row-check refusal from a field refusal. */
  private readonly rowCheckReasons = new Map<CollectedTable, Set<string>>();
  private readonly keys = new Map<CollectedTable, KeySet>();
  private readonly wals = new Map<CollectedTable, Wal>();
  /** Keys whose WAL append is still in flight, with that append. */
  private readonly pendingKeys = new Map<CollectedTable, Map<string, Promise<void>>>();
  private readonly compactor: Compactor;
  private readonly quarantine: Quarantine;
  private readonly counts = new Map<CollectedTable, RecordCounters>();
  private inFlight = 0;
  private draining = false;
  private readonly health: WalHealth;
  private onReportFn: (r: CompactionReport) => void = () => {};
  private log: (line: string) => void = () => {};
  private removedKeys: RemovedKeys | null = null;
  /** Tables another writer appends to (writtenElsewhere). */
  private readonly elsewhere = new Set<CollectedTable>();
  /**
   * Told of every record once it is durable, with the records' WAL lines (the fraud scorer listens, and
   * hands the text to its worker); must not throw or block.
   */
  onAccepted: (table: CollectedTable, records: CollectedRecord[], lines: string) => void = () => {};

  private constructor(
    readonly dataDir: string,
    readonly config: CollectorConfig,
  ) {
    const layout = dataLayout(dataDir);
    // Before the first WAL line: an encrypted lake records its key (a wrong or missing key stops here).
    prepareLakeEncryption(layout);
    for (const table of COLLECTED_TABLES) {
      this.validators.set(table, new RecordValidator(TABLES[table]));
      this.rowCheckReasons.set(table, new Set(TABLES[table].checks.map(([, reason]) => reason)));
      this.metrics.compactionQuarantined.inc({ table }, 0);
      this.metrics.mergeFailures.inc({ table }, 0);
      for (const reason of ['unparsable', 'invalid_field', 'row_check'])
        this.metrics.rejectedByReason.inc({ table, reason }, 0);
      this.keys.set(
        table,
        new KeySet(table === 'fraud_scores' ? Math.min(config.dedupKeys, SCORE_KEYS) : config.dedupKeys),
      );
      this.pendingKeys.set(table, new Map());
      const counter = (outcome: string) => {
        this.metrics.records.inc({ table, outcome }, 0); // the series exists before the first record
        return this.metrics.records.labels(table, outcome);
      };
      this.counts.set(table, {
        accepted: counter('accepted'),
        duplicate: counter('duplicate'),
        rejected: counter('rejected'),
      });
      const wal = new Wal(walDirectory(layout.root, table));
      wal.onCommit = (seconds, appends, bytes) => {
        this.metrics.fsync.observe(seconds);
        this.metrics.groupSize.observe(appends);
        // The bytes on disk: a segment's size is what compaction subtracts once it is in the lake.
        this.compactor.added(bytes);
      };
      this.wals.set(table, wal);
    }
    this.compactor = new Compactor(dataDir, new Map(this.wals), this.metrics);
    this.metrics.walState = () => this.compactor.waiting();
    this.quarantine = new Quarantine(join(layout.quarantine, 'collector'));
    this.health = new WalHealth(join(layout.root, 'wal'), this.metrics, () => this.log);
  }

  /** Opens the WAL, compacts what a previous run left, learns the stored keys, starts compacting. */
  static async open(dataDir: string, config: CollectorConfig, log: (line: string) => void = () => {}) {
    const c = new Collector(dataDir, config);
    c.log = log;
    c.compactor.onError = (err) => log(`compaction failed, will retry: ${firstLine(err)}`);
    c.compactor.onMergeError = (table, message) =>
      log(`merging small ${table} files failed, will retry after the next compaction: ${firstLine(message)}`);
    c.compactor.onQuarantined = (r) => c.forgetQuarantined(r);
    let loggedAt = 0;
    c.quarantine.onError = (err, records) => {
      c.metrics.quarantineWriteFailures.inc(records);
      // At most one line a minute while it keeps failing (a full disk), not one per request.
      if (Date.now() - loggedAt < 60_000) return;
      loggedAt = Date.now();
      log(`cannot keep rejected records in the quarantine: ${firstLine(err)}`);
    };
    c.compactor.onReport = (r) => c.onReportFn(r);
    await c.compactor.compactNow();
    c.removedKeys = new RemovedKeys(dataDir, c.keys, config.dedupKeys, log);
    // Before the keys are loaded: a rollback committed meanwhile is caught up on afterwards.
    c.removedKeys.start(COLLECTED_TABLES);
    await loadLakeState(dataDir, c.keys, config.dedupKeys, c.metrics);
    c.compactor.start(config.compactIntervalMs);
    return c;
  }

  /** Called after each segment reaches the lake. */
  set onCompaction(fn: (r: CompactionReport) => void) {
    this.onReportFn = fn;
  }

  /** Ready to take writes: not draining, the WAL writable and compaction keeping up. */
  get ready(): boolean {
    return (
      !this.draining &&
      this.health.error === null &&
      this.compactor.pendingBytes <= this.config.maxPendingBytes
    );
  }

  /** The compaction process's id (fault tests kill it). */
  get compactionPid(): number | undefined {
    return this.compactor.worker.pid;
  }

  /** Refuses a write before its body is read when the server cannot take it now (503). */
  admit(): void {
    if (this.draining)
      throw new CollectorError('shutting down: retry on another instance or later', {
        code: 'draining',
        status: 503,
        retryAfter: 5,
      });
    if (this.health.error !== null) throw storageRefusal(this.health.error);
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
    // A body still being read when the drain began: its records would miss the final compaction.
    if (this.draining) this.admit();
    this.inFlight++;
    try {
      return await this.store(table, body);
    } finally {
      this.inFlight--;
    }
  }

  private async store(table: CollectedTable, body: ParsedBody): Promise<CollectResult> {
    // A rollback committed since the last request: its keys are forgotten before any is called a duplicate.
    await this.removedKeys?.sync(table);
    const validator = this.validators.get(table) as RecordValidator;
    const keys = this.keys.get(table) as KeySet;
    const errors = [...body.unparsable];
    const reserved: string[] = [];
    const stored: CollectedRecord[] = [];
    const pending = this.pendingKeys.get(table) as Map<string, Promise<void>>;
    // Appends still in flight for keys this request repeats: "duplicate" is only true once they are durable.
    const waits = new Set<Promise<void>>();
    // Joined once into one flat text rather than built by `+=`: a text built by `+=` is a tree of pieces
    // that whoever reads it next must first copy into one (the WAL, and the fraud scorer's message to its
    // worker, which did it on every request: docs/BENCHMARKS.md, fraud section).
    const parts: string[] = [];
    let duplicate = 0;
    for (const { index, value } of body.items) {
      const result = validator.validate(value, index);
      if ('rejections' in result) {
        errors.push(...result.rejections);
        continue;
      }
      const key = validator.key(result.record);
      if (keys.has(key)) {
        const earlier = pending.get(key);
        if (earlier) waits.add(earlier);
        duplicate++;
        continue;
      }
      // Reserved before the fsync so a concurrent request with the same key counts as a duplicate.
      keys.add(key);
      reserved.push(key);
      stored.push(result.record);
      parts.push(`${JSON.stringify(result.record)}\n`);
    }
    if (parts.length > 0) {
      const lines = parts.join('');
      const appended = (this.wals.get(table) as Wal).append(lines);
      for (const key of reserved) pending.set(key, appended);
      try {
        await appended;
      } catch (err) {
        for (const key of reserved) keys.delete(key);
        if (!(err instanceof WalWriteError)) throw err;
        this.health.failed(err);
        throw storageRefusal(err);
      } finally {
        for (const key of reserved) if (pending.get(key) === appended) pending.delete(key);
      }
      this.onAccepted(table, stored, lines);
    }
    if (waits.size > 0) {
      try {
        await Promise.all(waits);
      } catch (err) {
        // The copy this request was going to be told about was never stored: the client must retry (what
        // this request stored itself answers "duplicate" then).
        if (!(err instanceof WalWriteError)) throw err;
        throw storageRefusal(
          err,
          'an earlier copy of some records in this request could not be stored: retry the request',
        );
      }
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
    if (rejected) {
      counts.rejected.inc(rejected);
      this.countReasons(table, errors, body.unparsable);
    }
    return { accepted: reserved.length, duplicate, rejected, errors };
  }

  /**
   * From now on `table`'s records are appended by another writer to segments of their own in the table's
   * WAL directory (the fraud scoring worker writes fraud_scores: fraud-score-store.ts), and compaction takes
   * that writer's sealed segments with this collector's own. appendValidated refuses the table then, so two
   * writers never number a segment alike.
   */
  writtenElsewhere(table: CollectedTable, source: SegmentSource): void {
    const own = this.wals.get(table) as Wal;
    this.elsewhere.add(table);
    this.compactor.wals.set(table, {
      recovered: own.recovered,
      get activeSince() {
        const times = [own.activeSince, source.activeSince].filter((t) => t > 0);
        return times.length > 0 ? Math.min(...times) : 0;
      },
      seal: async () => [...(await own.seal()), ...(await source.seal())],
    });
  }

  /** Counts `records` another writer made durable in `table`'s WAL, adding `bytes` to the segments on disk. */
  storedElsewhere(table: CollectedTable, records: number, bytes: number): void {
    if (records > 0) (this.counts.get(table) as RecordCounters).accepted.inc(records);
    this.compactor.added(bytes);
  }

  /**
   * Stores records another thread validated with this table's RecordValidator, or wrote in the form it gives
   * (the fraud worker's scores, fraud-score-line.ts):
   * `lines` holds one JSON record per line, each ending in a newline, and `keys[i]` is the key of line i.
   * Same dedup, WAL and counts as collect(); what it saves is the validation on the collector's thread.
   */
  async appendValidated(
    table: CollectedTable,
    keys: readonly string[],
    lines: string,
  ): Promise<{ accepted: number; duplicate: number }> {
    if (this.elsewhere.has(table))
      throw new Error(`${table} records are written by another writer (Collector.writtenElsewhere)`);
    if (this.draining) this.admit();
    this.inFlight++;
    try {
      await this.removedKeys?.sync(table);
      const known = this.keys.get(table) as KeySet;
      const fresh: boolean[] = [];
      const reserved: string[] = [];
      for (const key of keys) {
        const isNew = !known.has(key);
        fresh.push(isNew);
        if (!isNew) continue;
        known.add(key);
        reserved.push(key);
      }
      // Usually every key is new and the text goes in as it came; else the duplicates' lines are left out.
      const text =
        reserved.length === keys.length
          ? lines
          : lines
              .split('\n')
              .filter((_, i) => fresh[i])
              .map((l) => `${l}\n`)
              .join('');
      if (text) {
        try {
          await (this.wals.get(table) as Wal).append(text);
        } catch (err) {
          for (const key of reserved) known.delete(key);
          if (!(err instanceof WalWriteError)) throw err;
          this.health.failed(err);
          throw storageRefusal(err);
        }
        // The WAL's onCommit counts the bytes for compaction (sealed lines are longer than the text).
      }
      const counts = this.counts.get(table) as RecordCounters;
      const duplicate = keys.length - reserved.length;
      if (reserved.length) counts.accepted.inc(reserved.length);
      if (duplicate) counts.duplicate.inc(duplicate);
      return { accepted: reserved.length, duplicate };
    } finally {
      this.inFlight--;
    }
  }

  // Each refused record once, under the class of its first reason: unparsable JSON, a field, or a row check.
  private countReasons(table: CollectedTable, errors: Rejection[], unparsable: Rejection[]): void {
    const rowChecks = this.rowCheckReasons.get(table) as Set<string>;
    const unparsed = new Set(unparsable.map((u) => u.index));
    const byIndex = new Map<number, 'unparsable' | 'invalid_field' | 'row_check'>();
    for (const e of errors) {
      if (byIndex.has(e.index)) continue;
      if (unparsed.has(e.index)) byIndex.set(e.index, 'unparsable');
      else byIndex.set(e.index, rowChecks.has(e.reason) ? 'row_check' : 'invalid_field');
    }
    const counts = { unparsable: 0, invalid_field: 0, row_check: 0 };
    for (const reason of byIndex.values()) counts[reason]++;
    for (const [reason, n] of Object.entries(counts)) {
      if (n > 0) this.metrics.rejectedByReason.inc({ table, reason }, n);
    }
  }

  /** Compacts now (tests, shutdown); resolves when the WAL is empty. */
  compactNow(): Promise<void> {
    return this.compactor.compactNow();
  }

  /**
   * Stops taking writes, compacts everything it can, and flushes the quarantine; returns what is still in
   * the WAL (nothing, unless compaction kept failing: then it is compacted on the next start).
   */
  async close(): Promise<Backlog> {
    this.draining = true;
    this.health.stop();
    // Requests already past admit() finish their WAL append first, so their records are compacted below.
    for (let waited = 0; this.inFlight > 0 && waited < 10_000; waited += 10) {
      await new Promise((r) => setTimeout(r, 10));
    }
    const backlog = await this.compactor.stop();
    await this.quarantine.flushed();
    return backlog;
  }

  // Records ingest quarantined at compaction never reached the lake: forget their keys so that a corrected
  // retry with the same id is stored instead of answered "duplicate".
  private async forgetQuarantined(r: CompactionReport): Promise<void> {
    const validator = this.validators.get(r.table) as RecordValidator;
    const keys = this.keys.get(r.table) as KeySet;
    let forgotten = 0;
    try {
      if (r.quarantineFile === null) return;
      for (const key of await quarantinedKeys(r.quarantineFile, r.readAs, (rec) => validator.key(rec))) {
        if (keys.has(key)) {
          keys.delete(key);
          forgotten++;
        }
      }
    } catch (err) {
      this.log(`cannot read the quarantine file ${r.quarantineFile}: ${firstLine(err)}`);
    } finally {
      this.log(
        `compaction quarantined ${r.quarantined} acknowledged ${r.table} records (see ${r.quarantineFile}); ` +
          `${forgotten} of their ids may be sent again`,
      );
    }
  }
}

// Log lines stay one line: DuckDB's messages can span several.
function firstLine(err: unknown): string {
  const text = err instanceof Error ? err.message : String(err);
  return text.split('\n')[0] ?? text;
}
