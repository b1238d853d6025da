import { z } from 'zod';
import {
  type ColumnSpec,
  MISSING_WORD_REASON,
  MISSING_WORDS,
  MONEY_SCALE,
  type TableSpec,
} from '../lake/index.js';
import { codePointLength, isWellFormed, lakeText } from './lake-text.js';
import { normalizeTimestamp } from './timestamps.js';

/** Whether an amount has at most MONEY_SCALE decimal places (what the lake stores exactly). */
export function hasMoneyScale(v: number): boolean {
  const scaled = v * 10 ** MONEY_SCALE;
  return Math.abs(scaled - Math.round(scaled)) < 1e-6;
}

/** A record after validation: every value in the form the WAL stores and ingest re-reads. */
export type CollectedRecord = Record<string, string | number>;

const describe = (input: unknown) =>
  input === null ? 'null' : Array.isArray(input) ? 'array' : typeof input;
// JSON.stringify writes a number beyond double range (1e400 parses to Infinity) as null: say what it was.
const shown = (input: unknown) =>
  typeof input === 'number' && !Number.isFinite(input)
    ? 'beyond the range of a number'
    : (JSON.stringify(input)?.slice(0, 40) ?? String(input));

const TYPE_WORD: Record<ColumnSpec['type'], string> = {
  text: 'text',
  integer: 'a whole number',
  money: 'an amount',
  timestamp: 'a timestamp string (YYYY-MM-DD HH:MM:SS, or ISO 8601 with offset)',
  date: 'a date string (YYYY-MM-DD)',
};

function typeError(c: ColumnSpec) {
  return (iss: { input: unknown }) =>
    iss.input === undefined
      ? 'required'
      : `not ${TYPE_WORD[c.type]}: got ${describe(iss.input)} ${shown(iss.input)}`;
}

function textSchema(c: ColumnSpec): z.ZodType {
  if (c.enum) {
    const values = c.enum as [string, ...string[]];
    return z.enum(values, {
      error: (iss) =>
        iss.input === undefined ? 'required' : `${shown(iss.input)} is not one of ${c.enum?.join(', ')}`,
    });
  }
  let s: z.ZodType<string> = z
    .string({ error: typeError(c) })
    .refine(isWellFormed, 'has a lone UTF-16 surrogate: not valid Unicode text');
  // Counted in code points, as the lake's SQL counts them.
  const max = c.maxLength;
  if (max !== undefined) s = s.refine((v) => codePointLength(v) <= max, `longer than ${max} characters`);
  if (c.pattern !== undefined) {
    const pattern = new RegExp(c.pattern);
    s = s.refine((v) => pattern.test(v), {
      error: (iss) => `${shown(iss.input)} has characters that are not allowed`,
    });
  }
  if (c.notMissingWord) {
    // The same rule as file ingest's (src/ingest/validate.ts), so that compaction never quarantines what a request got acknowledged for.
    s = s.refine((v) => !MISSING_WORDS.includes(v.toLowerCase()), {
      error: (iss) => `${shown(iss.input)}${MISSING_WORD_REASON}`,
    });
  }
  return s;
}

function numberSchema(c: ColumnSpec): z.ZodType {
  let s = z.number({ error: typeError(c) });
  if (c.type === 'integer') s = s.int({ error: (iss) => `not a whole number: ${shown(iss.input)}` });
  if (c.min !== undefined) s = s.gte(c.min, { error: `below ${c.min}` });
  if (c.max !== undefined) s = s.lte(c.max, { error: `above ${c.max}` });
  if (c.greaterThan !== undefined)
    s = s.gt(c.greaterThan, { error: `must be greater than ${c.greaterThan}` });
  let out: z.ZodType<number> = s;
  if (c.notZero) out = out.refine((v) => v !== 0, { error: 'must not be zero' });
  // The lake stores MONEY_SCALE decimals: more would be rounded silently, so they are refused.
  if (c.type === 'money') out = out.refine(hasMoneyScale, `more than ${MONEY_SCALE} decimals`);
  return out;
}

function columnSchema(c: ColumnSpec): z.ZodType {
  let s: z.ZodType;
  if (c.type === 'text') s = textSchema(c);
  else if (c.type === 'integer' || c.type === 'money') s = numberSchema(c);
  else if (c.type === 'timestamp') {
    s = z.string({ error: typeError(c) }).transform((v, ctx) => {
      const t = normalizeTimestamp(v);
      if (t === null) ctx.addIssue({ code: 'custom', message: `not ${TYPE_WORD.timestamp}: ${shown(v)}` });
      return t ?? v;
    });
  } else {
    s = z
      .string({ error: typeError(c) })
      .regex(/^\d{4}-\d{2}-\d{2}$/, { error: `not ${TYPE_WORD.date}` })
      .refine((v) => !Number.isNaN(Date.parse(v)), 'not a calendar date');
  }
  // Text is judged as the lake will see it: trimmed of space separators, '' meaning absent (lake-text.ts).
  // Optional columns take null, absence or blank text alike, and all three are stored as NULL.
  const asLake = (v: unknown) =>
    typeof v === 'string' ? lakeText(v) : v === null && c.optional ? undefined : v;
  return z.preprocess(asLake, c.optional ? s.optional() : s);
}

/**
 * The zod schema of one table's records, built from its ColumnSpecs so that a rule lives only in
 * src/lake/tables.ts. Unknown fields are refused rather than dropped: a typo must not lose data.
 */
export function recordSchema(spec: TableSpec): z.ZodType<CollectedRecord> {
  const shape = Object.fromEntries(spec.columns.map((c) => [c.name, columnSchema(c)]));
  return z.strictObject(shape, {
    error: (iss) => {
      if (iss.code === 'unrecognized_keys')
        return `unknown field ${iss.keys.map((k) => `'${k}'`).join(', ')}`;
      if (iss.code === 'invalid_type') return `a record must be a JSON object, got ${describe(iss.input)}`;
      return undefined;
    },
  }) as unknown as z.ZodType<CollectedRecord>;
}
