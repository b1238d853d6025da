import { randomUUID } from 'node:crypto';
import { mkdirSync, rmSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { DuckDbSession, defaultMemoryLimit, sqlIdent } from '../duckdb/index.js';
import {
  type DataLayout,
  dataLayout,
  keysOfFilesSql,
  PARTITION_COLUMN,
  type TableSpec,
  tableFiles,
  writeBatch,
} from '../lake/index.js';
import { contentIdSql } from './identity.js';
import type { Mapping } from './mapping.js';
import { writeQuarantine } from './quarantine.js';
import { CarefulReadNeeded, resolveSources } from './sources.js';
import { rawTable, stageInput } from './staging.js';
import { reasonSql, typedSql } from './validate.js';

/** Counts one ingest run reports; read = loaded + duplicate + quarantined + skipped. */
export interface IngestReport {
  table: string;
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
  /** Wall-clock seconds the run took. */
  seconds: number;
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
  /** DuckDB memory limit, e.g. '1GB' (default: defaultMemoryLimit(), half the machine's memory); larger inputs spill to disk. */
  memoryLimit?: string;
  /**
   * Where an incoming key is looked for: the whole table (default), or only the date partitions the
   * input falls in. The collector uses 'partitions' so that compaction does not slow down as the lake
   * grows; a record re-sent with the same key but a different date then counts as new.
   */
  dedupScope?: 'table' | 'partitions';
}

/**
 * Validates every row of the input against the table's schema, quarantines bad rows with their reason,
 * skips rows whose key is already in the lake or earlier in the input, and appends the rest to the lake.
 */
export async function ingest(options: IngestOptions): Promise<IngestReport> {
  const started = performance.now();
  try {
    return await ingestOnce(options, started, false);
  } catch (err) {
    if (!(err instanceof CarefulReadNeeded)) throw err;
    options.onProgress?.('bad or repeated rows found: reading again with line numbers', 0);
    return ingestOnce(options, started, true);
  }
}

async function ingestOnce(options: IngestOptions, started: number, careful: boolean): Promise<IngestReport> {
  const { table: spec } = options;
  const layout = dataLayout(options.dataDir);
  const inputs = resolveSources(options.input);
  const tempDirectory = join(layout.staging, `tmp-${randomUUID().slice(0, 8)}`);
  mkdirSync(tempDirectory, { recursive: true });
  // Bounded so that a 40M-row file spills to disk instead of taking the machine's memory.
  const db = await DuckDbSession.open({
    tempDirectory,
    memoryLimit: options.memoryLimit ?? defaultMemoryLimit(),
    ...(options.threads ? { threads: options.threads } : {}),
  });
  let phase = '';
  const enter = (name: string) => {
    phase = name;
    options.onProgress?.(phase, 0);
  };
  const report = options.onProgress;
  if (report) db.onProgress = (percent) => report(phase, percent);
  try {
    await db.run('CREATE TEMP TABLE rejects (source VARCHAR, line BIGINT, reason VARCHAR, record VARCHAR)');
    const input = await stageInput(db, spec, inputs, careful, options.mapping, enter);
    const { selects: mapped, sources } = input;
    enter('validating');
    const typed = spec.columns.map((c) =>
      spec.name === 'clickstream' && c.name === 'event_id'
        ? `coalesce(${typedSql(c)}, ${contentIdSql(spec)}) AS event_id`
        : `${typedSql(c)} AS ${sqlIdent(c.name)}`,
    );
    await db.run(
      `CREATE TEMP TABLE checked AS SELECT __src, __line, __skip, ${reasonSql(spec, input.whys)} AS __reason, ${typed.join(', ')}
       FROM (${mapped.join(' UNION ALL ')})`,
    );
    const keyCols = spec.key.map(sqlIdent).join(', ');
    const [counts] = await db.all(
      `SELECT count(*) AS staged, count(*) FILTER (WHERE __reason IS NULL) AS valid,
         count(*) FILTER (WHERE __skip IS NOT NULL) AS skipped,
         count(DISTINCT (${keyCols})) FILTER (WHERE __reason IS NULL) AS distinct_keys FROM checked`,
    );
    const staged = Number(counts?.staged ?? 0);
    const valid = Number(counts?.valid ?? 0);
    const unreadable = Number((await db.all('SELECT count(*) AS n FROM rejects'))[0]?.n ?? 0);
    const skipped = Number(counts?.skipped ?? 0);
    const quarantined = staged - valid - skipped + unreadable;
    // Ranking rows by key is costly, so it only runs when the input repeats a key.
    const repeats = Number(counts?.distinct_keys ?? 0) < valid;
    // Quarantine records and "first of a repeated key" both need line numbers.
    if (!careful && (quarantined > 0 || skipped > 0 || repeats))
      throw new CarefulReadNeeded('line numbers needed');
    const quarantineFile =
      quarantined + skipped > 0 ? await writeQuarantine(db, sources, layout.quarantine, spec.name) : null;
    // Raw copies are only kept for quarantine records; free them before the heavy steps.
    for (const i of sources.keys()) {
      await db.run(`DROP TABLE IF EXISTS ${rawTable(i)}`);
      await db.run(`DROP TABLE IF EXISTS ${rawTable(i)}_objects`);
    }

    enter('deduplicating and writing');
    const conditions = ['__reason IS NULL'];
    const lakeFiles = await filesToCheck(db, layout, spec, options.dedupScope ?? 'table');
    if (lakeFiles.length > 0) {
      await db.run(`CREATE TEMP VIEW lake_rows AS ${keysOfFilesSql(spec, lakeFiles)}`);
      const keyMatch = spec.key.map((k) => `l.${sqlIdent(k)} = c.${sqlIdent(k)}`).join(' AND ');
      conditions.push(`NOT EXISTS (SELECT 1 FROM lake_rows l WHERE ${keyMatch})`);
    }
    const firstOfKey = repeats
      ? `QUALIFY row_number() OVER (PARTITION BY ${keyCols} ORDER BY __src, __line) = 1`
      : '';
    const fresh = `(SELECT * FROM checked c WHERE ${conditions.join(' AND ')} ${firstOfKey}) AS fresh`;
    const { rows: loaded } = valid > 0 ? await writeBatch(db, layout, spec, fresh) : { rows: 0 };
    return {
      table: spec.name,
      files: sources.length,
      read: staged + unreadable,
      loaded,
      duplicate: valid - loaded,
      quarantined,
      skipped,
      notes: input.notes,
      quarantineFile,
      seconds: (performance.now() - started) / 1000,
    };
  } finally {
    db.close();
    rmSync(tempDirectory, { recursive: true, force: true });
  }
}

/** The lake files whose keys an incoming batch must be checked against. */
async function filesToCheck(
  db: DuckDbSession,
  layout: DataLayout,
  spec: TableSpec,
  scope: 'table' | 'partitions',
): Promise<string[]> {
  const files = tableFiles(layout, spec);
  if (scope === 'table' || !spec.partition || files.length === 0) return files;
  const rows = await db.all(
    `SELECT DISTINCT CAST(${spec.partition} AS VARCHAR) AS p FROM checked WHERE __reason IS NULL`,
  );
  const dirs = new Set(rows.map((r) => `${PARTITION_COLUMN}=${String(r.p)}`));
  return files.filter((f) => dirs.has(basename(dirname(f))));
}
