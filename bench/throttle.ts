/**
 * The failed-authentication throttle (src/security/throttle.ts) under a full table: many addresses each
 * failing (a key-guessing run spread over more addresses than the table holds), so that every failure
 * forgets one. Side by side with its peer, the former table: one Map in order of last failure, forgetting
 * its oldest entry with `keys().next()` (V8 leaves deleted entries as holes at the front of a Map, which
 * that call walks over until the table is rebuilt; the fraud live queue lost 42–358 µs an order to it).
 *   node dist/bench/throttle.js [--failures N]
 */
import { loadavg } from 'node:os';
import { FailureThrottle } from '../src/security/index.js';
import { flag } from './lake-option.js';

/** The throttle as it was before (its bookkeeping only: same rule, one Map, oldest evicted one at a time). */
class OneMapThrottle {
  private readonly byAddress = new Map<string, { failures: number; blockedUntil: number }>();
  constructor(private readonly max: number) {}

  fail(address: string, now: number): number {
    const r = this.byAddress.get(address) ?? { failures: 0, blockedUntil: 0 };
    this.byAddress.delete(address);
    r.failures++;
    if (r.failures > 5) r.blockedUntil = now + Math.min(900_000, 1000 * 2 ** (r.failures - 6));
    this.byAddress.set(address, r);
    if (this.byAddress.size > this.max) {
      const oldest = this.byAddress.keys().next().value;
      if (oldest !== undefined) this.byAddress.delete(oldest);
    }
    return r.blockedUntil > now ? Math.ceil((r.blockedUntil - now) / 1000) : 0;
  }
}

type Failing = { fail(address: string, now: number): number };

// µs a failure, over `n` failures from addresses cycling through `spread` (more than the table holds), after
// the table was filled; every 16th failure comes again from one guessing address.
function time(t: Failing, n: number, spread: number): number {
  const addresses = Array.from(
    { length: spread },
    (_, i) => `10.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}`,
  );
  for (let i = 0; i < spread; i++) t.fail(addresses[i] as string, 0);
  const started = performance.now();
  let sink = 0;
  for (let i = 0; i < n; i++)
    sink += t.fail(i % 16 === 0 ? '192.0.2.1' : (addresses[i % spread] as string), i);
  const us = ((performance.now() - started) * 1000) / n;
  if (sink < 0) console.log(sink);
  return us;
}

const n = Number(flag('failures') ?? 400_000);
const spread = 40_000;
console.log(
  `${n} failures from ${spread} addresses (table of 10,000); load average ${loadavg()
    .map((v) => v.toFixed(1))
    .join(' ')}`,
);
for (let round = 1; round <= 3; round++) {
  const now = time(new FailureThrottle(), n, spread);
  const before = time(new OneMapThrottle(10_000), n, spread);
  console.log(
    `round ${round}: two generations ${now.toFixed(3)} µs a failure; one Map, keys().next() ${before.toFixed(3)} µs (${(before / now).toFixed(1)}×)`,
  );
}
