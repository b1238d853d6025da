import { closeSync, existsSync, openSync, readdirSync, readSync, statSync } from 'node:fs';
import { extname, join, resolve } from 'node:path';
import { parse as parseCsv } from 'csv-parse/sync';
import { type DuckDbSession, isStatementError, sqlIdent, sqlString } from '../duckdb/index.js';
import { UserError } from '../errors/index.js';
import { copyWithoutLongLines, MAX_LINE_BYTES } from './long-lines.js';

export type SourceFormat = 'csv' | 'ndjson' | 'parquet';

/** One input file and how to read it. */
export interface SourceFile {
  path: string;
  format: SourceFormat;
}

const FORMAT_BY_EXTENSION: Record<string, SourceFormat> = {
  '.csv': 'csv',
  '.tsv': 'csv',
  '.ndjson': 'ndjson',
  '.jsonl': 'ndjson',
  '.json': 'ndjson',
  '.parquet': 'parquet',
};

/** The files to ingest: the file itself, or every supported file in a directory (sorted, not recursive). */
export function resolveSources(input: string): SourceFile[] {
  const path = resolve(input);
  if (!existsSync(path)) throw new UserError(`input ${input} does not exist: give a file or a directory`);
  if (statSync(path).isDirectory()) {
    const files = readdirSync(path)
      .filter((f) => FORMAT_BY_EXTENSION[extname(f).toLowerCase()])
      .sort()
      .map((f) => sourceFile(join(path, f)));
    if (files.length === 0)
      throw new UserError(`no .csv, .ndjson, .jsonl, .json or .parquet file in ${input}`);
    return files;
  }
  return [sourceFile(path)];
}

// A mapping or a read-me kept beside the exports (docs/examples/*) is not data left out.
const NOT_DATA = ['.yaml', '.yml', '.md'];

/**
 * The files of an input directory that resolveSources does not read (a compressed `orders.csv.gz`, a
 * `.xlsx`), hidden files aside, so that the report can say so: they were left out without a word, and
 * their rows with them.
 */
export function unreadFiles(input: string): string[] {
  const path = resolve(input);
  if (!statSync(path, { throwIfNoEntry: false })?.isDirectory()) return [];
  return readdirSync(path, { withFileTypes: true })
    .filter((e) => {
      const ext = extname(e.name).toLowerCase();
      return e.isFile() && !e.name.startsWith('.') && !FORMAT_BY_EXTENSION[ext] && !NOT_DATA.includes(ext);
    })
    .map((e) => e.name)
    .sort();
}

/** A file with the format its extension names, or a user error. */
export function sourceFile(path: string): SourceFile {
  const format = FORMAT_BY_EXTENSION[extname(path).toLowerCase()];
  if (!format)
    throw new UserError(`cannot read ${path}: use a .csv, .ndjson, .jsonl, .json or .parquet file`);
  return { path, format };
}

/**
 * Loads one file into a temporary table `name` with every column as VARCHAR plus `__line` (line in the
 * file, or record number for Parquet); NDJSON files get one `__json` column holding the line. Returns the
 * unreadable lines (wrong column count, broken quoting) as rejects so that they can be quarantined too.
 */
export async function loadRaw(
  db: DuckDbSession,
  file: SourceFile,
  name: string,
  careful: boolean,
): Promise<{ columns: string[]; rejects: number }> {
  if (file.format === 'csv' && isBlank(file.path)) {
    throw new UserError(`${file.path} is empty: a CSV file needs a header row naming its columns`);
  }
  if (file.format === 'csv') refuseRepeatedHeader(file);
  if (file.format !== 'parquet' && isUtf16(file.path)) {
    // DuckDB said only "CSV Error on Line: 1" (or quarantined every line) for Excel's "Unicode Text".
    throw new UserError(
      `${file.path} is UTF-16 text: save it as UTF-8 (in Excel, "CSV UTF-8"; or iconv -f UTF-16 -t UTF-8) and ingest that`,
    );
  }
  const path = sqlString(file.path);
  let rejects = 0;
  if (file.format === 'csv' && !careful) {
    await loadCsvFast(db, path, name, dialect(file));
    return { columns: await rawColumns(db, name), rejects };
  }
  try {
    if (file.format === 'csv') rejects = await loadCsvSkippingLongLines(db, file, name);
    if (file.format === 'parquet') {
      await db.run(
        `CREATE OR REPLACE TEMP TABLE ${name} AS SELECT CAST(COLUMNS(* EXCLUDE (file_row_number)) AS VARCHAR),
           file_row_number + 1 AS __line FROM read_parquet(${path}, file_row_number = true)`,
      );
    }
    if (file.format === 'ndjson') {
      await db.run(
        `CREATE OR REPLACE TEMP TABLE ${name} AS SELECT __json, row_number() OVER () AS __line FROM read_csv(${path},
           columns = {'__json': 'VARCHAR'}, delim = ${sqlString('\u001f')}, quote = '', escape = '', header = false,
           auto_detect = false)`,
      );
    }
  } catch (err) {
    // Only a fault in the file's contents is the user's to fix; out of memory, a full disk or a bug
    // stays an internal error with its cause.
    if (!isStatementError(err)) throw err;
    const expected = {
      csv: 'CSV (UTF-8 text with a header row)',
      ndjson: 'NDJSON (UTF-8, one JSON object per line)',
      parquet: 'Parquet',
    }[file.format];
    const reason = (err as Error).message.split('\n')[0];
    throw new UserError(`cannot read ${file.path} as ${expected}: ${reason}`, { cause: err });
  }
  return { columns: await rawColumns(db, name), rejects };
}

/** Source columns of a raw table (without shoplake's own `__` columns). */
export async function rawColumns(db: DuckDbSession, name: string): Promise<string[]> {
  const described = await db.all(`DESCRIBE ${name}`);
  return described.map((r) => String(r.column_name)).filter((c) => !c.startsWith('__'));
}

/** SQL giving a raw row back as text (JSON object of its columns, or the NDJSON line), for the quarantine. */
export function rawRecordSql(file: SourceFile, columns: string[], alias: string): string {
  if (file.format === 'ndjson') return `${alias}.__json`;
  const pairs = columns.map((c) => `${sqlString(c)}, ${alias}.${sqlIdent(c)}`);
  return `CAST(json_object(${pairs.join(', ')}) AS VARCHAR)`;
}

/** Thrown when the fast read cannot be used; the caller starts again with a careful read. */
export class CarefulReadNeeded extends Error {}

// Numbering lines forces DuckDB to read the file in order on one thread, and keeping rejected lines
// costs another pass, so clean files (the usual case) are read without either. Lines are only needed
// to point at bad rows: as soon as one shows up, ingest starts over with loadCsv.
// The fast read is a view, not a table: the file is parsed once, by the statement that validates its
// rows (stageChecked), instead of being copied into a temporary table first (a copy of every row as text,
// which spilled to disk at 40M events). A fault in the file then surfaces in that statement; ingest
// turns it into CarefulReadNeeded there (see fastReadFailure).
async function loadCsvFast(db: DuckDbSession, path: string, name: string, options: string): Promise<void> {
  try {
    await db.run(
      `CREATE OR REPLACE TEMP VIEW ${name} AS SELECT *, CAST(NULL AS BIGINT) AS __line
       FROM read_csv(${path}, ${options})`,
    );
    // Binding the view reads the header; a file DuckDB cannot read at all fails here already.
    await db.run(`DESCRIBE ${name}`);
  } catch (err) {
    // Only a fault in the file's contents sends ingest to the careful read; anything else is real.
    if (!isStatementError(err)) throw err;
    throw new CarefulReadNeeded((err as Error).message, { cause: err });
  }
}

/**
 * What a failed statement over the fast reads (the lazy CSV views) means: like a failed fast read, a
 * statement error sends ingest to the careful read, which points at the bad lines (and, should the
 * statement itself be at fault, fails again there with the error as it is). Anything else (out of
 * memory, a full disk) stays what it is.
 */
export function fastReadFailure(err: unknown): unknown {
  if (!isStatementError(err)) return err;
  return new CarefulReadNeeded(err instanceof Error ? err.message : String(err), { cause: err });
}

/**
 * A header that names a column twice is refused: DuckDB renames the second (`price_1`) and ingest read the
 * first alone, so the other column's values were dropped without a word. The header is read with
 * csv-parse (quotes as the CSV reader takes them) from the file's first 64 KB.
 */
function refuseRepeatedHeader(file: SourceFile): void {
  const head = fileHead(file.path, 64 * 1024).toString('utf8');
  const delimiter = csvDelimiter(file);
  let names: string[] = [];
  try {
    const [first] = parseCsv(head, {
      bom: true,
      delimiter,
      to_line: 1,
      relax_column_count: true,
      relax_quotes: true,
    });
    names = Array.isArray(first) ? first.map((n) => String(n).trim()) : [];
  } catch {
    // A header csv-parse cannot read is left to DuckDB, which says what is wrong with it.
    return;
  }
  const seen = new Set<string>();
  const repeated = [...new Set(names.filter((n) => n !== '' && (seen.has(n) || !seen.add(n))))];
  if (repeated.length > 0) {
    throw new UserError(
      `${file.path}: the header names ${repeated.map((n) => `'${n}'`).join(', ')} more than once: rename the columns so that each name is used once`,
    );
  }
}

// A UTF-16 file starts with its byte order mark (FF FE or FE FF).
function isUtf16(path: string): boolean {
  const head = fileHead(path, 2);
  return (
    head.length === 2 && ((head[0] === 0xff && head[1] === 0xfe) || (head[0] === 0xfe && head[1] === 0xff))
  );
}

// The first `bytes` bytes of a file (fewer if it is shorter).
function fileHead(path: string, bytes: number): Buffer {
  const fd = openSync(path, 'r');
  try {
    const buffer = Buffer.alloc(bytes);
    return buffer.subarray(0, readSync(fd, buffer, 0, bytes, 0));
  } finally {
    closeSync(fd);
  }
}

// A .tsv file is tab-separated; every other CSV input comma-separated.
function csvDelimiter(file: SourceFile): string {
  return file.path.toLowerCase().endsWith('.tsv') ? '\t' : ',';
}

// An empty file (or one of blank lines) has no header; DuckDB would invent a column "column0" for it.
function isBlank(path: string): boolean {
  const fd = openSync(path, 'r');
  try {
    const buffer = Buffer.alloc(64 * 1024);
    for (let n = readSync(fd, buffer); n > 0; n = readSync(fd, buffer)) {
      if (buffer.subarray(0, n).toString('utf8').trim() !== '') return false;
    }
    return true;
  } finally {
    closeSync(fd);
  }
}

// The dialect is fixed rather than sniffed: a sniffer can mistake a file with one broken line for a
// one-column file, and the fast and careful reads must see the same columns. `skip = 0` too: left to
// itself, DuckDB's sniffer skips the lines above a row with an extra field in a short file and takes
// that row for the header (the header and the good rows were lost, and the error named data as columns).
function dialect(file: SourceFile): string {
  const delim = csvDelimiter(file);
  return `all_varchar = true, header = true, skip = 0, delim = ${sqlString(delim)}, quote = '"', escape = '"'`;
}

// A line too long for DuckDB's reader fails the whole file; read a copy without such lines instead and
// reject each of them by its line number, so that only they are quarantined.
async function loadCsvSkippingLongLines(db: DuckDbSession, file: SourceFile, name: string): Promise<number> {
  let rejects: number | undefined;
  try {
    rejects = await loadCsv(db, sqlString(file.path), name, dialect(file));
  } catch (err) {
    if (!(err instanceof Error && /Maximum line size/.test(err.message))) throw err;
  }
  if (rejects !== undefined) {
    await toPhysicalLines(db, file.path, name);
    return rejects;
  }
  // (The copy's lines are not the file's once a long line is out: its records keep their numbers.)
  const { copy, long, cleanup } = await copyWithoutLongLines(file.path);
  try {
    const rejects = await loadCsv(db, sqlString(copy), name, dialect(file));
    for (const { line, bytes, head } of long) {
      await db.run(`UPDATE ${name}_rej SET error_message = :reason, csv_line = :head WHERE line = :line`, {
        reason: `line of ${bytes} bytes, longer than ${MAX_LINE_BYTES}`,
        head: `${head}…`,
        line,
      });
    }
    return rejects;
  } finally {
    cleanup();
  }
}

async function loadCsv(db: DuckDbSession, path: string, name: string, options: string): Promise<number> {
  const rejTable = `${name}_rej`;
  await db.run(
    `CREATE OR REPLACE TEMP TABLE ${name}_read AS SELECT *, row_number() OVER () + 1 AS __line FROM read_csv(${path},
       ${options}, store_rejects = true, ignore_errors = true,
       rejects_table = ${sqlString(rejTable)}, rejects_scan = ${sqlString(`${name}_scan`)})`,
  );
  const [{ n } = { n: 0 }] = await db.all(`SELECT count(*) AS n FROM ${rejTable}`);
  const rejects = Number(n);
  if (rejects === 0) {
    await db.run(`ALTER TABLE ${name}_read RENAME TO ${name}`);
    return 0;
  }
  // Good row k (read as line k + 1) sits after every rejected line that has fewer than k good rows before
  // it, so each such line pushes it one further down the file.
  const lineExpr = `__line + (SELECT count(*) FROM (SELECT line - row_number() OVER (ORDER BY line) - 1 AS good_before
           FROM (SELECT DISTINCT line FROM ${rejTable})) g WHERE g.good_before < r.__line - 1)`;
  await db.run(
    `CREATE OR REPLACE TEMP TABLE ${name} AS SELECT r.* REPLACE (${lineExpr} AS __line) FROM ${name}_read r`,
  );
  await db.run(`DROP TABLE ${name}_read`);
  return rejects;
}
/**
 * DuckDB numbers a CSV's records (header = 1), not its lines: after a quoted field holding a line break,
 * or a blank line, every later row was reported a line or more too early, so the quarantine pointed at the
 * wrong line of the file. This renumbers the raw table's `__line` and the rejects' `line` to the line
 * each record starts on. A line starts a record when the quotes before it are balanced (a doubled quote,
 * the escape, counts twice) and it is not blank (DuckDB skips blank lines); the file is read once more, as
 * lines, only by the careful read. If the count of records found so differs from DuckDB's (broken
 * quoting), the record numbers stay as they are rather than pointing at a wrong line.
 */
async function toPhysicalLines(db: DuckDbSession, path: string, name: string): Promise<void> {
  const nonBlank = `l IS NOT NULL AND l <> '' AND l <> ${sqlString('\r')}`;
  const linesOnly = `SELECT l FROM read_csv(${sqlString(path)}, columns = {'l': 'VARCHAR'},
      delim = ${sqlString('\u001f')}, quote = '', escape = '', header = false, auto_detect = false)`;
  const lines = `SELECT row_number() OVER () AS n, l FROM (${linesOnly})`;
  const starts = `SELECT n, row_number() OVER (ORDER BY n) AS k FROM (
      SELECT n, l, coalesce(sum(length(l) - length(replace(l, '"', ''))) OVER (ORDER BY n
        ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING), 0) AS quotes_before FROM (${lines}))
      WHERE quotes_before % 2 = 0 AND ${nonBlank}`;
  // The usual file, one record a line and no blank line, needs nothing: one pass without a window tells
  // (numbering the lines held them all in memory: 250 MB more on 1M rows).
  const [plain] = await db.all(
    `SELECT count(*) AS lines, count(*) FILTER (WHERE ${nonBlank}) AS filled,
       (SELECT count(*) FROM ${name}) + (SELECT count(DISTINCT line) FROM ${name}_rej) + 1 AS records
     FROM (${linesOnly})`,
  );
  if (
    plain &&
    Number(plain.lines) === Number(plain.records) &&
    Number(plain.filled) === Number(plain.records)
  )
    return;
  await db.run(`CREATE OR REPLACE TEMP TABLE ${name}_starts AS ${starts}`);
  const [row] = await db.all(
    `SELECT (SELECT count(*) FROM ${name}_starts) AS found, (SELECT count(*) FROM ${name}_starts WHERE k <> n) AS moved,
       (SELECT count(*) FROM ${name}) + (SELECT count(DISTINCT line) FROM ${name}_rej) + 1 AS records`,
  );
  if (row && Number(row.moved) > 0 && Number(row.found) === Number(row.records)) {
    await db.run(`UPDATE ${name} SET __line = s.n FROM ${name}_starts s WHERE s.k = ${name}.__line`);
    await db.run(`UPDATE ${name}_rej SET line = s.n FROM ${name}_starts s WHERE s.k = ${name}_rej.line`);
  }
  await db.run(`DROP TABLE ${name}_starts`);
}

/** The CSV lines that could not be parsed, with DuckDB's reason, as quarantine rows. */
export function csvRejectsSql(name: string, file: string): string {
  return `SELECT ${sqlString(file)} AS source, CAST(line AS BIGINT) AS line,
    'unreadable CSV line: ' || error_message AS reason, csv_line AS record
    FROM (SELECT DISTINCT ON (line) line, error_message, csv_line FROM ${name}_rej ORDER BY line)`;
}
