import { type DataType, type RecordBatch, Type, tableFromIPC, util, type Vector } from 'apache-arrow';
import { exactNumber } from '../../duckdb/index.js';
import type { Column, Row } from '../types.js';

/**
 * Decodes one Arrow IPC stream (what Spark Connect sends per batch) into rows shaped exactly like the
 * DuckDB engine's: integers, decimals and doubles as numbers, timestamps as 'YYYY-MM-DD HH:MM:SS[.f]'
 * (no zone, trailing zeros of the fraction dropped), dates as 'YYYY-MM-DD', lists as arrays, structs as
 * objects. Written by hand because Arrow's own `toJSON` turns 64-bit integers into bigint and decimals
 * into raw words, and the two engines must agree to the last digit. With `exact` (user SQL, printed), a
 * 64-bit integer or decimal no double carries exactly stays its exact text, as in the DuckDB engine.
 */
export function* rowsOfArrowIpc(bytes: Uint8Array): Generator<Row> {
  for (const batch of tableFromIPC(bytes).batches) yield* rowsOfBatch(batch);
}

/** The batches of one Arrow IPC stream, each with its columns (the same for every batch of a result). */
export function* batchesOfArrowIpc(
  bytes: Uint8Array,
  exact = false,
): Generator<{ columns: Column[]; rows: Row[] }> {
  for (const batch of tableFromIPC(bytes).batches) {
    const columns = batch.schema.fields.map((f) => columnOf(f.name, f.type));
    yield { columns, rows: [...rowsOfBatch(batch, exact)] };
  }
}

// Numbers are integers, floats and decimals; decimals keep their scale so output can show fixed digits.
function columnOf(name: string, type: DataType): Column {
  const numeric = type.typeId === Type.Int || type.typeId === Type.Float || type.typeId === Type.Decimal;
  const scale = 'scale' in type && typeof type.scale === 'number' ? type.scale : 0;
  return { name, numeric, decimals: type.typeId === Type.Decimal ? scale : null };
}

function* rowsOfBatch(batch: RecordBatch, exact = false): Generator<Row> {
  const fields = batch.schema.fields;
  const columns = fields.map((_, i) => batch.getChildAt(i));
  for (let r = 0; r < batch.numRows; r++) {
    const row: Row = {};
    fields.forEach((field, i) => {
      const column = columns[i];
      row[field.name] = column ? jsonValue(column, r, exact) : null;
    });
    yield row;
  }
}

function jsonValue(vector: Vector, index: number, exact: boolean): unknown {
  if (!vector.isValid(index)) return null;
  return convert(vector.type, vector.get(index), () => rawInt64(vector, index), exact);
}

// Spark sends timestamps as int64 microseconds; Arrow's `get` rounds them to milliseconds, so the raw
// value is read from the column's buffer instead.
function rawInt64(vector: Vector, index: number): bigint | undefined {
  let offset = index;
  for (const chunk of vector.data) {
    if (offset < chunk.length) {
      const value = chunk.values[offset];
      return typeof value === 'bigint' ? value : undefined;
    }
    offset -= chunk.length;
  }
  return undefined;
}

function convert(type: DataType, value: unknown, raw: () => bigint | undefined, exact = false): unknown {
  if (value === null || value === undefined) return null;
  switch (type.typeId) {
    case Type.Int:
    case Type.Float:
      if (typeof value !== 'bigint') return value;
      return exact ? exactNumber(value.toString(), 0) : Number(value);
    case Type.Decimal: {
      const scale = 'scale' in type && typeof type.scale === 'number' ? type.scale : 0;
      return exact ? exactNumber(decimalText(value, scale), scale) : decimalNumber(value, scale);
    }
    case Type.Timestamp: {
      const micros = raw();
      const unit = 'unit' in type && typeof type.unit === 'number' ? type.unit : 2;
      return micros === undefined ? null : timestampText(toMicros(micros, unit));
    }
    case Type.Date:
      return typeof value === 'number' ? new Date(value).toISOString().slice(0, 10) : null;
    case Type.Utf8:
    case Type.LargeUtf8:
    case Type.Bool:
      return value;
    case Type.List:
    case Type.FixedSizeList:
      return listValue(type, value);
    case Type.Struct:
      return structValue(value);
    default:
      // Binary, intervals, maps: no analysis returns them; their Arrow JS value is kept as is.
      return value;
  }
}

function listValue(type: DataType, value: unknown): unknown[] {
  const child = type.children[0]?.type;
  if (!child || !isVector(value)) return [];
  const out: unknown[] = [];
  for (let i = 0; i < value.length; i++) {
    out.push(value.isValid(i) ? convert(child, value.get(i), () => rawInt64(value, i)) : null);
  }
  return out;
}

function structValue(value: unknown): Record<string, unknown> | unknown {
  if (
    typeof value === 'object' &&
    value !== null &&
    'toJSON' in value &&
    typeof value.toJSON === 'function'
  ) {
    const json: unknown = value.toJSON();
    return json;
  }
  return value;
}

function isVector(value: unknown): value is Vector {
  return (
    typeof value === 'object' && value !== null && 'isValid' in value && 'get' in value && 'length' in value
  );
}

/** Arrow's TimeUnit: 0 seconds, 1 milliseconds, 2 microseconds, 3 nanoseconds. */
function toMicros(value: bigint, unit: number): bigint {
  if (unit === 0) return value * 1_000_000n;
  if (unit === 1) return value * 1_000n;
  if (unit === 3) return value / 1_000n;
  return value;
}

/** A decimal's exact digits as a string, then the nearest double, as DuckDB's engine does. */
export function decimalNumber(value: unknown, scale: number): number {
  return Number(decimalText(value, scale));
}

/** A decimal's exact digits, with `scale` digits after the point (as DuckDB writes a DECIMAL). */
function decimalText(value: unknown, scale: number): string {
  const unscaled = bigIntOf(value);
  const negative = unscaled < 0n;
  const digits = (negative ? -unscaled : unscaled).toString().padStart(scale + 1, '0');
  const text = scale > 0 ? `${digits.slice(0, -scale)}.${digits.slice(-scale)}` : digits;
  return negative ? `-${text}` : text;
}

function bigIntOf(value: unknown): bigint {
  if (typeof value === 'bigint') return value;
  if (typeof value === 'number') return BigInt(value);
  if (value instanceof Uint32Array) return util.bigNumToBigInt(util.BN.decimal(value));
  throw new Error(`unexpected Arrow decimal value ${String(value)}`);
}

/** Microseconds since the epoch as DuckDB prints a TIMESTAMP: fraction without trailing zeros. */
export function timestampText(micros: bigint): string {
  const millis = micros / 1000n - (micros % 1000n < 0n ? 1n : 0n);
  const subMillis = Number(micros - millis * 1000n);
  const iso = new Date(Number(millis)).toISOString(); // YYYY-MM-DDTHH:MM:SS.mmmZ
  const fraction = `${iso.slice(20, 23)}${String(subMillis).padStart(3, '0')}`.replace(/0+$/, '');
  return `${iso.slice(0, 10)} ${iso.slice(11, 19)}${fraction ? `.${fraction}` : ''}`;
}
