import { open, readFile, unlink } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { z } from 'zod';
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
import { type Backlog, type CompactionReport, Compactor } from './compactor.js';
import type { CollectorConfig } from './config.js';
import { CollectorError } from './errors.js';
import { KeySet } from './key-set.js';
import { CollectorMetrics } from './metrics.js';
import type { ParsedBody } from './parse.js';
import { Quarantine } from './quarantine.js';
import { COLLECTED_TABLES, type CollectedTable, RecordValidator, type Rejection } from './records.js';
import { Wal, WalWriteError } from './wal.js';

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
  /** Keys whose WAL append is still in flight, with that append. */
  private readonly pendingKeys = new Map<CollectedTable, Map<string, Promise<void>>>();
  private readonly compactor: Compactor;
  private readonly quarantine: Quarantine;
  private readonly counts = new Map<CollectedTable, RecordCounters>();
  private inFlight = 0;
  private draining = false;
  /** The last WAL write failure, while no probe write has succeeded since (full disk, I/O error). */
  private storageError: WalWriteError | null = null;
  private probeTimer: NodeJS.Timeout | null = null;
  private onReportFn: (r: CompactionReport) => void = () => {};
  private log: (line: string) => void = () => {};

  private constructor(
    readonly dataDir: string,
    readonly config: CollectorConfig,
  ) {
    const layout = dataLayout(dataDir);
    for (const table of COLLECTED_TABLES) {
      this.validators.set(table, new RecordValidator(TABLES[table]));
      this.keys.set(table, new KeySet(config.dedupKeys));
      this.pendingKeys.set(table, new Map());
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
    c.log = log;
    c.metrics.walWritable.set(1);
    c.compactor.onError = (err) => log(`compaction failed, will retry: ${firstLine(err)}`);
    c.compactor.onMergeError = (table, message) =>
      log(`merging small ${table} files failed, will retry after the next compaction: ${firstLine(message)}`);
    c.compactor.onQuarantined = (r) => c.forgetQuarantined(r);
    c.compactor.onReport = (r) => c.onReportFn(r);
    await c.compactor.compactNow();
    await c.loadLakeState();
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
      this.storageError === null &&
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
    if (this.storageError !== null) throw this.storageRefusal(this.storageError);
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
    const validator = this.validators.get(table) as RecordValidator;
    const keys = this.keys.get(table) as KeySet;
    const errors = [...body.unparsable];
    const reserved: string[] = [];
    const pending = this.pendingKeys.get(table) as Map<string, Promise<void>>;
    // Appends still in flight for keys this request repeats: "duplicate" is only true once they are durable.
    const waits = new Set<Promise<void>>();
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
        const earlier = pending.get(key);
        if (earlier) waits.add(earlier);
        duplicate++;
        continue;
      }
      // Reserved before the fsync so a concurrent request with the same key counts as a duplicate.
      keys.add(key);
      reserved.push(key);
      lines += `${JSON.stringify(result.record)}\n`;
    }
    if (lines) {
      const appended = (this.wals.get(table) as Wal).append(lines);
      for (const key of reserved) pending.set(key, appended);
      try {
        await appended;
      } catch (err) {
        for (const key of reserved) keys.delete(key);
        if (!(err instanceof WalWriteError)) throw err;
        this.unwritable(err);
        throw this.storageRefusal(err);
      } finally {
        for (const key of reserved) if (pending.get(key) === appended) pending.delete(key);
      }
      this.compactor.added(Buffer.byteLength(lines));
    }
    if (waits.size > 0) {
      try {
        await Promise.all(waits);
      } catch (err) {
        // The copy this request was going to be told about was never stored: the client must retry (what
        // this request stored itself answers "duplicate" then).
        if (!(err instanceof WalWriteError)) throw err;
        throw this.storageRefusal(
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
    if (rejected) counts.rejected.inc(rejected);
    return { accepted: reserved.length, duplicate, rejected, errors };
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
    if (this.probeTimer) clearTimeout(this.probeTimer);
    // Requests already past admit() finish their WAL append first, so their records are compacted below.
    for (let waited = 0; this.inFlight > 0 && waited < 10_000; waited += 10) {
      await new Promise((r) => setTimeout(r, 10));
    }
    const backlog = await this.compactor.stop();
    await this.quarantine.flushed();
    return backlog;
  }

  // The WAL cannot take writes: refuse them (503) and report not ready until a probe write succeeds.
  private unwritable(err: WalWriteError): void {
    this.metrics.walWriteFailures.inc({ code: err.code });
    if (this.storageError !== null) return;
    this.storageError = err;
    this.metrics.walWritable.set(0);
    this.log(`WAL write failed (${err.code}): refusing writes with 503 until the disk takes writes again`);
    this.probeStorage();
  }

  // Once a second, a small write + fsync + delete where the WAL lives; when it succeeds (compaction freed
  // segments, or an operator freed space), writes are taken again.
  private probeStorage(): void {
    this.probeTimer = setTimeout(async () => {
      const path = join(dataLayout(this.dataDir).root, 'wal', '.probe');
      let fd: Awaited<ReturnType<typeof open>> | null = null;
      try {
        fd = await open(path, 'w');
        const probe = Buffer.alloc(PROBE_BYTES, 10);
        let written = 0;
        while (written < probe.length) {
          const { bytesWritten } = await fd.write(probe, written, probe.length - written);
          if (bytesWritten <= 0) throw new Error('short write');
          written += bytesWritten;
        }
        await fd.datasync();
        this.storageError = null;
        this.metrics.walWritable.set(1);
        this.log('WAL writable again: taking writes');
      } catch {
        if (!this.draining) this.probeStorage();
      } finally {
        await fd?.close().catch(() => {});
        await unlink(path).catch(() => {});
      }
    }, 1000);
    this.probeTimer.unref();
  }

  private storageRefusal(err: WalWriteError, message?: string): CollectorError {
    const full = err.code === 'ENOSPC' || err.code === 'EDQUOT' || err.code === 'short_write';
    const text =
      message ??
      (full
        ? "the collector's disk is full: nothing of this request was stored, retry later"
        : `the collector cannot write its log (${err.code}): nothing of this request was stored, retry later`);
    return new CollectorError(text, {
      code: full ? 'storage_full' : 'storage_error',
      status: 503,
      retryAfter: 1,
    });
  }

  // Records ingest quarantined at compaction never reached the lake: forget their keys so that a corrected
  // retry with the same id is stored instead of answered "duplicate".
  private async forgetQuarantined(r: CompactionReport): Promise<void> {
    const validator = this.validators.get(r.table) as RecordValidator;
    const keys = this.keys.get(r.table) as KeySet;
    let forgotten = 0;
    try {
      if (r.quarantineFile === null) return;
      const segment = resolve(r.segment);
      for (const line of (await readFile(r.quarantineFile, 'utf8')).split('\n')) {
        const key = quarantinedKey(line, segment, validator);
        if (key !== null && keys.has(key)) {
          keys.delete(key);
          forgotten++;
        }
      }
    } catch (err) {
      this.log(`cannot read the quarantine file ${r.quarantineFile}: ${(err as Error).message}`);
    } finally {
      this.log(
        `compaction quarantined ${r.quarantined} acknowledged ${r.table} records (see ${r.quarantineFile}); ` +
          `${forgotten} of their ids may be sent again`,
      );
    }
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
    // Before the server takes traffic, so stat-ing every live file blocks no request; later the
    // compaction process measures it.
    for (const table of COLLECTED_TABLES)
      this.metrics.lakeBytes.set({ table }, tableBytes(layout, TABLES[table]));
  }
}

const PROBE_BYTES = 256 * 1024;

// Log lines stay one line: DuckDB's messages can span several.
function firstLine(err: unknown): string {
  const text = err instanceof Error ? err.message : String(err);
  return text.split('\n')[0] ?? text;
}

const quarantineLine = z.object({ source: z.string(), record: z.string() });
const walRecord = z.record(z.string(), z.union([z.string(), z.number()]));

/** The key of a record in ingest's quarantine file when it came from `segment`, else null. */
function quarantinedKey(line: string, segment: string, validator: RecordValidator): string | null {
  if (line.trim() === '') return null;
  try {
    const entry = quarantineLine.safeParse(JSON.parse(line));
    if (!entry.success || resolve(entry.data.source) !== segment) return null;
    const record = walRecord.safeParse(JSON.parse(entry.data.record));
    return record.success ? validator.key(record.data) : null;
  } catch {
    // A line that is not JSON (a torn tail) has no key to forget.
    return null;
  }
}
