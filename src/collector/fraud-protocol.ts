import { z } from 'zod';
import { modelWeightsSchema, type OrderChecks, type OrderFacts } from '../fraud/index.js';
import { walTimestampMs } from './lake-time-text.js';
import type { WalFields, WalValue } from './wal-fields.js';

/*
 * Messages between the collector's thread and the fraud scoring worker (fraud-worker.ts). Both sides
 * validate what they receive: a message crosses a thread boundary as untyped data. Records cross as
 * the WAL's JSON lines in UTF-8 bytes (transferred, read in place: fraud-order-bytes.ts), scores back as
 * bytes too (fraud-line-bytes.ts).
 */

/** What the worker is started with. */
export const workerSettingsSchema = z.object({
  dataDir: z.string(),
  weights: modelWeightsSchema,
  threshold: z.number().min(0).max(1),
  checkWaitMs: z.number().min(0),
  /** Unscored lake orders the start-up's single read may keep (train.ts KEEP_UNSCORED; tests lower it). */
  keepUnscored: z.number().int().min(0).optional(),
  /** Scores are appended to the worker's fraud_scores WAL this long after the first waiting one (fraud-hook.ts). */
  storeEveryMs: z.number().min(0),
  /** …or once this many wait. */
  storeMaxRecords: z.number().int().min(1),
});
export type WorkerSettings = z.infer<typeof workerSettingsSchema>;

/**
 * One acknowledged record, parsed back from its WAL line: an object of texts and numbers. Checked with one
 * loop rather than a schema per field: the collector validated it before writing the line, and this runs
 * once per order.
 */
export const recordSchema = z.custom<Record<string, string | number>>(
  (v) =>
    typeof v === 'object' &&
    v !== null &&
    !Array.isArray(v) &&
    Object.values(v).every((x) => typeof x === 'string' || typeof x === 'number'),
  'a record of texts and numbers',
);
/** Collector → worker. */
export const toWorkerSchema = z.discriminatedUnion('type', [
  /** Start building the model (the collector may hold it back: tests). */
  z.object({ type: z.literal('build') }),
  /**
   * Acknowledged records as the WAL holds them (JSON lines, each ending in a newline), as UTF-8 in buffers
   * transferred to the worker: orders, and order_checks.
   */
  z.object({
    type: z.literal('records'),
    orders: z.instanceof(Uint8Array),
    checks: z.instanceof(Uint8Array),
  }),
  /** Answer 'drained' once every order received so far is scored. */
  z.object({ type: z.literal('drain'), id: z.number() }),
  /** Every record the collector had acknowledged when it read 'sync' has been sent before this. */
  z.object({ type: z.literal('synced') }),
  /** Close the fraud_scores segment being written and answer 'sealed' with the closed ones (compaction). */
  z.object({ type: z.literal('seal'), id: z.number() }),
  /** Append the waiting scores, seal, answer 'closed' with the closed segments: the worker is about to stop. */
  z.object({ type: z.literal('close') }),
]);
export type ToWorker = z.infer<typeof toWorkerSchema>;

/** What an alert needs of one order (alerts.ts's AlertOrder). */
export const alertOrderSchema = z.object({
  order_id: z.string(),
  customer_id: z.string().nullable(),
  order_date: z.string(),
  amount: z.number().nullable(),
  score: z.number(),
  reasons: z.array(z.string()),
});

/** A WAL segment of the worker's (wal.ts Segment). */
export const segmentSchema = z.object({
  path: z.string(),
  bytes: z.number(),
  firstAckAt: z.number(),
  recovered: z.boolean(),
});

/** Worker → collector. */
export const fromWorkerSchema = z.discriminatedUnion('type', [
  /**
   * Orders scored (their scores go to the worker's own fraud_scores WAL: 'stored'); `refused`: the reason of
   * any score it refused to store (a bug). `live`: orders received by this collector (metrics and alerts),
   * else orders the lake held without a score at start (stored only).
   */
  z.object({
    type: z.literal('scored'),
    live: z.boolean(),
    count: z.number(),
    refused: z.array(z.string()),
    /** The scores counted per bucket of the score histogram (fraud-metrics.ts), and their sum. */
    buckets: z.array(z.number()),
    sum: z.number(),
    alerts: z.array(alertOrderSchema),
    waiting: z.number(),
  }),
  /** The model is built: scoring is live. */
  z.object({ type: z.literal('ready'), unscored: z.number(), orders: z.number(), ms: z.number() }),
  /** How the start-up's read of the lake advances: what it does now, and the share done (0 to 1). */
  z.object({ type: z.literal('progress'), phase: z.string(), done: z.number() }),
  /** Asks the collector to send what it acknowledged so far, then 'synced'. */
  z.object({ type: z.literal('sync') }),
  z.object({ type: z.literal('drained'), id: z.number() }),
  /** Scores made durable in the worker's fraud_scores WAL (fraud-score-store.ts), and the segment after it. */
  z.object({
    type: z.literal('stored'),
    records: z.number(),
    bytes: z.number(),
    segment: segmentSchema.nullable(),
  }),
  /** Storing scores failed (they are recomputed from the lake at the next start). */
  z.object({ type: z.literal('storeFailed'), records: z.number(), message: z.string() }),
  /** The answer to 'seal' (id) or to 'close' (id null): segments closed since the last seal. */
  z.object({ type: z.literal('sealed'), id: z.number().nullable(), segments: z.array(segmentSchema) }),
  /** Building the model failed: nothing is scored live (the lake's unscored orders are at the next start). */
  z.object({ type: z.literal('failed'), message: z.string() }),
]);
export type FromWorker = z.infer<typeof fromWorkerSchema>;

const text = (v: string | number | undefined) => (v === undefined ? null : String(v));

/**
 * The characters of `s` in a string of their own. In V8 a text cut out of a longer one (`slice`, `split`) of
 * 13 characters or more is a view that keeps the whole longer text alive: an order id read out of a WAL line
 * is a view into the message of some 60 orders it came in, and the live queue keeps each order id among
 * the recent ones for 200,000 to 400,000 orders, the model a customer's, product's or device's id for good.
 * So every message's text stayed alive for minutes (tens of MB in the worker's old generation, copied by
 * its compactions). Appending a character and cutting it off again copies the characters into a new text
 * (the view then is of that short copy); docs/BENCHMARKS.md, "Fraud scoring: per-thread CPU".
 */
export function ownText(s: string): string {
  return `${s} `.slice(0, s.length);
}
const ownId = (v: string | number | undefined) => (v === undefined ? null : ownText(String(v)));

/** The fields of an orders record that orderFacts reads, in the table's column order (WalFields reads them in one pass). */
export const ORDER_FIELDS: readonly string[] = [
  'order_id',
  'customer_id',
  'product_id',
  'quantity',
  'total_amount',
  'order_date',
  'status',
  'region',
];
/** The fields of an order_checks record that orderChecks (and the order's id) read, in column order. */
export const CHECK_FIELDS: readonly string[] = [
  'order_id',
  'payment_method',
  'ip_country',
  'account_age_days',
  'device_id',
];

/** An acknowledged orders record as the model sees it (fraud checks come separately). */
export function orderFacts(r: Record<string, string | number>): OrderFacts {
  return orderFactsOf(ORDER_FIELDS.map((n) => r[n]));
}

/** orderFacts of the values of ORDER_FIELDS, in that order (WalFields.readValues; undefined: absent). */
export function orderFactsOf(v: readonly WalValue[]): OrderFacts {
  return {
    // The ids outlive the order (the recent ids, the model's state): copied out of the message's text.
    orderId: ownText(String(v[0])),
    customerId: ownId(v[1]),
    productId: ownText(String(v[2])),
    quantity: Number(v[3]),
    amount: Number(v[4]),
    t: walTimestampMs(v[5]),
    status: text(v[6]),
    region: text(v[7]),
    payment: null,
    ipCountry: null,
    deviceId: null,
    accountAgeDays: null,
  };
}

/** An acknowledged order_checks record's checks. */
export function orderChecks(r: Record<string, string | number>): OrderChecks {
  return orderChecksOf(CHECK_FIELDS.map((n) => r[n]));
}

/** orderChecks of the values of CHECK_FIELDS, in that order (the order's id is the first). */
export function orderChecksOf(v: readonly WalValue[]): OrderChecks {
  return {
    payment: text(v[1]),
    ipCountry: text(v[2]),
    deviceId: ownId(v[4]),
    accountAgeDays: v[3] === undefined ? null : Number(v[3]),
  };
}

/** A WAL line WalFields cannot read field by field, parsed whole and checked. */
function parsed(line: string): Record<string, string | number> {
  return recordSchema.parse(JSON.parse(line));
}

/**
 * An orders record's facts from its WAL line as text: its fields read in place (WalFields over ORDER_FIELDS,
 * `values` reused), else the line parsed whole. The reading of lines out of the plain form the worker
 * reads from bytes (fraud-order-bytes.ts), and what that reading must agree with.
 */
export function orderOfLine(line: string, fields: WalFields, values: WalValue[]): OrderFacts {
  return fields.readValues(line, values) ? orderFactsOf(values) : orderFacts(parsed(line));
}

/** An order_checks record's order id and checks from its WAL line as text (WalFields over CHECK_FIELDS). */
export function checksOfLine(
  line: string,
  fields: WalFields,
  values: WalValue[],
): { orderId: string; checks: OrderChecks } {
  if (fields.readValues(line, values))
    return { orderId: ownText(String(values[0])), checks: orderChecksOf(values) };
  const r = parsed(line);
  return { orderId: ownText(String(r.order_id)), checks: orderChecks(r) };
}
