import { createHash, randomUUID } from 'node:crypto';
import { mkdirSync, rmSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { DuckDbSession, sqlIdent, sqlString } from '../duckdb/index.js';
import { UserError } from '../errors/index.js';
import {
  BATCH_COLUMN,
  type BatchEntry,
  commitTable,
  type DataLayout,
  dataLayout,
  discardFiles,
  ensureManifest,
  feedsSessions,
  lakeParquetSql,
  newBatchId,
  type PartitionGrain,
  partitionGrain,
  planBatchRemoval,
  prepareLakeEncryption,
  type SessionsRefresh,
  type TableSpec,
  tableDirectory,
  tableSnapshot,
  touchedSessionsOf,
  withSessionsMaintained,
  writeFiles,
} from '../lake/index.js';
import { type CheckedCounts, countChecked, stageChecked } from './checked.js';
import { ConcurrentChange, recheckUnderLock } from './commit-check.js';
import {
  createDups,
  DUPS_TABLE,
  freshRows,
  lakeScope,
  markInputRepeats,
  markLakeDuplicates,
} from './dedup.js';
import { DirectWriteDeclined, ownKeysInLake, writeDirect } from './direct.js';
import { writeDuplicates } from './duplicates.js';
import type { Mapping } from './mapping.js';
import { ingestMemoryLimit } from './memory.js';
import { writeQuarantine } from './quarantine.js';
import { checkRejectLimit, type RejectLimit } from './reject-limit.js';
import { replacedBatches } from './replace.js';
import { CarefulReadNeeded, fastReadFailure, resolveSources, unreadFiles } from './sources.js';
import { dropRaw, stageInput } from './staging.js';

/** Counts one ingest run reports; read = loaded + duplicate + quarantined + skipped. */
export interface IngestReport {
  table: string;
  /** The batch id (see `shoplake batches`); every run is a batch, even one that loaded nothing new. */
  batch: string;
  files: number;
  read: number;
  loaded: number;
  duplicate: number;
  quarantined: number;
  /** Rows the mapping's filters set aside on purpose; listed in the quarantine file with their reason. */
  skipped: number;
  /** What the mapping decided by itself, e.g. the date format `format: auto` chose. */
  notes: string[];
  /** NDJSON file holding each quarantined record with source, line and reason; null when none. */
  quarantineFile: string | null;
  /** NDJSON file holding each row dropped as a duplicate with what it duplicates; null when none. */
  duplicatesFile: string | null;
  /** Batches this one replaced (`replace`), whose rows left the lake in the same commit. */
  replaced: string[];
  /** Wall-clock seconds the run took. */
  seconds: number;
  /** clickstream only: how the sessions table followed the batch (its time is part of `seconds`). */
  sessions?: SessionsRefresh;
  /** build-lake only: the input had not changed since batch `batch` loaded it, so it was not read. */
  unchanged?: boolean;
}

export interface IngestOptions {
  dataDir: string;
  table: TableSpec;
  input: string;
  mapping?: Mapping;
  /** Called as the run moves through its phases, and with each long statement's progress (0–100). */
  onProgress?: (phase: string, percent: number) => void;
  /** DuckDB threads (default: one per core); the collector compacts on one to leave a core for requests. */
  threads?: number;
  /** DuckDB memory limit, e.g. '1GB' (default: ingestMemoryLimit(), at most 3 GB); larger inputs spill to disk. */
  memoryLimit?: string;
  /**
   * Where an incoming key is looked for: the whole table (default), or only the date partitions the
   * input falls in. The collector uses 'partitions' so that compaction does not slow down as the lake
   * grows; a record re-sent with the same key but a different date then counts as new.
   */
  dedupScope?: 'table' | 'partitions';
  /** Refuse the batch (load nothing, RejectLimitError) above this many quarantined rows or when all are. */
  maxRejects?: RejectLimit;
  /** Take out what earlier batches of the same source loaded, in the same commit (ingest --replace). */
  replace?: boolean;
  /** How the batch is listed (default 'ingest'). */
  kind?: BatchEntry['kind'];
  /**
   * An open DuckDB session to run in instead of opening one (the collector's compaction process keeps one
   * across jobs, so DuckDB's caches carry over). Its threads, memory limit and spill directory are then
   * the session's own; ingest leaves it open, with the temp tables and views it made dropped.
   */
  session?: DuckDbSession;
}

// A concurrent rollback or replacement changes what counts as a duplicate: start over, a few times.
const MAX_ATTEMPTS = 5;

/**
 * Validates every row of the input against the table's schema, quarantines bad rows with their reason,
 * drops rows whose key is already in the lake or earlier in the input (listing each in a duplicates
 * file), and commits the rest to the lake as one batch. The duplicate check is repeated under the table
 * lock against whatever other writers committed meanwhile, so two runs at once never load a row twice.
 */
export async function ingest(options: IngestOptions): Promise<IngestReport> {
  const started = performance.now();
  let careful = false;
  // The direct write (direct.ts) is tried first where it applies; it declines inputs with repeated keys.
  let direct = (options.dedupScope ?? 'table') === 'table';
  for (let attempt = 1; ; attempt++) {
    try {
      return await ingestOnce(options, started, careful, direct);
    } catch (err) {
      if (err instanceof DirectWriteDeclined && direct) {
        options.onProgress?.('some key occurs more than once: validating again', 0);
        direct = false;
      } else if (err instanceof CarefulReadNeeded && !careful) {
        options.onProgress?.('bad or repeated rows found: reading again with line numbers', 0);
        careful = true;
      } else if (err instanceof ConcurrentChange && attempt < MAX_ATTEMPTS) {
        options.onProgress?.(`${err.message}: checking again`, 0);
      } else throw err;
    }
  }
}

async function ingestOnce(
  options: IngestOptions,
  started: number,
  careful: boolean,
  directAllowed: boolean,
): Promise<IngestReport> {
  const { table: spec } = options;
  if (spec.derivedFrom) {
    throw new UserError(
      `table '${spec.name}' is derived from ${spec.derivedFrom} and cannot be loaded: load ${spec.derivedFrom} instead`,
      { code: 'derived_table' },
    );
  }
  const layout = dataLayout(options.dataDir);
  // Before any report or file is written: an encrypted lake's first write records its key.
  prepareLakeEncryption(layout);
  const inputs = resolveSources(options.input);
  const batchId = newBatchId();
  // Bounded so that a 40M-row file spills to disk instead of taking the machine's memory; a session given
  // by the caller spills where its owner chose.
  const session = options.session ? borrowed(options.session) : await openOwnSession(layout, options);
  const db = session.db;
  let phase = '';
  const enter = (name: string) => {
    phase = name;
    options.onProgress?.(phase, 0);
  };
  const report = options.onProgress;
  if (report) db.onProgress = (percent) => report(phase, percent);
  // Files written but not committed yet: the batch's own, and others' files rewritten by --replace.
  const written: string[] = [];
  const rewritten: string[] = [];
  let quarantineFile: string | null = null;
  let keepQuarantine = false;
  try {
    await db.run('CREATE TEMP TABLE rejects (source VARCHAR, line BIGINT, reason VARCHAR, record VARCHAR)');
    const input = await stageInput(db, spec, inputs, careful, options.mapping, enter);
    const { selects: mapped, sources } = input;
    // Line numbers are in place (the careful read numbers lines by reading in order), and every later
    // step that cares about order says so (ORDER BY source, line). Letting DuckDB keep rows in whatever
    // order its threads produce them saves it an ordered insert: 13 % of the checking pass on 4M events.
    // Restored before the commit, whose sessions refresh is not this module's to vouch for.
    await db.run('SET preserve_insertion_order = false');
    const tableDir = tableDirectory(layout, spec.name);
    const source = resolve(options.input);
    const replaces = options.replace ? replacedBatches(layout, spec.name, source) : [];
    const direct = directAllowed && !careful;
    // Before any file of the batch is in the table directory: a table without a manifest gets one
    // listing the files already there, never the batch's own.
    if (direct) await ensureManifest(tableDir);
    let directGrain: PartitionGrain | undefined;
    let counts: CheckedCounts;
    if (direct) {
      // The CSV files are read by this statement (lazy views, see loadCsvFast); a broken row fails it.
      const done = await writeDirect(db, {
        layout,
        spec,
        mapped,
        whys: input.whys,
        batchId,
        written,
        enter,
        // Whether a large input's row count can be estimated from its files' sizes (direct.ts).
        csvFiles:
          options.mapping?.sql === undefined && sources.every((f) => f.format === 'csv')
            ? sources.map((f) => f.path)
            : null,
      }).catch((err: unknown) => {
        throw fastReadFailure(err);
      });
      directGrain = done.grain;
      counts = { staged: done.rows, valid: done.rows, skipped: 0, repeats: false, days: 0, months: 0 };
    } else {
      enter('validating');
      // Without `careful`, CSV files are read by this statement (lazy views, see loadCsvFast).
      // Only the careful read writes quarantine records, so only it words the reasons (ReasonDetail).
      await stageChecked(db, spec, mapped, input.whys, careful ? 'words' : 'flag').catch((err: unknown) => {
        throw careful ? err : fastReadFailure(err);
      });
      counts = await countChecked(db, spec);
    }
    const { valid, repeats } = counts;
    const unreadable = Number((await db.all('SELECT count(*) AS n FROM rejects'))[0]?.n ?? 0);
    const { skipped } = counts;
    // Rows the mapping skipped on purpose are listed with the quarantined ones but are not rejects.
    const quarantined = counts.staged - valid - skipped + unreadable;
    const read = counts.staged + unreadable;

    await ensureManifest(tableDir);
    const snapshot = tableSnapshot(tableDir);
    let inLake = 0;
    if (direct) {
      // Its files are the only copy of its rows: a key already in the lake needs the careful read.
      if (await ownKeysInLake(db, spec, written, snapshot.files, replaces))
        throw new CarefulReadNeeded('rows already in the lake');
    } else {
      await createDups(db);
      const scope = await lakeScope(db, spec, snapshot.files, options.dedupScope ?? 'table');
      inLake = valid > 0 ? await markLakeDuplicates(db, spec, scope, replaces) : 0;
    }
    // Quarantine and duplicates records need line numbers, which the fast read does not give.
    if (!careful && (quarantined > 0 || skipped > 0 || repeats || inLake > 0))
      throw new CarefulReadNeeded('line numbers needed');
    if (quarantined + skipped > 0)
      quarantineFile = await writeQuarantine(db, sources, layout.quarantine, spec.name, batchId);
    // A refused batch keeps its quarantine file: it says why nothing was loaded.
    keepQuarantine = true;
    if (options.maxRejects) checkRejectLimit(options.maxRejects, read, quarantined, quarantineFile);
    keepQuarantine = false;
    // Raw copies are only kept for quarantine records; free them before the heavy steps.
    for (const i of sources.keys()) await dropRaw(db, i);
    if (repeats) await markInputRepeats(db, spec);

    // Partitions sized by the input's volume (the rows still to write are fewer only by duplicates).
    const grain = directGrain ?? partitionGrain(valid, counts.days, counts.months);
    let loaded = valid;
    if (!direct) {
      enter('writing');
      const first =
        valid > 0
          ? await writeFiles(db, layout, spec, await freshRows(db), batchId, grain)
          : { files: [], rows: 0 };
      written.push(...first.files);
      loaded = first.rows;
    }

    await db.run('RESET preserve_insertion_order');
    enter('committing');
    let committed: string[] = [];
    let sessions: SessionsRefresh | undefined;
    const commit = () =>
      commitTable(tableDir, async (current) => {
        const check = await recheckUnderLock(db, {
          tableDir,
          spec,
          snapshot,
          current,
          replaces,
          careful,
          direct,
          own: written,
        });
        if (check.newDuplicates > 0) {
          // Another writer committed some of these keys meanwhile: write the batch again without them.
          discardFiles(written.splice(0));
          const again = await writeFiles(db, layout, spec, await freshRows(db), batchId, grain);
          written.push(...again.files);
          loaded = again.rows;
        }
        const removal = await planBatchRemoval(db, current.files, replaces);
        rewritten.push(...removal.add);
        const retire = new Set(removal.retire);
        const entry: BatchEntry = {
          type: 'batch',
          id: batchId,
          table: spec.name,
          kind: options.kind ?? 'ingest',
          source,
          mapping: mappingDigest(options.mapping),
          inputs: inputStats(inputs.map((f) => f.path)),
          at: new Date().toISOString(),
          read,
          loaded,
          duplicate: valid - loaded,
          quarantined,
          files: written.map((f) => f.slice(tableDir.length + 1)),
          replaces,
          quarantineFile,
          duplicatesFile: valid > loaded ? duplicatesPath(layout, spec, batchId) : null,
        };
        if (feedsSessions(spec.name) && replaces.length > 0)
          await captureReplaced(db, current.files, replaces);
        const files = [...current.files.filter((f) => !retire.has(f)), ...written, ...rewritten];
        committed = [...written];
        return { files, logEntry: entry, addedColumns: [...spec.columns.map((c) => c.name), BATCH_COLUMN] };
      });
    let duplicatesFile: string | null = null;
    // The batch is in the manifest now, which names its files and reports: whatever happens next (a failed
    // sessions refresh) must not let the clean-up delete them, and the duplicates report is written at
    // once. The checked rows are not needed after that: dropping them hands their memory to the sessions
    // refresh (at 40M events they held DuckDB's whole 3 GB, and the refresh ran out of memory).
    const afterCommit = async () => {
      written.length = 0;
      rewritten.length = 0;
      keepQuarantine = true;
      if (valid > loaded)
        duplicatesFile = await writeDuplicates(db, spec, sources, layout.duplicates, batchId);
      await db.run('DROP TABLE IF EXISTS checked');
      await db.run(`DROP TABLE IF EXISTS ${DUPS_TABLE}`);
    };
    if (feedsSessions(spec.name)) {
      const source = spec.name;
      // Sessions derive from clickstream (and orders, for their revenue): the sessions this batch's rows
      // (and any it replaced) touch are recomputed right after its commit, under the sessions lock.
      const maintained = await withSessionsMaintained(db, layout, async () => {
        await commit();
        await afterCommit();
        enter('updating sessions');
        const rows = changedRows(committed, replaces.length > 0);
        return { result: null, touched: rows ? await touchedSessionsOf(db, layout, source, rows) : null };
      });
      sessions = maintained.refresh ?? undefined;
    } else {
      await commit();
      await afterCommit();
    }
    return {
      table: spec.name,
      batch: batchId,
      files: sources.length,
      read,
      loaded,
      duplicate: valid - loaded,
      quarantined,
      skipped,
      notes: [
        ...unreadNote(options.input),
        ...(options.replace && replaces.length === 0 ? [nothingReplacedNote(spec.name, source)] : []),
        ...input.notes,
      ],
      quarantineFile,
      duplicatesFile,
      replaced: replaces,
      seconds: (performance.now() - started) / 1000,
      ...(sessions ? { sessions } : {}),
    };
  } finally {
    // Files of a batch that did not commit (failed, or started over) are never listed: remove them.
    discardFiles([...written, ...rewritten]);
    // An attempt that starts over (or fails) leaves no quarantine file behind under its unused batch id.
    if (quarantineFile && !keepQuarantine) rmSync(quarantineFile, { force: true });
    await session.release();
  }
}

// The DuckDB session an attempt runs in, and what it does with it when the attempt ends.
interface AttemptSession {
  db: DuckDbSession;
  release(): Promise<void>;
}

// A session of this attempt's own, spilling into a staging directory of its own: closed, and the
// directory removed, when the attempt ends.
async function openOwnSession(layout: DataLayout, options: IngestOptions): Promise<AttemptSession> {
  const tempDirectory = join(layout.staging, `tmp-${randomUUID().slice(0, 8)}`);
  mkdirSync(tempDirectory, { recursive: true });
  const db = await DuckDbSession.open({
    tempDirectory,
    memoryLimit: options.memoryLimit ?? ingestMemoryLimit(),
    ...(options.threads ? { threads: options.threads } : {}),
  });
  return {
    db,
    release: async () => {
      try {
        db.close();
      } finally {
        rmSync(tempDirectory, { recursive: true, force: true });
      }
    },
  };
}

// A session given by the caller (its spill directory the owner's): left open and as it was found.
function borrowed(db: DuckDbSession): AttemptSession {
  return { db, release: () => clearSession(db) };
}

// Drops what an attempt made in a borrowed session, so that the next attempt or job can create its temp
// tables again (a failed attempt may stop anywhere).
async function clearSession(db: DuckDbSession): Promise<void> {
  db.onProgress = undefined;
  await db.run('RESET preserve_insertion_order');
  const objects = await db.all(
    `SELECT 'VIEW' AS kind, view_name AS name FROM duckdb_views() WHERE temporary AND NOT internal
     UNION ALL SELECT 'TABLE', table_name FROM duckdb_tables() WHERE temporary`,
  );
  for (const o of objects) await db.run(`DROP ${String(o.kind)} IF EXISTS ${sqlIdent(String(o.name))}`);
}

// The rows of replaced batches, read before the commit takes them out: their sessions change too.
async function captureReplaced(db: DuckDbSession, files: readonly string[], replaces: readonly string[]) {
  await db.run(`CREATE OR REPLACE TEMP TABLE replaced_touch AS
    SELECT * FROM ${lakeParquetSql(files, 'union_by_name = true, hive_partitioning = false')}
    WHERE ${BATCH_COLUMN} IN (${replaces.map(sqlString).join(', ')})`);
}

// The rows a batch added (its committed files) and removed (replaced batches), or null when none.
function changedRows(added: readonly string[], replaced: boolean): string | null {
  const parts = [];
  if (added.length > 0) {
    parts.push(`SELECT * FROM ${lakeParquetSql(added)}`);
  }
  if (replaced) parts.push('SELECT * FROM replaced_touch');
  return parts.length === 0 ? null : `(${parts.join(' UNION ALL BY NAME ')})`;
}

function duplicatesPath(layout: DataLayout, spec: TableSpec, batchId: string): string {
  return join(layout.duplicates, spec.name, `${batchId}.ndjson`);
}

/** Size and modification time of each input file, as a batch records them. */
export function inputStats(paths: readonly string[]): { path: string; bytes: number; modifiedMs: number }[] {
  return paths.map((path) => {
    const s = statSync(path);
    return { path, bytes: s.size, modifiedMs: s.mtimeMs };
  });
}

/** First 16 hex digits of sha256 over the mapping as JSON, so batches loaded with the same mapping match. */
export function mappingDigest(mapping: Mapping | undefined): string | null {
  if (!mapping) return null;
  return createHash('sha256').update(JSON.stringify(mapping)).digest('hex').slice(0, 16);
}

// What the report says about the files of an input directory ingest did not read.
function unreadNote(input: string): string[] {
  const unread = unreadFiles(input);
  if (unread.length === 0) return [];
  const shown = unread.length > 5 ? [...unread.slice(0, 5), `… (${unread.length} in all)`] : unread;
  return [
    `not read: ${shown.join(', ')}: only .csv, .tsv, .ndjson, .jsonl, .json and .parquet files are (unpack a .gz or .zip first)`,
  ];
}

// --replace that found no earlier batch said nothing, so loading a renamed export with changed lines
// (a status gone from PENDING to COMPLETED) added them beside the old ones without a word.
function nothingReplacedNote(table: string, source: string): string {
  return (
    `--replace: no earlier ${table} batch came from ${source} or a file of the same name, so nothing was replaced: ` +
    `'shoplake batches --table ${table}' lists the batches; roll back the old one with 'shoplake rollback BATCH'`
  );
}
