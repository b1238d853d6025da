import { type DuckDbSession, isStatementError, sqlIdent, sqlString } from '../duckdb/index.js';
import type { TableSpec } from '../lake/index.js';
import { type CompiledMapping, compileMapping, type Mapping, referencedColumns } from './mapping.js';
import { CarefulReadNeeded, csvRejectsSql, loadRaw, rawColumns, type SourceFile } from './sources.js';
import { loadSqlMapping } from './sql-mapping.js';
import { whyColumn } from './validate.js';

/** Name of the temporary table holding source i as read. */
export const rawTable = (i: number) => `raw_${i}`;

/** Drops what stageInput made of source i: its raw table, or the view of a fast CSV read. */
export async function dropRaw(db: DuckDbSession, i: number): Promise<void> {
  const name = rawTable(i);
  const views = await db.all('SELECT 1 FROM duckdb_views() WHERE temporary AND view_name = :name', { name });
  await db.run(`DROP ${views.length > 0 ? 'VIEW' : 'TABLE'} IF EXISTS ${name}`);
  await db.run(`DROP TABLE IF EXISTS ${name}_objects`);
}

/** The input as mapped rows: one SELECT per source, and what the run should tell the user. */
export interface StagedInput {
  /** SELECTs giving `__src, __line, __skip`, every lake column as VARCHAR, and a `__why_` column for each of `whys`. */
  selects: string[];
  /** Lake columns for which the mapping can give its own reason (a date that does not parse, …). */
  whys: Set<string>;
  /** The files the quarantine points at, by `__src` (for a SQL mapping, the one mapped result). */
  sources: SourceFile[];
  notes: string[];
}

/** Reads every source into raw tables and maps them (rules per file, or one SQL mapping over all). */
export async function stageInput(
  db: DuckDbSession,
  spec: TableSpec,
  sources: SourceFile[],
  careful: boolean,
  mapping: Mapping | undefined,
  enter: (phase: string) => void,
): Promise<StagedInput> {
  if (mapping?.sql !== undefined) {
    enter('reading the sources of the SQL mapping');
    const source = await loadSqlMapping(db, mapping, sources, rawTable(0));
    const compiled = await compileMapping(db, spec, rawTable(0), await rawColumns(db, rawTable(0)));
    const hasSkip = (await db.all(`DESCRIBE ${rawTable(0)}`)).some((r) => r.column_name === '__skip');
    const whys = whysOf([compiled]);
    const select = mappedSelect(spec, 0, rawTable(0), compiled, whys, hasSkip ? '__skip' : undefined);
    return { selects: [select], whys, sources: [source], notes: compiled.notes };
  }
  const staged: { from: string; compiled: CompiledMapping }[] = [];
  for (const [i, file] of sources.entries()) {
    enter(`reading ${file.path.split('/').pop()}`);
    staged.push(await loadFile(db, spec, file, i, careful, mapping));
  }
  // Every SELECT has the same columns (UNION ALL): a reason column where any source needs one.
  const compiled = staged.map((s) => s.compiled);
  const whys = whysOf(compiled);
  return {
    selects: staged.map((s, i) => mappedSelect(spec, i, s.from, s.compiled, whys)),
    whys,
    sources,
    notes: compiled.flatMap((c) => c.notes),
  };
}

function whysOf(compiled: CompiledMapping[]): Set<string> {
  return new Set(
    compiled.flatMap((c) => [...c.columns].filter(([, m]) => m.why !== 'NULL').map(([name]) => name)),
  );
}

function mappedSelect(
  spec: TableSpec,
  i: number,
  from: string,
  compiled: CompiledMapping,
  whys: Set<string>,
  skip?: string,
): string {
  const values = spec.columns.map(
    (c) => `${compiled.columns.get(c.name)?.expr ?? 'NULL'} AS ${sqlIdent(c.name)}`,
  );
  const reasons = [...whys].map(
    (name) => `${compiled.columns.get(name)?.why ?? 'NULL'} AS ${sqlIdent(whyColumn(name))}`,
  );
  const columns = [...values, ...reasons].join(', ');
  return `SELECT ${i} AS __src, __line, ${skip ?? compiled.skip} AS __skip, ${columns} FROM ${from}`;
}

/** Loads one source into a raw table and returns a SELECT giving its rows as mapped VARCHAR columns. */
async function loadFile(
  db: DuckDbSession,
  spec: TableSpec,
  file: SourceFile,
  i: number,
  careful: boolean,
  mapping?: Mapping,
): Promise<{ from: string; compiled: CompiledMapping }> {
  const name = rawTable(i);
  if (file.format === 'ndjson' && !careful) {
    await loadJsonFast(db, file, name, referencedColumns(spec, mapping));
  } else {
    const { rejects } = await loadRaw(db, file, name, careful);
    if (rejects > 0) await db.run(`INSERT INTO rejects ${csvRejectsSql(name, file.path)}`);
    if (file.format === 'ndjson') return stageJsonLines(db, spec, file, i, mapping);
  }
  return { from: name, compiled: await compileMapping(db, spec, name, await rawColumns(db, name), mapping) };
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
  // Each line is parsed once into a struct of the fields the mapping reads (all as text, so that
  // validation, not the parser, judges a wrong type); fields a record lacks are NULL.
  const sourceColumns = referencedColumns(spec, mapping);
  const shape = JSON.stringify(Object.fromEntries(sourceColumns.map((c) => [c, 'VARCHAR'])));
  await db.run(
    `CREATE TEMP TABLE ${name}_objects AS SELECT __line, json_transform(__json, ${sqlString(shape)}) AS __record
     FROM ${name} WHERE ${isObject}`,
  );
  const fields = sourceColumns.map((k) => `struct_extract(__record, ${sqlString(k)}) AS ${sqlIdent(k)}`);
  const objects = `(SELECT __line, ${fields.join(', ')} FROM ${name}_objects)`;
  return { from: objects, compiled: await compileMapping(db, spec, objects, sourceColumns, mapping) };
}

// DuckDB's own NDJSON reader, vectorised and without line numbers: like the fast CSV read, used until a
// line turns out malformed or a row invalid, then ingest starts over with stageJsonLines.
async function loadJsonFast(
  db: DuckDbSession,
  file: SourceFile,
  name: string,
  fields: string[],
): Promise<void> {
  const columns = fields.map((f) => `${sqlString(f)}: 'VARCHAR'`).join(', ');
  try {
    await db.run(
      `CREATE OR REPLACE TEMP TABLE ${name} AS SELECT *, CAST(NULL AS BIGINT) AS __line
       FROM read_json(${sqlString(file.path)}, format = 'newline_delimited', columns = {${columns}})`,
    );
  } catch (err) {
    // Only a fault in the file's contents sends ingest to the careful read; anything else is real.
    if (!isStatementError(err)) throw err;
    throw new CarefulReadNeeded((err as Error).message, { cause: err });
  }
}
