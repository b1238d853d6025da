import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { type CustomerProfile, type ModelWeights, type OrderFacts, SHIPPED_WEIGHTS } from '../fraud/index.js';
import { generate, generateDefaults } from '../generate/index.js';
import { TABLES } from '../lake/index.js';
import { CHECK_FIELDS, checksOfLine, ORDER_FIELDS, orderOfLine } from './fraud-protocol.js';
import { RecordValidator } from './records.js';
import { WalFields, type WalValue } from './wal-fields.js';

/*
 * A seeded stream of generated orders (with the generator's fraud patterns: bursts, shipping elsewhere,
 * foreign IPs, new devices, new accounts with large baskets, card testing) and their fraud checks, as the
 * scoring worker receives them: WAL lines in hand-over messages, some checks before their order, most with
 * it, some after it, some never. Used by fraud-live.test.ts, and by scripts/fraud-live-reference.mjs, which
 * feeds the same stream to main's scoring code (its worker's per-order path as it stood) to compute the
 * digests the test expects. Nothing here scores: each side builds its model with its own code.
 */

const BIAS_RAISE = 6;

/** Orders generated; the first HISTORY (by line) make the model's history, the rest arrive live. */
const ORDERS = 4000;
const HISTORY = 1500;
/** Order lines per hand-over message, and the milliseconds between messages. */
const PER_MESSAGE = 40;
const MESSAGE_MS = 100;
/** The live stream's first message, a fixed time (scored_at is written from it). */
export const LIVE_START_MS = Date.UTC(2026, 0, 15, 12, 0, 0);
/** The check wait the stream is scored with. */
export const CHECK_WAIT_MS = 300;
/**
 * The weights it is scored with: the shipped ones with the bias raised, so that over a quarter of the orders score
 * high enough to have reasons worded (≥ 0.1) and nearly a tenth alert (with the shipped bias the generated fraud is
 * about 1 % of the orders, and so were the scores with reasons).
 */
export const LIVE_WEIGHTS: ModelWeights = {
  ...SHIPPED_WEIGHTS,
  version: 'live-stream-test',
  bias: SHIPPED_WEIGHTS.bias + BIAS_RAISE,
  threshold: 0.5,
};

/** One hand-over: WAL bytes of orders and order_checks lines, received at `now`. */
export interface LiveMessage {
  orders: Uint8Array;
  checks: Uint8Array;
  now: number;
}

/** What both sides score: the history the model starts from, and the live messages. */
export interface LiveStream {
  history: OrderFacts[];
  profiles: Map<string, CustomerProfile>;
  messages: LiveMessage[];
  /** Distinct live order ids (each must be scored exactly once). */
  liveOrders: number;
}

const NUMERIC = new Set(['quantity', 'price', 'total_amount', 'account_age_days']);

function csv(path: string): Record<string, string | number>[] {
  const [head = '', ...lines] = readFileSync(path, 'utf8').split('\n');
  const names = head.split(',');
  return lines
    .filter((l) => l !== '')
    .map((l) => {
      const v = l.split(',');
      const r: Record<string, string | number> = {};
      names.forEach((n, i) => {
        const x = v[i] ?? '';
        if (x !== '') r[n] = NUMERIC.has(n) ? Number(x) : x;
      });
      return r;
    });
}

function walLines(table: 'orders' | 'order_checks', records: Record<string, string | number>[]): string[] {
  const validator = new RecordValidator(TABLES[table]);
  return records.map((r, i) => {
    const v = validator.validate(r, i);
    if ('rejections' in v) throw new Error(`${table} ${i}: ${v.rejections[0]?.reason}`);
    return `${JSON.stringify(v.record)}\n`;
  });
}

/** Generates the data into `dir` (seeded: the same stream every time) and cuts it into the stream. */
export async function liveStream(dir: string): Promise<LiveStream> {
  await generate({
    ...generateDefaults,
    orders: ORDERS,
    customers: 300,
    events: 1000,
    days: 14,
    seed: 13,
    asOf: new Date(Date.UTC(2026, 0, 15)),
    out: dir,
  });
  const raw = join(dir, 'raw');
  const orderLines = walLines('orders', csv(join(raw, 'orders', 'orders.csv')));
  const checkLines = walLines('order_checks', csv(join(raw, 'order_checks', 'order_checks.csv')));
  const profiles = new Map<string, CustomerProfile>();
  for (const c of csv(join(raw, 'customers', 'customers.csv')))
    profiles.set(String(c.customer_id), {
      region: typeof c.region === 'string' ? c.region : null,
      signupMs: typeof c.signup_date === 'string' ? Date.parse(`${c.signup_date}T00:00:00Z`) : null,
    });

  // The history: each order's first line with its checks merged, read by the text reader.
  const orderFields = new WalFields(ORDER_FIELDS);
  const checkFields = new WalFields(CHECK_FIELDS);
  const values: WalValue[] = [];
  const checksOf = new Map<string, string>();
  for (const line of checkLines) checksOf.set(checksOfLine(line, checkFields, values).orderId, line);
  const history: OrderFacts[] = [];
  const seen = new Set<string>();
  for (const line of orderLines.slice(0, HISTORY)) {
    const o = orderOfLine(line, orderFields, values);
    if (seen.has(o.orderId)) continue;
    seen.add(o.orderId);
    const c = checksOf.get(o.orderId);
    if (c !== undefined) Object.assign(o, checksOfLine(c, checkFields, values).checks);
    history.push(o);
  }

  // The live lines, cut into messages; an order's checks go (by its index) with it, a message early, one
  // or two late, or never.
  const live = orderLines
    .slice(HISTORY)
    .filter((l) => !seen.has(orderOfLine(l, orderFields, values).orderId));
  const count = Math.ceil(live.length / PER_MESSAGE);
  const orders: string[][] = Array.from({ length: count }, () => []);
  const checks: string[][] = Array.from({ length: count + 2 }, () => []);
  const ids = new Set<string>();
  const placed = new Set<string>();
  live.forEach((line, i) => {
    const m = Math.floor(i / PER_MESSAGE);
    orders[m]?.push(line);
    const id = orderOfLine(line, orderFields, values).orderId;
    ids.add(id);
    const c = checksOf.get(id);
    if (c === undefined || placed.has(id)) return;
    placed.add(id);
    const k = i % 20;
    const at = k < 13 ? m : k < 15 ? m - 1 : k < 17 ? m + 1 : k < 19 ? m + 4 : -1;
    if (at >= 0) checks[at]?.push(c);
  });
  const bytes = (lines: string[] | undefined) => new Uint8Array(Buffer.from((lines ?? []).join(''), 'utf8'));
  const messages = checks.map((c, m) => ({
    orders: bytes(orders[m]),
    checks: bytes(c),
    now: LIVE_START_MS + m * MESSAGE_MS,
  }));
  return { history, profiles, messages, liveOrders: ids.size };
}

/** Orders scored per call at most, as the worker's BATCH. */
export const DRIVE_BATCH = 2000;

/** A scoring path under test: it takes the messages and scores what is due when asked. */
export interface LivePath {
  receive(m: LiveMessage): void;
  /** Scores up to `max` due orders, writing their lines scored at `now`; how many it scored. */
  scoreDue(now: number, max: number): number;
}

/** Feeds the stream to a path as the worker meets it: each message, then what is due; at the end, the rest. */
export function drive(stream: LiveStream, path: LivePath): void {
  let now = LIVE_START_MS;
  for (const m of stream.messages) {
    path.receive(m);
    now = m.now;
    while (path.scoreDue(now, DRIVE_BATCH) === DRIVE_BATCH);
  }
  while (path.scoreDue(now + 10_000, DRIVE_BATCH) === DRIVE_BATCH);
}

/** Lines per block digest: a failing comparison says which block of lines first differs. */
export const DIGEST_BLOCK = 250;

/** SHA-256 of the whole text and of each block of DIGEST_BLOCK lines, and the line count. */
export function digests(text: string): { lines: number; all: string; blocks: string[] } {
  const lines = text.split('\n').filter((l) => l !== '');
  const sha = (s: string) => createHash('sha256').update(s).digest('hex');
  const blocks: string[] = [];
  for (let i = 0; i < lines.length; i += DIGEST_BLOCK)
    blocks.push(sha(`${lines.slice(i, i + DIGEST_BLOCK).join('\n')}\n`));
  return { lines: lines.length, all: sha(text), blocks };
}
