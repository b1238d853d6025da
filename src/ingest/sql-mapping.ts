import { existsSync, realpathSync, statSync } from 'node:fs';
import { dirname, isAbsolute, join, normalize, sep } from 'node:path';
import { DuckDbSession, sqlIdent } from '../duckdb/index.js';
import { UserError } from '../errors/index.js';
import { createRegionTables } from './country-sql.js';
import type { Mapping } from './mapping-schema.js';
import { csvRejectsSql, loadRaw, type SourceFile, sourceFile } from './sources.js';

/**
 * Runs a SQL mapping: each named source file is read (every column as text, plus `__line`, its line in
 * the file) into a table of a separate DuckDB session that then loses all file access for good, and the
 * mapping's one SELECT runs there; its rows are copied into `table` of `db` (every column as text,
 * `__line` = row of the result). The SELECT can read the sources and shoplake's region tables, nothing else.
 */
export async function loadSqlMapping(
  db: DuckDbSession,
  mapping: Mapping,
  inputs: SourceFile[],
  table: string,
): Promise<SourceFile> {
  const dir = exportDirectory(inputs);
  const sandbox = await DuckDbSession.open({ threads: 2 });
  try {
    const files = Object.entries(mapping.sources ?? {}).map(
      ([name, rel]) => [name, sourcePath(dir, rel)] as const,
    );
    for (const [name, file] of files) await loadRaw(sandbox, file, name, true);
    await createRegionTables(sandbox);
    await sandbox.lockDown();
    for (const [name, file] of files) {
      const rejects = `${table}_rejects_${name}`;
      await sandbox.copySelectInto(csvRejectsSql(name, file.path), db, rejects);
      await db.run(`INSERT INTO rejects SELECT * FROM ${sqlIdent(rejects)}`);
    }
    await sandbox.copySelectInto(mapping.sql ?? '', db, `${table}_result`);
  } finally {
    sandbox.close();
  }
  // Every column as text (validation judges the values), numbered in result order for the quarantine.
  await db.run(
    `CREATE TEMP TABLE ${table} AS SELECT CAST(COLUMNS(c -> c <> '__line') AS VARCHAR), rowid + 1 AS __line FROM ${table}_result`,
  );
  await db.run(`DROP TABLE ${table}_result`);
  return { path: `${dir} (SQL mapping)`, format: 'csv' };
}

// The export is the ingested directory (or the directory of the ingested file).
function exportDirectory(inputs: SourceFile[]): string {
  const [first] = inputs;
  if (!first) throw new UserError('no input files');
  return dirname(first.path);
}

// Only files inside the export directory can be named: a mapping cannot reach elsewhere on the disk.
function sourcePath(dir: string, rel: string): SourceFile {
  const clean = normalize(rel);
  if (isAbsolute(clean) || clean === '..' || clean.startsWith(`..${sep}`)) {
    throw new UserError(`mapping source ${rel}: name a file inside ${dir} (relative, without ..)`);
  }
  const path = join(dir, clean);
  if (!existsSync(path) || !statSync(path).isFile()) {
    throw new UserError(`mapping source ${rel} does not exist in ${dir}`);
  }
  // A link inside the directory must not lead outside it either.
  const real = realpathSync(path);
  if (!real.startsWith(realpathSync(dir) + sep)) {
    throw new UserError(`mapping source ${rel} leads outside ${dir}: name a file inside it`);
  }
  return sourceFile(path);
}
