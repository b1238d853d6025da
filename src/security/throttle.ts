/** How many failed authentications an address gets before it has to wait. */
export const FREE_FAILURES = 5;
const FIRST_WAIT_MS = 1_000;
const MAX_WAIT_MS = 15 * 60 * 1000;
/** Addresses remembered: at least the last MAX_ADDRESSES that failed, at most twice that. */
export const MAX_ADDRESSES = 10_000;

interface Record {
  failures: number;
  blockedUntil: number;
}

/**
 * Slows down key guessing from one address: after FREE_FAILURES failures, each further failure doubles
 * the wait (1 s, 2 s, 4 s … up to 15 minutes), and attempts during the wait are refused without even
 * checking the key. A success clears the address. Memory is bounded: the addresses are kept in two
 * generations (failures go into the young map; once it holds MAX_ADDRESSES the old one is dropped whole and
 * the young one becomes old), so an address is remembered until MAX_ADDRESSES others failed after it.
 * Forgetting the oldest address one at a time (`keys().next()` on a full Map, as before) walked over the
 * holes V8 leaves at the front of a Map after deletes: 11–19 µs a failure at 10,000 addresses against
 * well under 1 µs now (bench/throttle.ts, docs/BENCHMARKS.md), on a path an attacker drives.
 */
export class FailureThrottle {
  private young = new Map<string, Record>();
  private old = new Map<string, Record>();

  /** Seconds the address must still wait (0: it may try). */
  waitSeconds(address: string, now = Date.now()): number {
    const r = this.young.get(address) ?? this.old.get(address);
    if (!r || r.blockedUntil <= now) return 0;
    return Math.ceil((r.blockedUntil - now) / 1000);
  }

  /** Records a failure; returns the seconds to wait before the next attempt (0: none yet). */
  fail(address: string, now = Date.now()): number {
    let r = this.young.get(address);
    if (r === undefined) {
      r = this.old.get(address) ?? { failures: 0, blockedUntil: 0 };
      this.old.delete(address);
      this.young.set(address, r);
    }
    r.failures++;
    if (r.failures > FREE_FAILURES) {
      const wait = Math.min(MAX_WAIT_MS, FIRST_WAIT_MS * 2 ** (r.failures - FREE_FAILURES - 1));
      r.blockedUntil = now + wait;
    }
    const waiting = this.waitSeconds(address, now);
    if (this.young.size >= MAX_ADDRESSES) {
      this.old = this.young;
      this.young = new Map();
    }
    return waiting;
  }

  succeed(address: string): void {
    this.young.delete(address);
    this.old.delete(address);
  }

  /** Addresses remembered (between the last MAX_ADDRESSES that failed and twice that). */
  get size(): number {
    return this.young.size + this.old.size;
  }
}
