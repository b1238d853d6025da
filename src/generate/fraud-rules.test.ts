/**
 * Generated fraud must not be separable by any one simple rule (issue 13): each rule below is computed
 * here from the CSV files alone, with its own reading of them, and must stay at precision ≤ 0.5 against
 * labels/fraud.csv; a combination of two signals must do better, or the data would hold no signal at all.
 */
import assert from 'node:assert/strict';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { AS_OF, cents, file, readCsv, smallDataset } from './testkit.js';

interface Row {
  id: string;
  cust: string;
  qty: number;
  totalCents: number;
  t: number;
  status: string;
  shipRegion: string;
  homeRegion: string;
  payment: string;
  ip: string;
  ageDays: number;
  device: string;
  fraud: boolean;
}

// Written independently of the generator's tables: which IP countries count as "home" per region.
const HOME: Record<string, string[]> = {
  'US-EAST': ['US'],
  'US-WEST': ['US'],
  'EU-WEST': ['DE', 'FR', 'GB', 'NL', 'ES'],
  'ASIA-PACIFIC': ['JP', 'SG', 'AU', 'IN', 'KR'],
  LATAM: ['BR', 'MX', 'AR', 'CL', 'CO'],
};

function load(dir: string): Row[] {
  const orders = readCsv(file.orders(dir));
  const customers = readCsv(file.customers(dir));
  const checks = readCsv(join(dir, 'raw', 'order_checks', 'order_checks.csv'));
  const fraud = new Set(readCsv(file.fraud(dir)).rows.map((r) => r[0]));
  const home = new Map(customers.rows.map((r) => [r[0], r[customers.col('region')] ?? '']));
  const check = new Map(checks.rows.map((r) => [r[0], r]));
  const o = (name: string) => orders.col(name);
  return orders.rows.map((r) => {
    const c = check.get(r[0]) ?? [];
    return {
      id: r[0] ?? '',
      cust: r[o('customer_id')] ?? '',
      qty: Number(r[o('quantity')]),
      totalCents: cents(r[o('total_amount')] ?? ''),
      t: Date.parse(`${(r[o('order_date')] ?? '').replace(' ', 'T')}Z`) / 1000,
      status: r[o('status')] ?? '',
      shipRegion: r[o('region')] ?? '',
      homeRegion: home.get(r[o('customer_id')] ?? '') ?? '',
      payment: c[checks.col('payment_method')] ?? '',
      ip: c[checks.col('ip_country')] ?? '',
      ageDays: Number(c[checks.col('account_age_days')]),
      device: c[checks.col('device_id')] ?? '',
      fraud: fraud.has(r[0]),
    };
  });
}

/** Per order: how many orders the same customer placed in the `seconds` before it (itself excluded). */
function recentOrders(rows: Row[], seconds: number): number[] {
  const byCust = new Map<string, number[]>();
  return rows.map((r) => {
    const times = byCust.get(r.cust) ?? [];
    byCust.set(r.cust, times);
    const n = times.filter((t) => r.t - t <= seconds).length;
    times.push(r.t);
    return n;
  });
}

/** Per order: whether its device was never seen on the customer's earlier orders (customers with history). */
function newDevice(rows: Row[]): boolean[] {
  const seen = new Map<string, Set<string>>();
  return rows.map((r) => {
    const s = seen.get(r.cust);
    const fresh = s !== undefined && !s.has(r.device);
    if (s) s.add(r.device);
    else seen.set(r.cust, new Set([r.device]));
    return fresh;
  });
}

function precision(rows: Row[], flags: boolean[]): { precision: number; hits: number } {
  let hits = 0;
  let fraud = 0;
  flags.forEach((f, i) => {
    if (!f) return;
    hits++;
    if (rows[i]?.fraud) fraud++;
  });
  return { precision: hits === 0 ? 0 : fraud / hits, hits };
}

describe('generated fraud: no single rule separates it', () => {
  let dir: string;
  let rows: Row[];
  const rules = new Map<string, boolean[]>();
  before(async () => {
    dir = await smallDataset({
      orders: 40_000,
      customers: 4_000,
      events: 1_000,
      days: 30,
      seed: 11,
      asOf: AS_OF,
    });
    rows = load(dir);
    const devices = newDevice(rows);
    const tenMin = recentOrders(rows, 600);
    const hour = recentOrders(rows, 3600);
    const foreign = rows.map((r) => !(HOME[r.homeRegion] ?? []).includes(r.ip));
    rules.set(
      'region mismatch',
      rows.map((r) => r.shipRegion !== r.homeRegion),
    );
    for (const q of [6, 8, 12, 20])
      rules.set(
        `quantity >= ${q}`,
        rows.map((r) => r.qty >= q),
      );
    for (const a of [1000, 2000, 5000, 10_000, 20_000])
      rules.set(
        `amount >= $${a}`,
        rows.map((r) => r.totalCents >= a * 100),
      );
    for (const n of [1, 2, 3, 4, 5]) {
      rules.set(
        `${n + 1}+ orders in 10 minutes`,
        tenMin.map((k) => k >= n),
      );
      rules.set(
        `${n + 1}+ orders in an hour`,
        hour.map((k) => k >= n),
      );
    }
    for (const days of [1, 3, 7])
      for (const a of [300, 500, 1000])
        rules.set(
          `account <= ${days} days, amount >= $${a}`,
          rows.map((r) => r.ageDays <= days && r.totalCents >= a * 100),
        );
    rules.set('new device', devices);
    rules.set('foreign IP country', foreign);
    rules.set(
      'cancelled',
      rows.map((r) => r.status === 'CANCELLED'),
    );
    rules.set(
      'gift card',
      rows.map((r) => r.payment === 'gift_card'),
    );
    rules.set(
      'new device + foreign IP',
      devices.map((d, i) => d && foreign[i] === true),
    );
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('labels a realistic share of orders, from every pattern', () => {
    const share = rows.filter((r) => r.fraud).length / rows.length;
    assert.ok(share > 0.008 && share < 0.03, `fraud share ${share}`);
  });

  it('keeps every single rule at precision <= 0.5', (t) => {
    const failures: string[] = [];
    for (const [name, flags] of rules) {
      if (name.includes('+ foreign')) continue;
      const p = precision(rows, flags);
      t.diagnostic(`${name}: precision ${p.precision.toFixed(3)} over ${p.hits} orders`);
      if (p.hits < 20) failures.push(`${name} fires on only ${p.hits} orders`);
      if (p.precision > 0.5) failures.push(`${name}: precision ${p.precision.toFixed(3)} > 0.5`);
    }
    assert.deepEqual(failures, []);
  });

  it('lets a combination of two signals do better than 0.5', (t) => {
    const p = precision(rows, rules.get('new device + foreign IP') ?? []);
    t.diagnostic(`new device + foreign IP: precision ${p.precision.toFixed(3)} over ${p.hits} orders`);
    assert.ok(p.precision > 0.5, `precision ${p.precision}`);
  });
});
