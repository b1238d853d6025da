import { type DuckDbSession, sqlIdent, sqlString } from '../engines/index.js';
import type { TableSpec } from '../lake/index.js';
import { type Mapping, mappedColumns } from './mapping.js';
import { csvRejectsSql, loadRaw, type SourceFile } from './sources.js';

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
