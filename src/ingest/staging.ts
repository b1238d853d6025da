import { type DuckDbSession, sqlIdent, sqlString } from '../duckdb/index.js';
import type { TableSpec } from '../lake/index.js';
import { type Mapping, mappedColumns, referencedColumns } from './mapping.js';
import { CarefulReadNeeded, csvRejectsSql, loadRaw, rawColumns, type SourceFile } from './sources.js';

/** Name of the temporary table holding source i as read. */
export const rawTable = (i: number) => `raw_${i}`;

/** Loads one source into a raw table and returns a SELECT giving its rows as mapped VARCHAR columns. */
export async function loadFile(
  db: DuckDbSession,
  spec: TableSpec,
  file: SourceFile,
  i: number,
  careful: boolean,
  mapping?: Mapping,
) {
  const name = rawTable(i);
  if (file.format === 'ndjson' && !careful) {
    await loadJsonFast(db, file, name, referencedColumns(spec, mapping));
  } else {
    const { rejects } = await loadRaw(db, file, name, careful);
    if (rejects > 0) await db.run(`INSERT INTO rejects ${csvRejectsSql(name, file.path)}`);
    if (file.format === 'ndjson') return stageJsonLines(db, spec, file, i, mapping);
  }
  const columns = await rawColumns(db, name);
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
  // Each line is parsed once into a struct of the fields the mapping reads (all as text, so that
  // validation, not the parser, judges a wrong type); fields a record lacks are NULL.
  const sourceColumns = referencedColumns(spec, mapping);
  const shape = JSON.stringify(Object.fromEntries(sourceColumns.map((c) => [c, 'VARCHAR'])));
  await db.run(
    `CREATE TEMP TABLE ${name}_objects AS SELECT __line, json_transform(__json, ${sqlString(shape)}) AS __record
     FROM ${name} WHERE ${isObject}`,
  );
  const exprs = mappedColumns(spec, sourceColumns, mapping);
  const fields = sourceColumns.map((k) => `struct_extract(__record, ${sqlString(k)}) AS ${sqlIdent(k)}`);
  const values = spec.columns.map((c) => `${exprs.get(c.name)} AS ${sqlIdent(c.name)}`).join(', ');
  const objects = `SELECT __line, ${fields.join(', ')} FROM ${name}_objects`;
  return `SELECT ${i} AS __src, __line, ${values} FROM (${objects})`;
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
    throw new CarefulReadNeeded((err as Error).message);
  }
}
