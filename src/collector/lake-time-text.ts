import { lakeTimestamp } from '../fraud/index.js';
import { LineBytes } from './fraud-line-bytes.js';

const DAY_MS = 86_400_000;
/** 10000-01-01T00:00:00Z: from there on toISOString writes a six-digit year (+010000-…). */
const YEAR_10000_MS = 253_402_300_800_000;

/**
 * lakeTimestamp ('YYYY-MM-DD HH:MM:SS' of epoch ms, UTC) for the scoring worker's score lines, with the
 * date part kept from the last call: a Date, toISOString and two string edits cost about 1 µs, 7 % of the
 * worker's time per order, and the orders scored together are mostly of one day. Outside 1970–9999 (and for
 * NaN) it is lakeTimestamp itself; lake-time-text.test.ts checks the two agree.
 */
export class TimestampText {
  private day = Number.NaN;
  private date = '';

  /** The text of `ms`, as lakeTimestamp writes it. */
  format(ms: number): string {
    const out = new LineBytes(32);
    this.write(out, ms);
    return out.takeText();
  }

  /** The same text appended to `out` as bytes (the score lines are written into one reused buffer). */
  write(out: LineBytes, ms: number): void {
    if (!(ms >= 0 && ms < YEAR_10000_MS)) {
      out.ascii(lakeTimestamp(ms));
      return;
    }
    const day = Math.floor(ms / DAY_MS);
    if (day !== this.day) {
      this.day = day;
      this.date = lakeTimestamp(day * DAY_MS).slice(0, 11);
    }
    const sec = Math.floor((ms - day * DAY_MS) / 1000);
    const min = Math.floor(sec / 60);
    out.ascii(this.date);
    out.twoDigits(Math.floor(min / 60));
    out.byte(58);
    out.twoDigits(min % 60);
    out.byte(58);
    out.twoDigits(sec % 60);
  }
}

const digit = (t: string, i: number) => t.charCodeAt(i) - 48;
const isDigit = (t: string, i: number) => {
  const c = t.charCodeAt(i);
  return c >= 48 && c <= 57;
};
const DAYS_IN_MONTH = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

/**
 * Epoch ms of a WAL timestamp, as `Date.parse` reads its text with 'T' for the space and a 'Z' (what the
 * worker did before): the collector's own form 'YYYY-MM-DD HH:MM:SS' (year 1000 on, a real date) is read
 * digit by digit, anything else goes to Date.parse. lake-time-text.test.ts checks the two agree.
 */
export function walTimestampMs(v: string | number | undefined): number {
  const t = String(v);
  // '-' at 4 and 7, ' ' at 10, ':' at 13 and 16.
  const separated =
    t.length === 19 &&
    t.charCodeAt(4) === 45 &&
    t.charCodeAt(7) === 45 &&
    t.charCodeAt(10) === 32 &&
    t.charCodeAt(13) === 58 &&
    t.charCodeAt(16) === 58;
  if (separated) {
    let ok = true;
    for (let i = 0; i < 19 && ok; i++)
      if (i !== 4 && i !== 7 && i !== 10 && i !== 13 && i !== 16) ok = isDigit(t, i);
    if (ok) {
      const year = digit(t, 0) * 1000 + digit(t, 1) * 100 + digit(t, 2) * 10 + digit(t, 3);
      const month = digit(t, 5) * 10 + digit(t, 6);
      const day = digit(t, 8) * 10 + digit(t, 9);
      const hour = digit(t, 11) * 10 + digit(t, 12);
      const minute = digit(t, 14) * 10 + digit(t, 15);
      const second = digit(t, 17) * 10 + digit(t, 18);
      const leap = year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0);
      const days = month === 2 && leap ? 29 : (DAYS_IN_MONTH[month - 1] ?? 0);
      if (year >= 1000 && day >= 1 && day <= days && hour <= 23 && minute <= 59 && second <= 59)
        return Date.UTC(year, month - 1, day, hour, minute, second);
    }
  }
  return Date.parse(`${t.replace(' ', 'T')}Z`);
}
