/** How many failed authentications an address gets before it has to wait. */
export const FREE_FAILURES = 5;
const FIRST_WAIT_MS = 1_000;
const MAX_WAIT_MS = 15 * 60 * 1000;
const MAX_ADDRESSES = 10_000;

interface Record {
  failures: number;
  blockedUntil: number;
}

/**
 * Slows down key guessing from one address: after FREE_FAILURES failures, each further failure doubles
 * the wait (1 s, 2 s, 4 s … up to 15 minutes), and attempts during the wait are refused without even
 * checking the key. A success clears the address. Memory is bounded: past MAX_ADDRESSES the oldest
 * address is forgotten (Map keeps insertion order).
 */
export class FailureThrottle {
  private readonly byAddress = new Map<string, Record>();

  /** Seconds the address must still wait (0: it may try). */
  waitSeconds(address: string, now = Date.now()): number {
    const r = this.byAddress.get(address);
    if (!r || r.blockedUntil <= now) return 0;
    return Math.ceil((r.blockedUntil - now) / 1000);
  }

  /** Records a failure; returns the seconds to wait before the next attempt (0: none yet). */
  fail(address: string, now = Date.now()): number {
    const r = this.byAddress.get(address) ?? { failures: 0, blockedUntil: 0 };
    this.byAddress.delete(address);
    r.failures++;
    if (r.failures > FREE_FAILURES) {
      const wait = Math.min(MAX_WAIT_MS, FIRST_WAIT_MS * 2 ** (r.failures - FREE_FAILURES - 1));
      r.blockedUntil = now + wait;
    }
    this.byAddress.set(address, r);
    if (this.byAddress.size > MAX_ADDRESSES) {
      const oldest = this.byAddress.keys().next().value;
      if (oldest !== undefined) this.byAddress.delete(oldest);
    }
    return this.waitSeconds(address, now);
  }

  succeed(address: string): void {
    this.byAddress.delete(address);
  }
}
