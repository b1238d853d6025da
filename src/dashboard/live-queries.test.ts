import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { DuckDbEngine } from '../engines/testing.js';
import { ingest } from '../ingest/index.js';
import { TABLES } from '../lake/index.js';
import { csv, ORDERS_HEADER, orderLine, tempDir, writeText } from '../testing/index.js';
import { COUNTERS_SQL, countersRow, todayWindow } from './live-queries.js';

describe('live counters: today in a time zone, read through a UTC window', () => {
  let dir: string;
  let cleanup: () => void;
  let engine: DuckDbEngine;
  before(async () => {
    ({ dir, cleanup } = tempDir());
    const input = writeText(
      join(dir, 'in', 'orders.csv'),
      csv(ORDERS_HEADER, [
        orderLine('O1', 1, 10, '2026-10-31 10:30:00', 'COMPLETED'), // Kiritimati (UTC+14): Nov 1, 00:30
        orderLine('O2', 1, 20, '2026-10-31 09:30:00', 'COMPLETED'), // Kiritimati: Oct 31, 23:30
        orderLine('O3', 1, 5, '2026-11-01 09:59:59', 'PENDING'), // Kiritimati: Nov 1, 23:59:59
        orderLine('O4', 1, 7, '2026-11-01 10:00:00', 'COMPLETED'), // Kiritimati: Nov 2, 00:00
        orderLine('O5', 1, 3, '2026-10-31 12:00:00', 'COMPLETED'), // two lines of one order
        orderLine('O5', 2, 2, '2026-10-31 12:00:00', 'COMPLETED'),
        orderLine('O6', 1, 100, '2026-10-01 08:00:00', 'COMPLETED'), // a month earlier
        orderLine('O7', 1, 9, '2026-11-02 11:59:00', 'COMPLETED'), // UTC−12: Nov 1, 23:59
      ]),
    );
    await ingest({ dataDir: dir, table: TABLES.orders, input });
    engine = await DuckDbEngine.open(dir);
  });
  after(async () => {
    await engine.close();
    cleanup();
  });

  const counters = async (tz: string, today: string) =>
    countersRow.parse((await engine.query(COUNTERS_SQL, { tz, today, ...todayWindow(today) }))[0]);

  it('counts the orders and completed revenue of the zone’s calendar day, whole orders once', async () => {
    // By hand: Nov 1 in UTC+14 holds O1, O3 (pending: no revenue) and O5 (3.00 + 4.00).
    assert.deepEqual(await counters('Pacific/Kiritimati', '2026-11-01'), {
      orders_total: 7,
      order_lines: 8,
      orders_today: 3,
      revenue_today: 17,
    });
    // Nov 1 in UTC−12 runs from Nov 1 12:00 to Nov 2 12:00 UTC: only O7.
    assert.deepEqual(await counters('Etc/GMT+12', '2026-11-01'), {
      orders_total: 7,
      order_lines: 8,
      orders_today: 1,
      revenue_today: 9,
    });
    // A day with no orders: zeros, not missing values.
    assert.deepEqual(await counters('UTC', '2026-11-20'), {
      orders_total: 7,
      order_lines: 8,
      orders_today: 0,
      revenue_today: 0,
    });
  });

  it('todayWindow holds every instant of the day in the zones furthest from UTC', () => {
    assert.deepEqual(todayWindow('2026-11-01'), { from: '2026-10-31 00:00:00', to: '2026-11-03 00:00:00' });
  });
});
