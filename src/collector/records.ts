import { createHash } from 'node:crypto';
import type { TableSpec } from '../lake/index.js';
import { type CollectedRecord, recordSchema } from './schema.js';
import { formatUtc } from './timestamps.js';

/** The tables the collector accepts, by route. */
export const COLLECTED_TABLES = ['orders', 'clickstream'] as const;
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
const notFuture =
  (col: string): RowCheck =>
  (r) =>
    String(r[col]) <= formatUtc(new Date(Date.now() + 86_400_000));

/**
 * JS twins of the SQL row checks in src/lake/tables.ts, keyed by the spec's reason. A check without a
 * twin still runs at compaction (ingest re-validates in SQL), so a record can never skip it; the test
 * `every row check has a twin` keeps the two lists in step.
 */
export const ROW_CHECKS: Record<string, RowCheck> = {
  'total_amount: must equal quantity × price': (r) =>
    Math.abs(Number(r.total_amount) - Number(r.quantity) * Number(r.price)) <= 0.011,
  'order_date: before 2000-01-01': notBefore('order_date'),
  'order_date: in the future': notFuture('order_date'),
  'timestamp: before 2000-01-01': notBefore('timestamp'),
  'timestamp: in the future': notFuture('timestamp'),
  'customer_id: a PURCHASE needs a known customer': (r) =>
    r.action !== 'PURCHASE' || r.customer_id !== 'GUEST',
};

const CONTENT_FIELDS = ['timestamp', 'session_id', 'customer_id', 'action', 'page', 'product_id', 'device'];

/**
 * The identity of an event without a client id: 'h' + 24 hex digits of md5 over its content joined by
 * '|', exactly as ingest's deriveEventIds computes it in SQL, so a file and the collector agree.
 */
export function contentEventId(r: CollectedRecord): string {
  const parts = [...CONTENT_FIELDS, 'duration_seconds'].map((f) => (r[f] === undefined ? '' : String(r[f])));
  return `h${createHash('md5').update(parts.join('|')).digest('hex').slice(0, 24)}`;
}

/** Validates records of one table and gives each valid one its identity key. */
export class RecordValidator {
  private readonly schema;
  private readonly checks: [string, RowCheck][];
  constructor(readonly spec: TableSpec) {
    this.schema = recordSchema(spec);
    this.checks = spec.checks.flatMap(([, reason]) =>
      ROW_CHECKS[reason] ? [[reason, ROW_CHECKS[reason]]] : [],
    );
  }

  /** A normalized record, or every reason it is invalid (field-level first, then row checks). */
  validate(input: unknown, index: number): { record: CollectedRecord } | { rejections: Rejection[] } {
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
    const failed = this.checks.filter(([, check]) => !check(record));
    if (failed.length) {
      return {
        rejections: failed.map(([reason]) => ({ index, field: reason.split(':')[0] ?? null, reason })),
      };
    }
    if (this.spec.name === 'clickstream' && record.event_id === undefined)
      record.event_id = contentEventId(record);
    return { record };
  }

  /** The record's key as one string (the spec's key columns joined by '|', which the id pattern excludes). */
  key(record: CollectedRecord): string {
    return this.spec.key.map((k) => String(record[k])).join('|');
  }
}
