/**
 * The peer for the generation benchmark: what the seed's generator did — every field drawn
 * independently and uniformly, no journeys, no coherence — written with the same kind of buffered
 * stream. The ratio against it is the price shoplake pays for realistic data.
 */

import { once } from 'node:events';
import { createWriteStream, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { uniformInt } from 'pure-rand/distribution/uniformInt';
import { xoroshiro128plus } from 'pure-rand/generator/xoroshiro128plus';

import {
  ACTIONS,
  CLICK_HEADER,
  CUSTOMER_HEADER,
  DEVICES,
  ORDER_HEADER,
  PAGES,
  SEED_REGIONS as REGIONS,
  ORDER_STATUSES as STATUSES,
} from '../src/seed/index.js';

async function writeLines(path: string, header: string, count: number, line: (i: number) => string) {
  const out = createWriteStream(path, { highWaterMark: 1 << 20 });
  out.write(`${header}\n`);
  let chunk = '';
  for (let i = 1; i <= count; i++) {
    chunk += `${line(i)}\n`;
    if (chunk.length > 1 << 16) {
      if (!out.write(chunk)) await once(out, 'drain');
      chunk = '';
    }
  }
  out.end(chunk);
  await once(out, 'finish');
}

/** Writes orders, customers and clickstream with independent uniform fields; returns seconds taken. */
export async function naiveGenerate(
  dir: string,
  sizes: { orders: number; events: number; customers: number },
) {
  mkdirSync(dir, { recursive: true });
  const rng = xoroshiro128plus(42);
  const int = (lo: number, hi: number) => uniformInt(rng, lo, hi);
  const pick = <T>(xs: readonly T[]) => xs[int(0, xs.length - 1)] as T;
  const t0 = performance.now();
  await writeLines(join(dir, 'orders.csv'), ORDER_HEADER, sizes.orders, (i) => {
    const q = int(1, 5);
    const cents = int(999, 129999);
    return `ORD${i},CUST${int(1, sizes.customers)},P${int(1, 15)},Product,${q},${(cents / 100).toFixed(2)},${((q * cents) / 100).toFixed(2)},2026-11-${String(int(1, 24)).padStart(2, '0')} 12:00:00,${pick(STATUSES)},${pick(REGIONS)}`;
  });
  await writeLines(
    join(dir, 'customers.csv'),
    CUSTOMER_HEADER,
    sizes.customers,
    (i) =>
      `CUST${i},First,Last,user${i}@example.com,City,${pick(REGIONS)},2024-01-01,${(int(0, 1_000_000) / 100).toFixed(2)},BRONZE`,
  );
  await writeLines(
    join(dir, 'clickstream.csv'),
    CLICK_HEADER,
    sizes.events,
    () =>
      `2026-11-20 10:00:00,SESSION${int(1, sizes.events / 5)},CUST${int(1, sizes.customers)},${pick(ACTIONS)},${pick(PAGES)},P${int(1, 15)},${pick(DEVICES)},${int(1, 300)}`,
  );
  return (performance.now() - t0) / 1000;
}
