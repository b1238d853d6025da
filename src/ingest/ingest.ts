import { randomUUID } from 'node:crypto';
import { mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { DuckDbSession, sqlIdent, sqlString, tableSelectSql } from '../engines/index.js';
import { dataLayout, type TableSpec, tableFiles, writeBatch } from '../lake/index.js';
import { type Mapping, mappedColumns } from './mapping.js';
import {
  CarefulReadNeeded,
  csvRejectsSql,
  loadRaw,
  rawColumns,
  rawRecordSql,
  resolveSources,
  type SourceFile,
} from './sources.js';
import { reasonSql, typedSql } from './validate.js';

/** Counts one ingest run reports; read = loaded + duplicate + quarantined. */
export interface IngestReport {
  table: string;
  files: number;
  read: number;
  loaded: number;
  duplicate: number;
  quarantined: number;
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
  onPhase?: (phase: string) => void;
  /** DuckDB threads (default: one per core); the collector compacts on one to leave a core for requests. */
  threads?: number;
  /** DuckDB memory limit, e.g. '1GB' (default $SHOPLAKE_MEMORY_LIMIT or 4GB); larger inputs spill to disk. */
  memoryLimit?: string;
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
    options.onPhase?.('bad or repeated rows found: reading again with line numbers');
    return ingestOnce(options, started, true);
  }
}

async function ingestOnce(options: IngestOptions, started: number, careful: boolean): Promise<IngestReport> {
  const { table: spec } = options;
  const layout = dataLayout(options.dataDir);
  const sources = resolveSources(options.input);
  const tempDirectory = join(layout.staging, `tmp-${randomUUID().slice(0, 8)}`);
  mkdirSync(tempDirectory, { recursive: true });
  // Bounded so that a 40M-row file spills to disk instead of taking the machine's memory.
  const db = await DuckDbSession.open({
    tempDirectory,
    memoryLimit: options.memoryLimit ?? process.env.SHOPLAKE_MEMORY_LIMIT ?? '4GB',
    ...(options.threads ? { threads: options.threads } : {}),
  });
  try {
    await db.run('CREATE TEMP TABLE rejects (source VARCHAR, line BIGINT, reason VARCHAR, record VARCHAR)');
    const mapped: string[] = [];
    for (const [i, file] of sources.entries()) {
      options.onPhase?.(`reading ${file.path}`);
      mapped.push(await loadFile(db, spec, file, i, careful, options.mapping));
    }
    options.onPhase?.('validating');
    const typed = spec.columns.map((c) =>
      spec.name === 'clickstream' && c.name === 'event_id'
        ? `coalesce(${typedSql(c)}, ${contentIdSql(spec)}) AS event_id`
        : `${typedSql(c)} AS ${sqlIdent(c.name)}`,
    );
    await db.run(
      `CREATE TEMP TABLE checked AS SELECT __src, __line, ${reasonSql(spec)} AS __reason, ${typed.join(', ')}
       FROM (${mapped.join(' UNION ALL ')})`,
    );
    const keyCols = spec.key.map(sqlIdent).join(', ');
    const [counts] = await db.all(
      `SELECT count(*) AS staged, count(*) FILTER (WHERE __reason IS NULL) AS valid,
         count(DISTINCT (${keyCols})) FILTER (WHERE __reason IS NULL) AS distinct_keys FROM checked`,
    );
    const staged = Number(counts?.staged ?? 0);
    const valid = Number(counts?.valid ?? 0);
    const unreadable = Number((await db.all('SELECT count(*) AS n FROM rejects'))[0]?.n ?? 0);
    const quarantined = staged - valid + unreadable;
    // Ranking rows by key is costly, so it only runs when the input repeats a key.
    const repeats = Number(counts?.distinct_keys ?? 0) < valid;
    // Quarantine records and "first of a repeated key" both need line numbers.
    if (!careful && (quarantined > 0 || repeats)) throw new CarefulReadNeeded('line numbers needed');
    const quarantineFile =
      quarantined > 0 ? await writeQuarantine(db, sources, layout.quarantine, spec.name) : null;
    // Raw copies are only kept for quarantine records; free them before the heavy steps.
    for (const i of sources.keys()) {
      await db.run(`DROP TABLE IF EXISTS ${rawTable(i)}`);
      await db.run(`DROP TABLE IF EXISTS ${rawTable(i)}_objects`);
    }

    options.onPhase?.('deduplicating and writing');
    const conditions = ['__reason IS NULL'];
    if (tableFiles(layout, spec).length > 0) {
      await db.run(`CREATE TEMP VIEW lake_rows AS ${tableSelectSql(layout, spec)}`);
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
      quarantineFile,
      seconds: (performance.now() - started) / 1000,
    };
  } finally {
    db.close();
    rmSync(tempDirectory, { recursive: true, force: true });
  }
}

const rawTable = (i: number) => `raw_${i}`;

/** Loads one source into a raw table and returns a SELECT giving its rows as mapped VARCHAR columns. */
async function loadFile(
  db: DuckDbSession,
  spec: TableSpec,
  file: SourceFile,
  i: number,
  careful: boolean,
  mapping?: Mapping,
) {
  const name = rawTable(i);
  const { columns, rejects } = await loadRaw(db, file, name, careful);
  if (rejects > 0) await db.run(`INSERT INTO rejects ${csvRejectsSql(name, file.path)}`);
  if (file.format === 'ndjson') return stageJsonLines(db, spec, file, i, mapping);
  const exprs = mappedColumns(spec, columns, mapping);
  const values = spec.columns.map((c) => `${exprs.get(c.name)} AS ${sqlIdent(c.name)}`).join(', ');
  return `SELECT ${i} AS __src, __line, ${values} FROM ${name}`;
}

// NDJSON lines are parsed here so that a malformed line is quarantined with its line number
// instead of failing the whole file or being skipped silently.
async function stageJsonLines(
  db: DuckDbSession,
  spec: TableSpec,
  file: SourceFile,
  i: number,
  mapping?: Mapping,
) {
  const name = rawTable(i);
  // CASE, not AND: DuckDB may evaluate AND operands in any order, and json_type fails on broken JSON.
  const isObject = `CASE WHEN json_valid(__json) THEN json_type(__json) = 'OBJECT' ELSE false END`;
  await db.run(
    `INSERT INTO rejects SELECT ${sqlString(file.path)}, __line, CASE WHEN NOT json_valid(__json) THEN 'malformed JSON'
       ELSE 'not a JSON object' END, __json FROM ${name} WHERE trim(__json) <> '' AND NOT (${isObject})`,
  );
  await db.run(`CREATE TEMP TABLE ${name}_objects AS SELECT __line, __json FROM ${name} WHERE ${isObject}`);
  const keys = await db.all(`SELECT DISTINCT unnest(json_keys(__json)) AS k FROM ${name}_objects`);
  const sourceColumns = keys.map((r) => String(r.k));
  const exprs = mappedColumns(
    spec,
    sourceColumns.length ? sourceColumns : spec.columns.map((c) => c.name),
    mapping,
  );
  const fields = sourceColumns.map(
    (k) => `json_extract_string(__json, ${sqlString(`$."${k.replaceAll('"', '\\"')}"`)}) AS ${sqlIdent(k)}`,
  );
  const values = spec.columns.map((c) => `${exprs.get(c.name)} AS ${sqlIdent(c.name)}`).join(', ');
  const objects = `SELECT __line${fields.length ? `, ${fields.join(', ')}` : ''} FROM ${name}_objects`;
  return `SELECT ${i} AS __src, __line, ${values} FROM (${objects})`;
}

/**
 * Identity of an event without a client id: a hash of its content, so re-sending the same event is a
 * duplicate. 'h' + the first 24 hex digits of md5 over the typed fields as text, joined by '|'.
 */
export function contentIdSql(spec: TableSpec): string {
  const byName = new Map(spec.columns.map((c) => [c.name, c]));
  const content = [
    'timestamp',
    'session_id',
    'customer_id',
    'action',
    'page',
    'product_id',
    'device',
    'duration_seconds',
  ]
    .map((name) => {
      const column = byName.get(name);
      if (!column) throw new Error(`clickstream has no column ${name}`);
      return `coalesce(CAST(${typedSql(column)} AS VARCHAR), '')`;
    })
    .join(", '|', ");
  return `'h' || left(md5(concat(${content})), 24)`;
}

async function writeQuarantine(
  db: DuckDbSession,
  sources: SourceFile[],
  dir: string,
  table: string,
): Promise<string> {
  const target = join(dir, table);
  mkdirSync(target, { recursive: true });
  const file = join(
    target,
    `${new Date().toISOString().replaceAll(':', '-')}-${randomUUID().slice(0, 8)}.ndjson`,
  );
  const parts = ['SELECT * FROM rejects'];
  for (const [i, source] of sources.entries()) {
    const record = rawRecordSql(source, await rawColumns(db, rawTable(i)), 'r');
    parts.push(
      `SELECT ${sqlString(source.path)} AS source, c.__line AS line, c.__reason AS reason, ${record} AS record
       FROM checked c JOIN ${rawTable(i)} r ON r.__line = c.__line WHERE c.__src = ${i} AND c.__reason IS NOT NULL`,
    );
  }
  await db.run(
    `COPY (${parts.join(' UNION ALL ')} ORDER BY source, line) TO ${sqlString(file)} (FORMAT json)`,
  );
  return file;
}
