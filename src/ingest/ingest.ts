import { randomUUID } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { DuckDbSession, sqlIdent, sqlString, tableSelectSql } from '../engines/index.js';
import { dataLayout, type TableSpec, writeBatch } from '../lake/index.js';
import { type Mapping, mappedColumns } from './mapping.js';
import { csvRejectsSql, loadRaw, resolveSources, type SourceFile } from './sources.js';
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
}

export interface IngestOptions {
  dataDir: string;
  table: TableSpec;
  input: string;
  mapping?: Mapping;
  onPhase?: (phase: string) => void;
}

/**
 * Validates every row of the input against the table's schema, quarantines bad rows with their reason,
 * skips rows whose key is already in the lake or earlier in the input, and appends the rest to the lake.
 */
export async function ingest(options: IngestOptions): Promise<IngestReport> {
  const { table: spec } = options;
  const layout = dataLayout(options.dataDir);
  const sources = resolveSources(options.input);
  const db = await DuckDbSession.open();
  try {
    await db.run(
      `CREATE TEMP TABLE staged (__file VARCHAR, __line BIGINT, __raw VARCHAR, ${spec.columns
        .map((c) => `${sqlIdent(c.name)} VARCHAR`)
        .join(', ')})`,
    );
    await db.run('CREATE TEMP TABLE rejects (source VARCHAR, line BIGINT, reason VARCHAR, record VARCHAR)');
    for (const [i, file] of sources.entries()) {
      options.onPhase?.(`reading ${file.path}`);
      await stageFile(db, spec, file, `raw_${i}`, options.mapping);
    }
    options.onPhase?.('validating');
    await db.run(`CREATE TEMP TABLE checked AS SELECT *, ${reasonSql(spec)} AS __reason FROM staged`);
    const typed = spec.columns.map((c) => `${typedSql(c)} AS ${sqlIdent(c.name)}`);
    await db.run(
      `CREATE TEMP TABLE valid AS SELECT __file, __line, ${typed.join(', ')} FROM checked WHERE __reason IS NULL`,
    );
    if (spec.name === 'clickstream') await deriveEventIds(db);
    options.onPhase?.('deduplicating');
    const keyMatch = spec.key.map((k) => `l.${sqlIdent(k)} = v.${sqlIdent(k)}`).join(' AND ');
    const keyCols = spec.key.map(sqlIdent).join(', ');
    await db.run(`CREATE TEMP VIEW lake_rows AS ${tableSelectSql(layout, spec)}`);
    await db.run(
      `CREATE TEMP TABLE fresh AS SELECT * EXCLUDE (__rank) FROM (
         SELECT *, row_number() OVER (PARTITION BY ${keyCols} ORDER BY __file, __line) AS __rank FROM valid v
         WHERE NOT EXISTS (SELECT 1 FROM lake_rows l WHERE ${keyMatch})) WHERE __rank = 1`,
    );
    const count = async (sql: string) => Number((await db.all(`SELECT count(*) AS n FROM ${sql}`))[0]?.n ?? 0);
    const staged = await count('staged');
    const valid = await count('valid');
    const loaded = await count('fresh');
    const unreadable = await count('rejects');
    const quarantined = staged - valid + unreadable;
    if (loaded > 0) {
      options.onPhase?.(`writing ${loaded} rows`);
      await writeBatch(db, layout, spec, 'fresh');
    }
    const quarantineFile = quarantined > 0 ? await writeQuarantine(db, layout.quarantine, spec.name) : null;
    return {
      table: spec.name,
      files: sources.length,
      read: staged + unreadable,
      loaded,
      duplicate: valid - loaded,
      quarantined,
      quarantineFile,
    };
  } finally {
    db.close();
  }
}

async function stageFile(db: DuckDbSession, spec: TableSpec, file: SourceFile, name: string, mapping?: Mapping) {
  const { columns, rejects } = await loadRaw(db, file, name);
  if (file.format === 'ndjson') {
    await stageJsonLines(db, spec, file, name, mapping);
  } else {
    const exprs = mappedColumns(spec, columns, mapping);
    const targets = spec.columns.map((c) => sqlIdent(c.name)).join(', ');
    const values = spec.columns.map((c) => exprs.get(c.name)).join(', ');
    await db.run(
      `INSERT INTO staged (__file, __line, __raw, ${targets}) SELECT ${sqlString(file.path)}, __line, __raw, ${values} FROM ${name}`,
    );
  }
  if (rejects > 0) await db.run(`INSERT INTO rejects ${csvRejectsSql(name, file.path)}`);
  await db.run(`DROP TABLE ${name}`);
}

// NDJSON lines are parsed here so that a malformed line is quarantined with its line number
// instead of failing the whole file or being skipped silently.
async function stageJsonLines(db: DuckDbSession, spec: TableSpec, file: SourceFile, name: string, mapping?: Mapping) {
  const path = sqlString(file.path);
  await db.run(
    `INSERT INTO rejects SELECT ${path}, __line, CASE WHEN NOT json_valid(__raw) THEN 'malformed JSON'
       ELSE 'not a JSON object' END, __raw FROM ${name}
       WHERE trim(__raw) <> '' AND (NOT json_valid(__raw) OR json_type(__raw) <> 'OBJECT')`,
  );
  const keys = await db.all(
    `SELECT DISTINCT unnest(json_keys(__raw)) AS k FROM ${name} WHERE json_valid(__raw) AND json_type(__raw) = 'OBJECT'`,
  );
  const sourceColumns = keys.map((r) => String(r.k));
  const exprs = mappedColumns(spec, sourceColumns.length ? sourceColumns : spec.columns.map((c) => c.name), mapping);
  const fields = sourceColumns.map((k) => `json_extract_string(__raw, ${sqlString(`$."${k.replaceAll('"', '\\"')}"`)}) AS ${sqlIdent(k)}`);
  const targets = spec.columns.map((c) => sqlIdent(c.name)).join(', ');
  const values = spec.columns.map((c) => exprs.get(c.name)).join(', ');
  const objects = `SELECT __line, __raw${fields.length ? `, ${fields.join(', ')}` : ''} FROM ${name}
    WHERE json_valid(__raw) AND json_type(__raw) = 'OBJECT'`;
  await db.run(
    `INSERT INTO staged (__file, __line, __raw, ${targets}) SELECT ${path}, __line, __raw, ${values} FROM (${objects})`,
  );
}

// Events without a client id are identified by their content, so re-sending the same event is a duplicate.
async function deriveEventIds(db: DuckDbSession) {
  const content = ['timestamp', 'session_id', 'customer_id', 'action', 'page', 'product_id', 'device', 'duration_seconds']
    .map((c) => `coalesce(CAST(${sqlIdent(c)} AS VARCHAR), '')`)
    .join(", '|', ");
  await db.run(`UPDATE valid SET event_id = 'h' || left(md5(concat(${content})), 24) WHERE event_id IS NULL`);
}

async function writeQuarantine(db: DuckDbSession, dir: string, table: string): Promise<string> {
  const target = join(dir, table);
  mkdirSync(target, { recursive: true });
  const file = join(target, `${new Date().toISOString().replaceAll(':', '-')}-${randomUUID().slice(0, 8)}.ndjson`);
  await db.run(
    `COPY (SELECT __file AS source, __line AS line, __reason AS reason, __raw AS record FROM checked
           WHERE __reason IS NOT NULL UNION ALL SELECT * FROM rejects ORDER BY source, line)
     TO ${sqlString(file)} (FORMAT json)`,
  );
  return file;
}
