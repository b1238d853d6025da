import { createHash } from 'node:crypto';
import {
  type ColumnSpec,
  contentLineId,
  EVENT_CONTENT_FIELDS,
  MISSING_WORDS,
  MONEY_SCALE,
  type TableSpec,
} from '../lake/index.js';
import { hasEdgeSpace, isWellFormed } from './lake-text.js';
import { type CollectedRecord, hasMoneyScale, recordSchema } from './schema.js';
import { formatUtc, normalizeTimestamp } from './timestamps.js';

/**
 * The tables the collector keeps a WAL for: orders, events and fraud checks arrive by route; fraud_scores
 * are the collector's own scores (src/fraud), stored through the same WAL and compaction.
 */
export const COLLECTED_TABLES = [
  'orders',
  'clickstream',
  'order_checks',
  'fraud_scores',
  'stock_movements',
] as const;
export type CollectedTable = (typeof COLLECTED_TABLES)[number];

/** Why one record of a request was refused. */
export interface Rejection {
  index: number;
  field: string | null;
  reason: string;
}

type RowCheck = (r: CollectedRecord) => boolean;
const EARLIEST = '2000-01-01 00:00:00';
const notBefore =
  (col: string): RowCheck =>
  (r) =>
    String(r[col]) >= EARLIEST;
// The bound moves once a second; formatting it once per second instead of once per record.
let horizonAt = 0;
let horizon = '';
function futureHorizon(): string {
  const now = Date.now();
  if (now - horizonAt >= 1000 || now < horizonAt) {
    horizonAt = now - (now % 1000);
    horizon = formatUtc(new Date(horizonAt + 86_400_000));
  }
  return horizon;
}
const notFuture =
  (col: string): RowCheck =>
  (r) =>
    String(r[col]) <= futureHorizon();

/**
 * JS twins of the SQL row checks in src/lake/tables.ts, keyed by the check's stable id (its third
 * element), never by its wording. A check without a twin still runs at compaction (ingest re-validates
 * in SQL); `every row check has a twin` keeps the two lists in step and agreement.test.ts runs both forms
 * over the same edge records.
 */
export const ROW_CHECKS: Record<string, RowCheck> = {
  // In integer units of 10^-MONEY_SCALE, so that the comparison is exact like the SQL one.
  'orders.total': (r) =>
    Math.abs(units(r.total_amount) - (Number(r.quantity) * units(r.price) - units(r.discount ?? 0))) <= 100,
  'orders.not_before_2000': notBefore('order_date'),
  'orders.not_future': notFuture('order_date'),
  'clickstream.not_before_2000': notBefore('timestamp'),
  'order_checks.not_before_2000': notBefore('order_date'),
  'order_checks.not_future': notFuture('order_date'),
  'clickstream.not_future': notFuture('timestamp'),
  'clickstream.purchase_customer': (r) => r.action !== 'PURCHASE' || r.customer_id !== 'GUEST',
  'stock_movements.sign': (r) => {
    const q = Number(r.quantity);
    if (r.movement_type === 'RECEIPT' || r.movement_type === 'RETURN') return q > 0;
    if (r.movement_type === 'SALE') return q < 0;
    return r.movement_type === 'ADJUSTMENT';
  },
  'stock_movements.not_before_2000': notBefore('moved_at'),
  'stock_movements.not_future': notFuture('moved_at'),
};

const units = (v: string | number | undefined) => Math.round(Number(v) * 10 ** MONEY_SCALE);

/** The identity of an event without a client id (EVENT_CONTENT_FIELDS), as file ingest computes it in SQL. */
export function contentEventId(r: CollectedRecord): string {
  const parts = EVENT_CONTENT_FIELDS.map((f) => (r[f] === undefined ? '' : String(r[f])));
  return `h${createHash('md5').update(parts.join('|')).digest('hex').slice(0, 24)}`;
}

/**
 * A column check compiled from its ColumnSpec: the normalized value when the input certainly passes the
 * zod schema (undefined for an absent optional column), or FAIL when it might not. It is only a fast
 * path: whatever it does not accept goes through zod, which decides and words the reasons, so the two
 * can never disagree on what is stored (records.test.ts checks they agree on accepted values).
 */
type FastColumn = (v: unknown) => unknown;
const FAIL = Symbol('fail');

function fastColumn(c: ColumnSpec): FastColumn {
  let check: FastColumn;
  if (c.type === 'text' && c.enum) {
    const values = new Set<unknown>(c.enum);
    check = (v) => (values.has(v) ? v : FAIL);
  } else if (c.type === 'text') {
    const max = c.maxLength ?? Number.POSITIVE_INFINITY;
    const pattern = c.pattern !== undefined ? new RegExp(c.pattern) : null;
    // Only a short value can be one of the missing words; it goes to zod, which says why.
    const wordLength = c.notMissingWord ? Math.max(...MISSING_WORDS.map((w) => w.length)) : 0;
    // UTF-16 length ≤ max implies code points ≤ max; anything longer, padded or odd goes to zod.
    check = (v) =>
      typeof v === 'string' &&
      v.length >= 1 &&
      v.length <= max &&
      !hasEdgeSpace(v) &&
      isWellFormed(v) &&
      (pattern === null || pattern.test(v)) &&
      (v.length > wordLength || !MISSING_WORDS.includes(v.toLowerCase()))
        ? v
        : FAIL;
  } else if (c.type === 'integer' || c.type === 'money') {
    const min = Math.max(c.min ?? Number.NEGATIVE_INFINITY, c.greaterThan ?? Number.NEGATIVE_INFINITY);
    const minExclusive = c.greaterThan !== undefined && c.greaterThan >= (c.min ?? Number.NEGATIVE_INFINITY);
    const max = c.max ?? Number.POSITIVE_INFINITY;
    const integer = c.type === 'integer';
    const notZero = c.notZero === true;
    check = (v) => {
      if (typeof v !== 'number' || !Number.isFinite(v)) return FAIL;
      if (v < min || (minExclusive && v === min) || v > max || (notZero && v === 0)) return FAIL;
      if (integer) return Number.isSafeInteger(v) ? v : FAIL;
      return hasMoneyScale(v) ? v : FAIL;
    };
  } else if (c.type === 'timestamp') {
    check = (v) => (typeof v === 'string' ? (normalizeTimestamp(v) ?? FAIL) : FAIL);
  } else {
    // Dates are rare on the collected tables; zod handles them.
    check = () => FAIL;
  }
  if (!c.optional) return check;
  return (v) => (v === undefined || v === null || v === '' ? undefined : check(v));
}

/** Validates records of one table and gives each valid one its identity key. */
export class RecordValidator {
  private readonly schema;
  private readonly checks: [string, RowCheck][];
  private readonly names: string[];
  private readonly fast: FastColumn[];
  private readonly known: Set<string>;
  private readonly contentIds: boolean;
  constructor(readonly spec: TableSpec) {
    this.schema = recordSchema(spec);
    this.checks = spec.checks.flatMap(([, reason, id]) => {
      const check = ROW_CHECKS[id];
      return check ? [[reason, check] as [string, RowCheck]] : [];
    });
    this.names = spec.columns.map((c) => c.name);
    this.fast = spec.columns.map(fastColumn);
    this.known = new Set(this.names);
    this.contentIds = spec.name === 'clickstream';
  }

  /** A normalized record, or every reason it is invalid (field-level first, then row checks). */
  validate(input: unknown, index: number): { record: CollectedRecord } | { rejections: Rejection[] } {
    let record = this.fastParse(input);
    if (record === null) {
      const slow = this.slowParse(input, index);
      if ('rejections' in slow) return slow;
      record = slow.record;
    }
    for (const [, check] of this.checks) {
      if (!check(record)) return { rejections: this.rowRejections(record, index) };
    }
    if (this.contentIds && record.event_id === undefined) record.event_id = contentEventId(record);
    // An order line sent without a line id gets the one file ingest derives for it (lake/content-id.ts).
    if (this.spec.name === 'orders' && record.line_id === undefined)
      record.line_id = contentLineId(this.spec, record);
    return { record };
  }

  /** The record's key as one string (the spec's key columns joined by '|', which the id pattern excludes). */
  key(record: CollectedRecord): string {
    const { key } = this.spec;
    return key.length === 1 ? String(record[key[0] as string]) : key.map((k) => String(record[k])).join('|');
  }

  // The compiled checks: a record they accept is exactly what zod would return; null means "ask zod".
  private fastParse(input: unknown): CollectedRecord | null {
    if (typeof input !== 'object' || input === null || Array.isArray(input)) return null;
    const object = input as Record<string, unknown>;
    for (const k in object) if (!this.known.has(k)) return null;
    const record: CollectedRecord = {};
    for (let i = 0; i < this.names.length; i++) {
      const name = this.names[i] as string;
      const value = (this.fast[i] as FastColumn)(object[name]);
      if (value === FAIL) return null;
      if (value !== undefined) record[name] = value as string | number;
    }
    return record;
  }

  private slowParse(
    input: unknown,
    index: number,
  ): { record: CollectedRecord } | { rejections: Rejection[] } {
    const parsed = this.schema.safeParse(input);
    if (!parsed.success) {
      return {
        rejections: parsed.error.issues.map((iss) => {
          const field = iss.path.length ? String(iss.path[0]) : null;
          return { index, field, reason: field ? `${field}: ${iss.message}` : iss.message };
        }),
      };
    }
    const record = parsed.data;
    for (const key of Object.keys(record)) if (record[key] === undefined) delete record[key];
    return { record };
  }

  private rowRejections(record: CollectedRecord, index: number): Rejection[] {
    return this.checks
      .filter(([, check]) => !check(record))
      .map(([reason]) => ({ index, field: reason.split(':')[0] ?? null, reason }));
  }
}
