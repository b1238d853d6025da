import type { DuckDBDataChunk, DuckDBResult, DuckDBType, DuckDBTypeId } from '@duckdb/node-api';
import { duckdb } from './client.js';
import { exactNumber } from './exact-number.js';
import type { Column, Row, RowStream } from './types.js';

// Types whose JSON form is a string (to keep 64-bit precision) but that analyses want as numbers.
const NUMERIC_AS_STRING = new Set<DuckDBTypeId>([
  duckdb.DuckDBTypeId.BIGINT,
  duckdb.DuckDBTypeId.UBIGINT,
  duckdb.DuckDBTypeId.HUGEINT,
  duckdb.DuckDBTypeId.UHUGEINT,
  duckdb.DuckDBTypeId.DECIMAL,
]);

const NUMERIC = new Set<DuckDBTypeId>([
  ...NUMERIC_AS_STRING,
  duckdb.DuckDBTypeId.TINYINT,
  duckdb.DuckDBTypeId.SMALLINT,
  duckdb.DuckDBTypeId.INTEGER,
  duckdb.DuckDBTypeId.UTINYINT,
  duckdb.DuckDBTypeId.USMALLINT,
  duckdb.DuckDBTypeId.UINTEGER,
  duckdb.DuckDBTypeId.FLOAT,
  duckdb.DuckDBTypeId.DOUBLE,
]);

// Types whose values node-api already hands over as JSON-ready strings, numbers, booleans or bigints:
// read straight from the vector, which is several times faster than the generic converter.
const DIRECT = new Set<DuckDBTypeId>([
  duckdb.DuckDBTypeId.VARCHAR,
  duckdb.DuckDBTypeId.BOOLEAN,
  duckdb.DuckDBTypeId.TINYINT,
  duckdb.DuckDBTypeId.SMALLINT,
  duckdb.DuckDBTypeId.INTEGER,
  duckdb.DuckDBTypeId.UTINYINT,
  duckdb.DuckDBTypeId.USMALLINT,
  duckdb.DuckDBTypeId.UINTEGER,
  duckdb.DuckDBTypeId.BIGINT,
  duckdb.DuckDBTypeId.UBIGINT,
]);

/** The columns of a result, as engine-neutral descriptions. */
export function resultColumns(result: DuckDBResult): Column[] {
  return result.deduplicatedColumnNames().map((name, i) => {
    const type = result.columnType(i);
    const decimals = type instanceof duckdb.DuckDBDecimalType ? type.scale : null;
    return { name, numeric: NUMERIC.has(type.typeId), decimals };
  });
}

/** Turns the string form of 64-bit integers and decimals into numbers, in place. */
export function numbersFromStrings(rows: Row[], numeric: readonly string[]): Row[] {
  if (numeric.length === 0) return rows;
  for (const row of rows) {
    for (const name of numeric) {
      const value = row[name];
      if (typeof value === 'string') row[name] = Number(value);
    }
  }
  return rows;
}

/** Names of the columns whose JSON form is a string although they hold numbers. */
export function stringNumericColumns(result: Pick<DuckDBResult, 'columnNames' | 'columnType'>): string[] {
  return result.columnNames().filter((_, i) => NUMERIC_AS_STRING.has(result.columnType(i).typeId));
}

/**
 * One chunk as row objects, the same values getRowObjectsJson gives (64-bit integers and decimals as
 * numbers; with `exact`, a value no double carries exactly stays DuckDB's text, see exactNumber), built column by column: node-api's generic per-value converter costs about 10 µs a row,
 * which made `shoplake sql` CPU-bound at 100,000 rows/s; direct vector reads for the common types
 * are what no library offers.
 */
export function chunkRows(
  chunk: DuckDBDataChunk,
  names: readonly string[],
  types: readonly DuckDBType[],
  exact = false,
): Row[] {
  const count = chunk.rowCount;
  const rows: Row[] = [];
  for (let j = 0; j < count; j++) rows.push({});
  names.forEach((name, k) => {
    const vector = chunk.getColumnVector(k);
    const type = types[k];
    if (!type) return;
    const direct = DIRECT.has(type.typeId);
    const asNumber = NUMERIC_AS_STRING.has(type.typeId);
    const scale = type instanceof duckdb.DuckDBDecimalType ? type.scale : 0;
    const toNumber = (text: string) => (exact ? exactNumber(text, scale) : Number(text));
    for (let j = 0; j < count; j++) {
      const value = vector.getItem(j);
      const row = rows[j];
      if (!row) continue;
      if (value === null) row[name] = null;
      else if (direct)
        row[name] =
          typeof value === 'bigint' ? (exact ? exactNumber(String(value), scale) : Number(value)) : value;
      else {
        const json = duckdb.JsonDuckDBValueConverter(value, type, duckdb.JsonDuckDBValueConverter);
        row[name] = asNumber && typeof json === 'string' ? toNumber(json) : json;
      }
    }
  });
  return rows;
}

/**
 * A streaming result as a RowStream: one batch per DuckDB chunk (about 2,048 rows), fetched only when the
 * consumer asks for it, so memory stays bounded whatever the result's size. `done` runs once the rows
 * are exhausted or the consumer stops early.
 */
export function rowStream(result: DuckDBResult, done: () => void, exact = false): RowStream {
  const columns = resultColumns(result);
  const names = columns.map((c) => c.name);
  const types = result.columnTypes();
  return {
    columns,
    async *[Symbol.asyncIterator]() {
      try {
        for (;;) {
          const chunk = await result.fetchChunk();
          if (!chunk || chunk.rowCount === 0) break;
          yield chunkRows(chunk, names, types, exact);
        }
      } finally {
        done();
      }
    },
  };
}
