import { closeSync, existsSync, fstatSync, openSync, readSync } from 'node:fs';
import { join } from 'node:path';
import { REGIONS } from '../generate/index.js';
import { ACTIONS, DEVICES, dataLayout, ORDER_STATUSES, PAGES } from '../lake/index.js';

export type Json = Record<string, string | number>;

/** Records to replay, per endpoint. */
export interface ReplaySource {
  orders: Json[];
  events: Json[];
  origin: string;
}

const INTEGER = new Set(['quantity', 'duration_seconds']);
const MONEY = new Set(['price', 'total_amount']);

// At most this much of each CSV is read: replay cycles through its records (with suffixed ids), so a
// 3 GB clickstream file needs no more memory than a small one.
const MAX_SOURCE_BYTES = 32 * 1024 * 1024;

/** The first `maxBytes` of a text file, cut after its last complete line. */
function readHead(path: string, maxBytes: number): string {
  const fd = openSync(path, 'r');
  try {
    const buffer = Buffer.alloc(Math.min(maxBytes, fstatSync(fd).size));
    const read = readSync(fd, buffer, 0, buffer.length, 0);
    const text = buffer.subarray(0, read).toString('utf8');
    return read < maxBytes ? text : text.slice(0, text.lastIndexOf('\n') + 1);
  } finally {
    closeSync(fd);
  }
}

// Generated CSVs hold no quotes or commas inside fields (the seed's awk one-liners rely on it too).
function readCsv(path: string): Json[] {
  const lines = readHead(path, MAX_SOURCE_BYTES).split('\n');
  const header = (lines[0] ?? '').split(',');
  const out: Json[] = [];
  for (const line of lines.slice(1)) {
    if (!line) continue;
    const values = line.split(',');
    const record: Json = {};
    header.forEach((h, i) => {
      const v = values[i] ?? '';
      if (v !== '') record[h] = INTEGER.has(h) || MONEY.has(h) ? Number(v) : v;
    });
    out.push(record);
  }
  return out;
}

/** The generated raw CSVs of a data directory, or synthetic records when there are none. */
export function loadSource(dataDir: string): ReplaySource {
  const raw = dataLayout(dataDir).raw;
  const orders = join(raw, 'orders', 'orders.csv');
  const events = join(raw, 'clickstream', 'clickstream.csv');
  if (existsSync(orders) && existsSync(events)) {
    return { orders: readCsv(orders), events: readCsv(events), origin: `${raw}/{orders,clickstream}` };
  }
  return {
    ...synthetic(10_000, 40_000),
    origin: 'synthetic records (no generated CSV in the data directory)',
  };
}

const pick = <T>(list: readonly T[], i: number): T => list[i % list.length] as T;

/** Valid records spread over the last day, in the seed's proportions of orders to events. */
export function synthetic(
  orderCount: number,
  eventCount: number,
  now = Date.now(),
): { orders: Json[]; events: Json[] } {
  const stamp = (i: number) =>
    new Date(now - 60_000 - (i % 86_400) * 1000).toISOString().replace('T', ' ').slice(0, 19);
  const orders = Array.from({ length: orderCount }, (_, i) => {
    const quantity = 1 + (i % 3);
    const price = 10 + (i % 90) + 0.99;
    return {
      order_id: `SYN${i}`,
      customer_id: `C${i % 5000}`,
      product_id: `P${i % 15}`,
      product_name: `Product ${i % 15}`,
      quantity,
      price,
      total_amount: Math.round(quantity * price * 100) / 100,
      order_date: stamp(i),
      status: pick(ORDER_STATUSES, i),
      region: pick(REGIONS, i),
    };
  });
  const events = Array.from({ length: eventCount }, (_, i) => ({
    timestamp: stamp(i),
    session_id: `SES${Math.floor(i / 5)}`,
    customer_id: `C${i % 5000}`,
    action: pick(ACTIONS.slice(0, 4), i),
    page: pick(PAGES, i),
    product_id: `P${i % 15}`,
    device: pick(DEVICES, i),
    duration_seconds: i % 300,
  }));
  return { orders, events };
}

/**
 * Record `i` of an endless stream over `list`. Past the first pass (or always, with a run tag) ids get
 * a suffix, so a long replay keeps sending new records instead of duplicates.
 */
export function nth(list: Json[], i: number, table: 'orders' | 'events', tag: string | null): Json {
  const pass = Math.floor(i / list.length);
  const base = list[i % list.length] as Json;
  const suffix = tag !== null ? `${tag}${pass}` : pass > 0 ? `p${pass}` : null;
  if (suffix === null) return base;
  if (table === 'orders') return { ...base, order_id: `${base.order_id}:${suffix}` };
  return { ...base, event_id: `${suffix}-${i % list.length}` };
}
