import { ACTIONS, DEVICES, PAGES } from '../tables.js';
import { ASSIGNMENT_SEPARATOR, PATH_COLUMNS, SESSION_GAP_MINUTES, VARIANT_SEPARATOR } from './derive.js';

// A TypeScript twin of sessionRowsSql (derive.ts): the same row for a session from its events, its linked
// orders and its assignments, computed in the process that already holds them (the compaction process's
// state of recently active sessions) instead of reading them back into DuckDB. Written from the columns'
// definitions (src/lake/tables.ts, docs/LAKE.md), not translated statement by statement; derive-twin.test.ts
// compares the two over seeded random sessions, column by column. Strings compare with JavaScript's `<`
// (UTF-16 code units), which orders the lake's ASCII ids and enum values as DuckDB does (bytes).

/** One clickstream event as the twin reads it: times in epoch microseconds (a TIMESTAMP's value). */
export interface TwinEvent {
  us: number;
  sessionId: string | null;
  customerId: string;
  action: string;
  page: string;
  device: string | null;
  durationSeconds: number;
}

/** One orders row as the twin reads it: order_date in epoch microseconds, total_amount in 1/10,000ths. */
export interface TwinOrder {
  orderId: string | null;
  customerId: string | null;
  orderDateUs: number;
  totalAmount: bigint | null;
}

/** One experiments row of a session. */
export interface TwinAssignment {
  experiment: string;
  variant: string;
}

/** A sessions table row; times in epoch microseconds, revenue in 1/10,000ths (DECIMAL(18,4)'s unscaled value). */
export interface TwinRow {
  session_id: string;
  customer_id: string;
  device: string | null;
  started: number;
  last_event: number;
  duration_seconds: number;
  events: number;
  page_views: number;
  purchased: number;
  view_at: number | null;
  cart_at: number | null;
  checkout_at: number | null;
  purchase_at: number | null;
  exit_label: string | null;
  path_steps: number | null;
  /** path_1 .. path_10: path_1 is the last step. */
  paths: (string | null)[];
  orders: number;
  revenue: bigint;
  assignments: string;
}

/** What the twin needs besides a session's events: the orders at a customer's PURCHASE time, a session's assignments. */
export interface TwinLookups {
  ordersAt(customerId: string, us: number): readonly TwinOrder[];
  assignmentsOf(sessionId: string): readonly TwinAssignment[];
}

const GAP = SESSION_GAP_MINUTES * 60;
const SORTED_DEVICES = [...new Set<string>(DEVICES)].sort();
const SORTED_ACTIONS = [...ACTIONS].sort();
const SORTED_PAGES = [...PAGES].sort();
const SORTED_LABELS = [...new Set<string>([...PAGES, ...ACTIONS])].sort();

/**
 * A TIMESTAMP's second as the lake's SQL takes it, CAST(epoch(ts) AS BIGINT): DuckDB's cast of a DOUBLE
 * rounds to the nearest integer and a half to the even one (0.5 -> 0, 1.5 -> 2, -1.5 -> -2; measured with
 * DuckDB 1.5, 2026-11-26). A whole-second time is its own second.
 */
export function secondOf(us: number): number {
  const a = Math.abs(us);
  const r = a % 1_000_000;
  let s = (a - r) / 1_000_000;
  if (r > 500_000 || (r === 500_000 && s % 2 === 1)) s++;
  return us < 0 ? 0 - s : s;
}

// A value's rank in a sorted set; absent (or NULL) ranks past it.
function rank(sorted: readonly string[], v: string | null): number {
  if (v === null) return sorted.length;
  const i = sorted.indexOf(v);
  return i < 0 ? sorted.length : i;
}

/**
 * Every session's row from `events` (any order), as sessionRowsSql gives them (in no particular order).
 * Events with a session_id are grouped by it; the others per customer into sessions split where two
 * consecutive events' seconds are more than SESSION_GAP_MINUTES apart.
 */
export function deriveTwinRows(events: readonly TwinEvent[], lookups: TwinLookups): TwinRow[] {
  const byId = new Map<string, TwinEvent[]>();
  const byCustomer = new Map<string, TwinEvent[]>();
  for (const e of events) {
    const [map, key] = e.sessionId === null ? [byCustomer, e.customerId] : [byId, e.sessionId];
    const list = map.get(key);
    if (list) list.push(e);
    else map.set(key, [e]);
  }
  const rows: TwinRow[] = [];
  for (const [id, evs] of byId) rows.push(deriveTwinSession(evs, id, lookups));
  for (const evs of byCustomer.values())
    for (const part of splitDerived(evs)) rows.push(deriveTwinSession(part, null, lookups));
  return rows;
}

/**
 * One customer's events without a session_id split into derived sessions: ordered by time, a new one
 * starts where the second is more than the gap after the previous event's (exactly the gap continues).
 */
export function splitDerived(events: readonly TwinEvent[]): TwinEvent[][] {
  const sorted = [...events].sort((a, b) => a.us - b.us);
  const parts: TwinEvent[][] = [];
  let prev = 0;
  for (const e of sorted) {
    const sec = secondOf(e.us);
    const last = parts.at(-1);
    if (last && sec - prev <= GAP) last.push(e);
    else parts.push([e]);
    prev = sec;
  }
  return parts;
}

/**
 * The row of one session from all its events: `sessionId` its id, or null for a derived session (one
 * part of splitDerived), whose id is '<customer>~<epoch microseconds of its first event>'.
 */
export function deriveTwinSession(
  events: readonly TwinEvent[],
  sessionId: string | null,
  lookups: TwinLookups,
): TwinRow {
  const first = events[0];
  if (!first) throw new Error('a session without events');
  let customer = first.customerId;
  let started = first.us;
  let lastEvent = first.us;
  let endSec = Number.NEGATIVE_INFINITY;
  let devSec = Number.POSITIVE_INFINITY;
  let devRank = 0;
  let exitSec = Number.NEGATIVE_INFINITY;
  let exitRank = 0;
  let pageViews = 0;
  const views: number[] = [];
  const carts: number[] = [];
  const checkouts: number[] = [];
  const purchases: number[] = [];
  for (const e of events) {
    const sec = secondOf(e.us);
    if (e.customerId < customer) customer = e.customerId;
    if (e.us < started) started = e.us;
    if (e.us > lastEvent) lastEvent = e.us;
    endSec = Math.max(endSec, sec + e.durationSeconds);
    const dr = rank(SORTED_DEVICES, e.device);
    if (sec < devSec || (sec === devSec && dr < devRank)) [devSec, devRank] = [sec, dr];
    const lr = rank(SORTED_LABELS, e.action === 'VIEW' ? e.page : e.action);
    if (sec > exitSec || (sec === exitSec && lr > exitRank)) [exitSec, exitRank] = [sec, lr];
    if (e.action === 'VIEW') {
      pageViews++;
      views.push(sec);
    } else if (e.action === 'ADD_TO_CART') carts.push(sec);
    else if (e.action === 'CHECKOUT') checkouts.push(sec);
    else if (e.action === 'PURCHASE') purchases.push(sec);
  }
  const startSec = secondOf(started);
  // The funnel: each step the first second of its action at or after the previous step's.
  const t1 = views.length > 0 ? Math.min(...views) : null;
  const t2 = firstAtOrAfter(carts, t1);
  const t3 = firstAtOrAfter(checkouts, t2);
  const t4 = firstAtOrAfter(purchases, t3);
  const psec = purchases.length > 0 ? Math.min(...purchases) : null;
  const path = psec === null ? null : purchasePath(events, psec);
  const linked = psec === null ? { orders: 0, revenue: 0n } : linkedOrders(events, lookups);
  const derived = sessionId === null;
  return {
    session_id: derived ? `${customer}~${started}` : sessionId,
    customer_id: customer,
    device: SORTED_DEVICES[devRank] ?? null,
    started,
    last_event: lastEvent,
    duration_seconds: endSec - startSec,
    events: events.length,
    page_views: pageViews,
    purchased: psec === null ? 0 : 1,
    view_at: t1 === null ? null : t1 - startSec,
    cart_at: t2 === null ? null : t2 - startSec,
    checkout_at: t3 === null ? null : t3 - startSec,
    purchase_at: t4 === null ? null : t4 - startSec,
    exit_label: SORTED_LABELS[exitRank] ?? null,
    path_steps: path === null ? null : path.length,
    paths: Array.from({ length: PATH_COLUMNS }, (_, i) =>
      path && path.length > i ? (path[path.length - 1 - i] ?? null) : null,
    ),
    orders: linked.orders,
    revenue: linked.revenue,
    assignments: derived ? '' : assignmentsText(lookups.assignmentsOf(sessionId)),
  };
}

function firstAtOrAfter(secs: readonly number[], after: number | null): number | null {
  if (after === null) return null;
  let best: number | null = null;
  for (const s of secs) if (s >= after && (best === null || s < best)) best = s;
  return best;
}

// The purchase path: events up to the first purchase's second in (second, action, page) order, each
// labelled (a VIEW by its page, else its action; a value outside its set labels NULL, and all such
// actions are one label, all such pages another), repeats of the previous label dropped.
function purchasePath(events: readonly TwinEvent[], psec: number): (string | null)[] {
  const steps = events
    .map((e) => ({
      sec: secondOf(e.us),
      a: rank(SORTED_ACTIONS, e.action),
      p: rank(SORTED_PAGES, e.page),
    }))
    .filter((s) => s.sec <= psec)
    .sort((x, y) => x.sec - y.sec || x.a - y.a || x.p - y.p);
  const viewRank = SORTED_ACTIONS.indexOf('VIEW');
  const labels: { id: number; text: string | null }[] = [];
  for (const s of steps) {
    const isView = s.a === viewRank;
    const id = isView ? SORTED_ACTIONS.length + 1 + s.p : s.a;
    if (labels.at(-1)?.id === id) continue;
    labels.push({ id, text: (isView ? SORTED_PAGES[s.p] : SORTED_ACTIONS[s.a]) ?? null });
  }
  return labels.map((l) => l.text);
}

// Orders linked through a PURCHASE event at exactly their order_date by their customer: distinct order
// ids counted, every matching orders row's total summed (exactly, in 1/10,000ths).
function linkedOrders(
  events: readonly TwinEvent[],
  lookups: TwinLookups,
): { orders: number; revenue: bigint } {
  const seen = new Set<string>();
  const ids = new Set<string>();
  let revenue = 0n;
  for (const e of events) {
    if (e.action !== 'PURCHASE') continue;
    const at = `${e.customerId}\u0000${e.us}`;
    if (seen.has(at)) continue;
    seen.add(at);
    for (const o of lookups.ordersAt(e.customerId, e.us)) {
      if (o.customerId !== e.customerId || o.orderDateUs !== e.us) continue;
      if (o.orderId !== null) ids.add(o.orderId);
      if (o.totalAmount !== null) revenue += o.totalAmount;
    }
  }
  return { orders: ids.size, revenue };
}

/** A session's assignments as the table spells them: 'experiment=variant' pairs in (experiment, variant) order, joined by ','. */
export function assignmentsText(rows: readonly TwinAssignment[]): string {
  return [...rows]
    .sort((a, b) => cmp(a.experiment, b.experiment) || cmp(a.variant, b.variant))
    .map((r) => `${r.experiment}${VARIANT_SEPARATOR}${r.variant}`)
    .join(ASSIGNMENT_SEPARATOR);
}

const cmp = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);
