import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { generate, generateDefaults } from './index.js';
import { AS_OF, cents, file, readCsv, smallDataset, tempDir } from './testkit.js';

const LIST_CENTS: Record<string, number> = {
  LAPTOP001: 129999,
  PHONE001: 89999,
  CASE001: 1999,
  CABLE001: 1499,
};

describe('generator behaviour', () => {
  it('is deterministic: same seed same bytes, other seed other bytes', async () => {
    const opts = { orders: 800, customers: 100, events: 5000, days: 10 };
    const [a, b, c] = await Promise.all([
      smallDataset(opts),
      smallDataset(opts),
      smallDataset({ ...opts, seed: 8 }),
    ]);
    for (const f of [file.orders, file.customers, file.clickstream, file.products, file.fraud]) {
      assert.ok(readFileSync(f(a)).equals(readFileSync(f(b))), `${f(a)} differs between runs`);
    }
    assert.ok(!readFileSync(file.orders(a)).equals(readFileSync(file.orders(c))));
  });

  it('converts mobile sessions worse than desktop ones', async () => {
    const clicks = readCsv(file.clickstream(await smallDataset()));
    const sessions = new Map<string, { device: string; bought: boolean }>();
    for (const r of clicks.rows) {
      const s = sessions.get(r[1] ?? '') ?? { device: r[6] ?? '', bought: false };
      if (r[3] === 'PURCHASE') s.bought = true;
      sessions.set(r[1] ?? '', s);
    }
    const rate = (d: string) => {
      const all = [...sessions.values()].filter((s) => s.device === d);
      return all.filter((s) => s.bought).length / all.length;
    };
    assert.ok(rate('mobile') < rate('desktop'), `mobile ${rate('mobile')} desktop ${rate('desktop')}`);
  });

  it('sells more on promotion days (price elasticity) and evenings more than nights', async () => {
    const orders = readCsv(file.orders(await smallDataset()));
    // Per product-day: discounted if any order that day was below list price.
    const perDay = new Map<string, { n: number; promo: boolean }>();
    const byHour = new Array(24).fill(0);
    for (const r of orders.rows) {
      byHour[Number((r[7] ?? '').slice(11, 13))]++;
      const list = LIST_CENTS[r[2] ?? ''];
      if (list === undefined) continue;
      const k = `${r[2]}|${(r[7] ?? '').slice(0, 10)}`;
      const e = perDay.get(k) ?? { n: 0, promo: false };
      e.n++;
      if (cents(r[5] ?? '') < list) e.promo = true;
      perDay.set(k, e);
    }
    const mean = (promo: boolean) => {
      const v = [...perDay.values()].filter((e) => e.promo === promo);
      return v.reduce((s, e) => s + e.n, 0) / v.length;
    };
    assert.ok(mean(true) > 1.15 * mean(false), `promo ${mean(true)} vs list ${mean(false)}`);
    assert.ok(byHour[19] + byHour[20] > 2 * (byHour[2] + byHour[3]));
  });

  it('makes laptop buyers order a mouse or stand soon after', async () => {
    const orders = readCsv(file.orders(await smallDataset()));
    const time = (s: string) => Date.parse(`${s.replace(' ', 'T')}Z`);
    let laptops = 0;
    let followed = 0;
    orders.rows.forEach((r, i) => {
      if (r[2] !== 'LAPTOP001') return;
      laptops++;
      const t = time(r[7] ?? '');
      for (let j = i + 1; j < orders.rows.length; j++) {
        const o = orders.rows[j] as string[];
        if (time(o[7] ?? '') - t > 8 * 3600e3) break;
        if (o[1] === r[1] && (o[2] === 'MOUSE001' || o[2] === 'STAND001')) {
          followed++;
          break;
        }
      }
    });
    assert.ok(followed / laptops > 0.2, `${followed}/${laptops}`);
  });

  it('recovers the experiment lift and keeps the split', async () => {
    const dir = await smallDataset({
      orders: 20000,
      customers: 2000,
      events: 400000,
      days: 7,
      experiment: { name: 'checkout_v2', lift: 0.2, split: 0.4 },
    });
    const bought = new Set(
      readCsv(file.clickstream(dir))
        .rows.filter((r) => r[3] === 'PURCHASE')
        .map((r) => r[1]),
    );
    const sessionIds = new Set(readCsv(file.clickstream(dir)).rows.map((r) => r[1]));
    const assignments = readCsv(file.assignments(dir));
    assert.equal(assignments.rows.length, sessionIds.size);
    const n = { A: 0, B: 0 };
    const conv = { A: 0, B: 0 };
    for (const [sid, name, v] of assignments.rows) {
      assert.ok(sessionIds.has(sid) && name === 'checkout_v2' && (v === 'A' || v === 'B'));
      n[v as 'A' | 'B']++;
      if (bought.has(sid)) conv[v as 'A' | 'B']++;
    }
    const share = n.B / (n.A + n.B);
    assert.ok(Math.abs(share - 0.4) < 0.02, `B share ${share}`);
    const lift = conv.B / n.B / (conv.A / n.A) - 1;
    assert.ok(Math.abs(lift - 0.2) < 0.07, `lift ${lift}`);
    const label = readCsv(file.experiment(dir)).rows[0] as string[];
    assert.equal(label[1], '0.2');
    assert.ok(Math.abs(Number(label[2]) - conv.A / n.A) < 0.01);
  });

  it('fills a tiny event budget exactly and reports bad options clearly', async () => {
    const dir = await smallDataset({ orders: 2000, customers: 50, events: 10, days: 3 });
    assert.equal(readCsv(file.clickstream(dir)).rows.length, 10);
    assert.equal(readCsv(file.orders(dir)).rows.length, 2000);
    await assert.rejects(
      generate({ ...generateDefaults, out: tempDir(), asOf: AS_OF, orders: 0 }),
      /orders must be at least 1/,
    );
  });

  it('puts the Black Friday spike on the last Friday of November', async () => {
    const orders = readCsv(file.orders(await smallDataset({ blackFriday: true })));
    const perDay = new Map<string, number>();
    for (const r of orders.rows)
      perDay.set((r[7] ?? '').slice(0, 10), (perDay.get((r[7] ?? '').slice(0, 10)) ?? 0) + 1);
    const busiest = [...perDay.entries()].sort((x, y) => y[1] - x[1])[0];
    assert.equal(busiest?.[0], '2024-11-29');
  });
});
