import { type ColumnType, MONEY_SQL_TYPE, type TableSpec } from '../../lake/index.js';

/**
 * Spark SQL's side of the engine-neutral SQL the analyses are written in: the few things Spark spells
 * differently from DuckDB, kept in this one file. Analysis SQL itself is sent unchanged (`:name`
 * parameters are Spark's own syntax); nothing here rewrites it, because a general transpiler was
 * found to change meaning (exact percentiles became approximate).
 *
 * Known differences the analyses must avoid, since no setting here can fix them:
 * - `CAST(… AS VARCHAR)` without a length fails on Spark: write `CAST(… AS STRING)` (both accept it).
 * - `numeric / 86400.0` is DECIMAL on Spark and DOUBLE on DuckDB: cast to DOUBLE where it matters.
 * - `avg()` of a DECIMAL (money, `1.0`/`0.0` flags) is a DOUBLE on DuckDB and a DECIMAL rounded to 6
 *   places on Spark, so a later round() can differ in the last digit: average `CAST(… AS DOUBLE)`.
 * - `ORDER BY x` puts NULLs first on Spark and last on DuckDB: say `NULLS FIRST|LAST` for nullable keys.
 * - Division by zero fails on Spark (ANSI mode, Spark 4's default) and yields NULL on DuckDB: use NULLIF.
 */

/** Spark's name for each lake column type (DuckDB's VARCHAR, INTEGER… in `lake/layout.ts`). */
export function sparkType(type: ColumnType): string {
  switch (type) {
    case 'text':
      return 'STRING';
    case 'integer':
      return 'INT';
    case 'money':
      // The lake's own type, which both engines spell the same: a different scale fails every read.
      return MONEY_SQL_TYPE;
    case 'timestamp':
      return 'TIMESTAMP';
    case 'date':
      return 'DATE';
  }
}

/**
 * The Parquet schema of a lake table as Spark DDL. The lake's one writer (DuckDB, `lake/writer.ts`)
 * stores each column in its declared type, and a TIMESTAMP without zone, which Spark calls
 * TIMESTAMP_NTZ (the view then casts it to TIMESTAMP in the session's UTC).
 */
export function parquetSchemaDdl(spec: TableSpec): string {
  return spec.columns
    .map((c) => `${sparkIdent(c.name)} ${c.type === 'timestamp' ? 'TIMESTAMP_NTZ' : sparkType(c.type)}`)
    .join(', ');
}

/** Quotes an identifier for Spark SQL. */
export function sparkIdent(name: string): string {
  return `\`${name.replaceAll('`', '``')}\``;
}

/**
 * The engine-neutral helpers every engine defines (DuckDB as macros), here as session SQL functions
 * (Spark ≥ 4.0). The session time zone is UTC, so a TIMESTAMP is read as UTC wall-clock time.
 */
export const SESSION_FUNCTIONS: readonly string[] = [
  // DuckDB's CAST(epoch(ts) AS BIGINT) rounds the fractional second half to even; bround does the same.
  `CREATE OR REPLACE TEMPORARY FUNCTION epoch_seconds(ts TIMESTAMP) RETURNS BIGINT
     RETURN CAST(bround(CAST(unix_micros(ts) AS DECIMAL(20, 0)) / 1000000, 0) AS BIGINT)`,
  // The wall-clock time in zone tz of a UTC timestamp; UTC itself skips the conversion as on DuckDB.
  `CREATE OR REPLACE TEMPORARY FUNCTION local_time(ts TIMESTAMP, tz STRING) RETURNS TIMESTAMP
     RETURN CASE WHEN tz = 'UTC' THEN ts ELSE from_utc_timestamp(ts, tz) END`,
];

/** Session settings the engine relies on, whatever the server's defaults are. */
export const SESSION_SETTINGS: readonly string[] = [
  // Timestamps without a zone mean UTC, as on DuckDB (which the DuckDB session pins the same way).
  "SET TIME ZONE 'UTC'",
  // "timestamp" is a column, as in standard SQL and DuckDB; Spark otherwise reads it as a string literal.
  'SET spark.sql.ansi.doubleQuotedIdentifiers = true',
  // ANSI mode (Spark 4's default, which the setting above needs): overflow and bad casts fail loudly.
  'SET spark.sql.ansi.enabled = true',
  // No `parquet.\`/any/path\`` in SQL: queries read the lake through its views only (the views are
  // registered through the protocol, not SQL on files), as DuckDB's sandbox allows only the lake.
  'SET spark.sql.runSQLOnFiles = false',
];
