import { DuckDBDecimalType, type DuckDBResult, DuckDBTypeId } from '@duckdb/node-api';
import type { Column, Row, RowStream } from './types.js';

// Types whose JSON form is a string (to keep 64-bit precision) but that analyses want as numbers.
const NUMERIC_AS_STRING = new Set<DuckDBTypeId>([
  DuckDBTypeId.BIGINT,
  DuckDBTypeId.UBIGINT,
  DuckDBTypeId.HUGEINT,
  DuckDBTypeId.UHUGEINT,
  DuckDBTypeId.DECIMAL,
]);

const NUMERIC = new Set<DuckDBTypeId>([
  ...NUMERIC_AS_STRING,
  DuckDBTypeId.TINYINT,
  DuckDBTypeId.SMALLINT,
  DuckDBTypeId.INTEGER,
  DuckDBTypeId.UTINYINT,
  DuckDBTypeId.USMALLINT,
  DuckDBTypeId.UINTEGER,
  DuckDBTypeId.FLOAT,
  DuckDBTypeId.DOUBLE,
]);

/** The columns of a result, as engine-neutral descriptions. */
export function resultColumns(result: DuckDBResult): Column[] {
  return result.columnNames().map((name, i) => {
    const type = result.columnType(i);
    const decimals = type instanceof DuckDBDecimalType ? type.scale : null;
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
 * A streaming result as a RowStream: one batch per DuckDB chunk (about 2,048 rows), fetched only when the
 * consumer asks for it, so memory stays bounded whatever the result's size. `done` runs once the rows
 * are exhausted or the consumer stops early.
 */
export function rowStream(result: DuckDBResult, done: () => void): RowStream {
  const columns = resultColumns(result);
  const numeric = stringNumericColumns(result);
  return {
    columns,
    async *[Symbol.asyncIterator]() {
      try {
        for await (const batch of result.yieldRowObjectJson()) {
          if (batch.length > 0) yield numbersFromStrings(batch, numeric);
        }
      } finally {
        done();
      }
    },
  };
}
