import type { OrderChecks, OrderFacts } from '../fraud/index.js';
import { CHECK_FIELDS, ORDER_FIELDS } from './fraud-protocol.js';
import { walTimestampMs } from './lake-time-text.js';

/*
 * The scoring worker's reading of acknowledged records from the UTF-8 bytes of their WAL lines (handed over
 * as a transferred buffer, not as texts copied into the worker's heap): each wanted field is found and read
 * in place, numbers and timestamps are computed from the digits, and the texts the model keeps for good
 * (customer, product and device ids, regions, statuses, payment methods, countries) are looked up among the
 * ones seen before instead of made again. Only the order id is a new text per order. Reading the lines as
 * texts (the message's text, a text per line, per field, a copy per kept id) was most of what the worker
 * allocated per order once the score lines were written in place (docs/BENCHMARKS.md, "Fraud scoring
 * without garbage").
 *
 * A line read here gives exactly what WalFields and orderFactsOf / orderChecksOf give for its text; anything
 * out of the plain form (an escape or a non-ASCII byte in a wanted value, a value of the other kind, a number
 * with an exponent or more than 15 digits, no braces) answers false, and the caller reads that line as text
 * the old way. fraud-order-bytes.test.ts checks the two agree.
 */

const QUOTE = 34;
const BACKSLASH = 92;
const COMMA = 44;
const OPEN = 123;
const CLOSE = 125;
const MINUS = 45;
const DOT = 46;
const ZERO = 48;
/** Digits a number may have to be computed exactly here (below 2^53, and 10^15 is exact). */
const MAX_DIGITS = 15;
const POW10 = Array.from({ length: MAX_DIGITS + 1 }, (_, i) => 10 ** i);

/** Where each wanted field's value lies in a line: its kind and its bytes (a text's without quotes). */
class FieldSpans {
  readonly kind: Uint8Array;
  readonly start: Int32Array;
  readonly end: Int32Array;
  private readonly needles: Uint8Array[];

  constructor(names: readonly string[]) {
    this.needles = names.map((n) => new TextEncoder().encode(`"${n}":`));
    this.kind = new Uint8Array(names.length);
    this.start = new Int32Array(names.length);
    this.end = new Int32Array(names.length);
  }

  /**
   * Finds the fields in b[from, to) (one line without its newline), as WalFields does (names in column
   * order, each found from where the previous one ended, else from the start). Kinds: ABSENT, TEXT, NUMBER.
   * False when the line is not of the plain form read here.
   */
  read(b: Uint8Array, from: number, to: number): boolean {
    if (to - from < 2 || b[from] !== OPEN || b[to - 1] !== CLOSE) return false;
    let pos = from;
    for (let i = 0; i < this.needles.length; i++) {
      const needle = this.needles[i] as Uint8Array;
      let at = find(b, needle, pos, to);
      if (at < 0 && pos > from) at = find(b, needle, from, to);
      if (at < 0) {
        this.kind[i] = ABSENT;
        continue;
      }
      const before = b[at - 1];
      if (at === from || (before !== OPEN && before !== COMMA)) return false;
      const v = at + needle.length;
      if (b[v] === QUOTE) {
        let e = v + 1;
        for (; e < to; e++) {
          const c = b[e] as number;
          if (c === QUOTE) break;
          // An escape (the quote found might be escaped) or a non-ASCII character: read as text instead.
          if (c === BACKSLASH || c > 0x7e || c < 0x20) return false;
        }
        if (e >= to) return false;
        this.kind[i] = TEXT;
        this.start[i] = v + 1;
        this.end[i] = e;
        pos = e + 1;
      } else {
        let e = v;
        while (e < to && b[e] !== COMMA && b[e] !== CLOSE) e++;
        this.kind[i] = NUMBER;
        this.start[i] = v;
        this.end[i] = e;
        pos = e;
      }
    }
    return true;
  }
}

const ABSENT = 0;
const TEXT = 1;
const NUMBER = 2;

// The index of `needle` in b[from, to), or −1.
function find(b: Uint8Array, needle: Uint8Array, from: number, to: number): number {
  const first = needle[0] as number;
  const last = to - needle.length;
  for (let i = from; i <= last; i++) {
    if (b[i] !== first) continue;
    let k = 1;
    while (k < needle.length && b[i + k] === needle[k]) k++;
    if (k === needle.length) return i;
  }
  return -1;
}

/**
 * A JSON number's bytes as Number() reads them, when it has the plain form -?(0|[1-9]d*)(.d+)? with at most
 * 15 digits: the digits as an integer (exact below 2^53) divided by a power of ten (exact up to 10^22) is
 * one correctly rounded division, the double nearest the decimal, as Number() gives. NaN otherwise (the
 * caller then reads the line as text).
 */
export function plainNumber(b: Uint8Array, from: number, to: number): number {
  let i = from;
  let negative = false;
  if (b[i] === MINUS) {
    negative = true;
    i++;
  }
  if (i >= to) return Number.NaN;
  if (b[i] === ZERO && i + 1 < to && b[i + 1] !== DOT) return Number.NaN;
  let m = 0;
  let digits = 0;
  let decimals = -1;
  for (; i < to; i++) {
    const c = b[i] as number;
    if (c === DOT) {
      if (decimals >= 0 || digits === 0) return Number.NaN;
      decimals = 0;
      continue;
    }
    const d = c - ZERO;
    if (d < 0 || d > 9) return Number.NaN;
    m = m * 10 + d;
    digits++;
    if (decimals >= 0) decimals++;
  }
  if (digits === 0 || digits > MAX_DIGITS || decimals === 0) return Number.NaN;
  const v = decimals > 0 ? m / (POW10[decimals] as number) : m;
  return negative ? -v : v;
}

/** 'YYYY-MM-DD HH:MM:SS' in b[from, to) as walTimestampMs reads its text (any other form: through it). */
function timestampMs(b: Uint8Array, from: number, to: number, latin1: Buffer): number {
  if (
    to - from === 19 &&
    b[from + 4] === MINUS &&
    b[from + 7] === MINUS &&
    b[from + 10] === 32 &&
    b[from + 13] === 58 &&
    b[from + 16] === 58
  ) {
    // digitAt, a top-level function, not a closure over b and from: a closure per order was garbage.
    let ok = true;
    for (let k = 0; k < 19 && ok; k++)
      if (k !== 4 && k !== 7 && k !== 10 && k !== 13 && k !== 16)
        ok = digitAt(b, from + k) >= 0 && digitAt(b, from + k) <= 9;
    if (ok) {
      const year =
        digitAt(b, from + 0) * 1000 +
        digitAt(b, from + 1) * 100 +
        digitAt(b, from + 2) * 10 +
        digitAt(b, from + 3);
      const month = digitAt(b, from + 5) * 10 + digitAt(b, from + 6);
      const day = digitAt(b, from + 8) * 10 + digitAt(b, from + 9);
      const hour = digitAt(b, from + 11) * 10 + digitAt(b, from + 12);
      const minute = digitAt(b, from + 14) * 10 + digitAt(b, from + 15);
      const second = digitAt(b, from + 17) * 10 + digitAt(b, from + 18);
      const leap = year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0);
      const days = month === 2 && leap ? 29 : (DAYS_IN_MONTH[month - 1] ?? 0);
      if (year >= 1000 && day >= 1 && day <= days && hour <= 23 && minute <= 59 && second <= 59)
        return Date.UTC(year, month - 1, day, hour, minute, second);
    }
  }
  // The text made only for a date out of this form (a closure made per order to make it was garbage).
  return walTimestampMs(latin1.toString('latin1', from, to));
}
function digitAt(b: Uint8Array, at: number): number {
  return (b[at] as number) - ZERO;
}
const DAYS_IN_MONTH = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

/**
 * ASCII texts looked up by their bytes: the same bytes give the same string, made once. An open-addressing
 * table (linear probing, at most half full) whose entries are compared character by character, so the
 * answer is exact whatever the hashes; emptied whole when full (the strings stay valid: only the sharing
 * starts again). Written here because no package looks strings up by bytes without making the string first.
 */
export class AsciiTexts {
  private slots: Int32Array;
  private mask: number;
  private readonly hashes: Int32Array;
  private readonly texts: string[] = [];

  constructor(private readonly capacity = 1 << 18) {
    this.slots = new Int32Array(capacity * 2);
    this.mask = capacity * 2 - 1;
    this.hashes = new Int32Array(capacity);
  }

  /** The text of b[from, to) (ASCII bytes: the caller checked). */
  get(b: Uint8Array, from: number, to: number, latin1: Buffer): string {
    let h = 0x811c9dc5;
    for (let i = from; i < to; i++) h = Math.imul(h ^ (b[i] as number), 0x01000193);
    h |= 0;
    const n = to - from;
    for (let s = h & this.mask; ; s = (s + 1) & this.mask) {
      const e = (this.slots[s] as number) - 1;
      if (e < 0) break;
      if (this.hashes[e] !== h) continue;
      const t = this.texts[e] as string;
      if (t.length !== n) continue;
      let k = 0;
      while (k < n && t.charCodeAt(k) === b[from + k]) k++;
      if (k === n) return t;
    }
    const t = latin1.toString('latin1', from, to);
    if (this.texts.length >= this.capacity) {
      this.slots.fill(0);
      this.texts.length = 0;
    }
    const e = this.texts.length;
    this.texts.push(t);
    this.hashes[e] = h;
    let s = h & this.mask;
    while (this.slots[s] !== 0) s = (s + 1) & this.mask;
    this.slots[s] = e + 1;
    return t;
  }
}

/** Reads orders and order_checks records from their WAL lines' bytes (one reader per worker). */
export class RecordBytes {
  private readonly order = new FieldSpans(ORDER_FIELDS);
  private readonly check = new FieldSpans(CHECK_FIELDS);
  private readonly texts = new AsciiTexts();
  private b: Uint8Array = new Uint8Array(0);
  private latin1: Buffer = Buffer.alloc(0);

  /** The bytes the next reads are of (one message's). */
  use(b: Uint8Array): void {
    this.b = b;
    this.latin1 = Buffer.from(b.buffer, b.byteOffset, b.byteLength);
  }

  /** The line b[from, to) as text (for the lines read the old way). */
  line(from: number, to: number): string {
    return this.latin1.toString('utf8', from, to);
  }

  /** The order of the line b[from, to), or null when it is not of the plain form (read it as text). */
  orderFacts(from: number, to: number): OrderFacts | null {
    const o: OrderFacts = {
      orderId: '',
      customerId: null,
      productId: '',
      quantity: 0,
      amount: 0,
      t: 0,
      status: null,
      region: null,
      payment: null,
      ipCountry: null,
      deviceId: null,
      accountAgeDays: null,
    };
    return this.orderFactsInto(from, to, o) ? o : null;
  }

  /**
   * orderFacts written into `o` (every field), for a caller that reuses one object line after line (the
   * live queue copies it): false, and `o` left partly written, when the line is not of the plain form.
   */
  orderFactsInto(from: number, to: number, o: OrderFacts): boolean {
    const f = this.order;
    if (!f.read(this.b, from, to)) return false;
    // Kinds as the old reading needs them to give the same: ids, date and texts as texts, amounts as numbers.
    const k = f.kind;
    if (k[0] === NUMBER || k[1] === NUMBER || k[2] === NUMBER || k[5] === NUMBER) return false;
    if (k[6] === NUMBER || k[7] === NUMBER || k[3] === TEXT || k[4] === TEXT) return false;
    const quantity = k[3] === ABSENT ? Number.NaN : this.number(3, f);
    const amount = k[4] === ABSENT ? Number.NaN : this.number(4, f);
    if ((k[3] !== ABSENT && Number.isNaN(quantity)) || (k[4] !== ABSENT && Number.isNaN(amount)))
      return false;
    o.t = k[5] === ABSENT ? Number.NaN : this.date(5, f);
    o.orderId = k[0] === ABSENT ? 'undefined' : this.fresh(0, f);
    o.customerId = k[1] === ABSENT ? null : this.kept(1, f);
    o.productId = k[2] === ABSENT ? 'undefined' : this.kept(2, f);
    o.quantity = quantity;
    o.amount = amount;
    o.status = k[6] === ABSENT ? null : this.kept(6, f);
    o.region = k[7] === ABSENT ? null : this.kept(7, f);
    o.payment = null;
    o.ipCountry = null;
    o.deviceId = null;
    o.accountAgeDays = null;
    return true;
  }

  /** The order id and checks of the line b[from, to), or null when it is not of the plain form. */
  orderChecks(from: number, to: number): { orderId: string; checks: OrderChecks } | null {
    const f = this.check;
    if (!f.read(this.b, from, to)) return null;
    const k = f.kind;
    if (k[0] === NUMBER || k[1] === NUMBER || k[2] === NUMBER || k[4] === NUMBER || k[3] === TEXT)
      return null;
    const age = k[3] === ABSENT ? null : this.number(3, f);
    if (age !== null && Number.isNaN(age)) return null;
    return {
      orderId: k[0] === ABSENT ? 'undefined' : this.fresh(0, f),
      checks: {
        payment: k[1] === ABSENT ? null : this.kept(1, f),
        ipCountry: k[2] === ABSENT ? null : this.kept(2, f),
        deviceId: k[4] === ABSENT ? null : this.kept(4, f),
        accountAgeDays: age,
      },
    };
  }

  private number(i: number, f: FieldSpans): number {
    return plainNumber(this.b, f.start[i] as number, f.end[i] as number);
  }

  private date(i: number, f: FieldSpans): number {
    const from = f.start[i] as number;
    const to = f.end[i] as number;
    return timestampMs(this.b, from, to, this.latin1);
  }

  // A text made for this order alone (its id): its own copy, no view into the message.
  private fresh(i: number, f: FieldSpans): string {
    return this.latin1.toString('latin1', f.start[i] as number, f.end[i] as number);
  }

  // A text the model may keep: the one made when these bytes were first seen.
  private kept(i: number, f: FieldSpans): string {
    return this.texts.get(this.b, f.start[i] as number, f.end[i] as number, this.latin1);
  }
}

/**
 * Calls `each` with the bounds of every non-empty line of `b` (newline excluded; the last may lack it). A
 * message holds whole lines: the collector hands over each request's WAL text, which ends in a newline.
 */
export function eachLine(b: Uint8Array, each: (from: number, to: number) => void): void {
  let from = 0;
  while (from < b.length) {
    let nl = b.indexOf(10, from);
    if (nl < 0) nl = b.length;
    if (nl > from) each(from, nl);
    from = nl + 1;
  }
}
