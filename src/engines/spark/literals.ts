import type { SqlParams } from '../types.js';

/** A Spark Connect `Expression` holding one literal, as a plain object for the protobuf encoder. */
export interface LiteralExpression {
  literal: Record<string, unknown>;
}

const INT32_MIN = -(2 ** 31);
const INT32_MAX = 2 ** 31 - 1;

/**
 * Binds `:name` parameters through the protocol (never pasted into the SQL text). Integers become INT
 * when they fit (Spark's LIMIT takes only an INT) and BIGINT otherwise; other numbers DOUBLE, as DuckDB
 * binds a JS number; NULL is an untyped null literal.
 */
export function namedArguments(params: SqlParams): Record<string, LiteralExpression> {
  const out: Record<string, LiteralExpression> = {};
  for (const [name, value] of Object.entries(params)) out[name] = { literal: literalOf(value) };
  return out;
}

function literalOf(value: string | number | boolean | null): Record<string, unknown> {
  if (value === null) return { null: { null: {} } };
  if (typeof value === 'string') return { string: value };
  if (typeof value === 'boolean') return { boolean: value };
  if (Number.isInteger(value) && value >= INT32_MIN && value <= INT32_MAX) return { integer: value };
  if (Number.isSafeInteger(value)) return { long: String(value) };
  return { double: value };
}
