import assert from 'node:assert/strict';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { ORDER_HEADER } from '../seed/index.js';
import { AS_OF, file, readCsv, smallDataset, type Table } from './testkit.js';

const DAY = 86400;
const label = (d: string, name: string) => join(d, 'labels', name);
const secOf = (s: string) => Date.parse(`${s.replace(' ', 'T')}Z`) / 1000;

describe('generate --products: a long-tail catalog', () => {
  let dir: string;
  let seedDir: string;
  let products: Table;
  let orders: Table;
  let catalog: Table;
  let pairs: Table;

  before(async () => {
    dir = await smallDataset({ products: 1200, orders: 20000, customers: 1500 });
    seedDir = await smallDataset();
    products = readCsv(file.products(dir));
    orders = readCsv(file.orders(dir));
    catalog = readCsv(label(dir, 'products.csv'));
    pairs = readCsv(label(dir, 'copurchase.csv'));
  });
  after(() => {
    rmSync(dir, { recursive: true, force: true });
    rmSync(seedDir, { recursive: true, force: true });
  });

  it('keeps the seed’s 15 products first and the seed’s headers, and adds N − 15 unique products', () => {
    const seed = readCsv(file.products(seedDir));
    assert.equal(seed.rows.length, 15);
    assert.equal(products.rows.length, 1200);
    assert.deepEqual(products.header, seed.header);
    assert.equal(readCsv(file.orders(dir)).header.join(','), ORDER_HEADER);
    const id = products.col('product_id');
    assert.deepEqual(
      products.rows.slice(0, 15).map((r) => r[id]),
      seed.rows.map((r) => r[id]),
    );
    assert.equal(new Set(products.rows.map((r) => r[id])).size, 1200);
  });

  it('spreads the catalog over categories, brands and price bands, with a long tail of sales', () => {
    const cat = catalog.col('category');
    assert.ok(new Set(catalog.rows.map((r) => r[cat])).size >= 10);
    assert.ok(new Set(catalog.rows.map((r) => r[catalog.col('brand')])).size >= 20);
    const bands = new Set(catalog.rows.map((r) => r[catalog.col('price_band')]));
    assert.deepEqual([...bands].sort(), ['budget', 'mid', 'premium']);
    // Long tail: the best-selling 10 % of products take well under all sales, yet far more than 10 %.
    const sold = new Map<string, number>();
    const pid = orders.col('product_id');
    for (const r of orders.rows) sold.set(r[pid] as string, (sold.get(r[pid] as string) ?? 0) + 1);
    const counts = [...sold.values()].sort((a, b) => b - a);
    const top = counts.slice(0, 120).reduce((s, n) => s + n, 0) / orders.rows.length;
    assert.ok(top > 0.3 && top < 0.85, `top 10 % of products take ${top} of order lines`);
    assert.ok(sold.size > 900, `${sold.size} products sold`);
  });

  it('sells a new product only from its arrival day on', () => {
    const arrival = new Map(
      catalog.rows
        .filter((r) => r[catalog.col('arrival_date')] !== '')
        .map((r) => [r[0] as string, secOf(`${r[catalog.col('arrival_date')]} 00:00:00`)]),
    );
    assert.ok(arrival.size > 50, `${arrival.size} new products`);
    const start = AS_OF.getTime() / 1000 - 21 * DAY;
    for (const at of arrival.values()) assert.ok(at >= start - DAY && at < AS_OF.getTime() / 1000);
    let checked = 0;
    for (const r of orders.rows) {
      const at = arrival.get(r[orders.col('product_id')] as string);
      if (at === undefined) continue;
      checked++;
      assert.ok(secOf(r[orders.col('order_date')] as string) >= at, `${r[0]} before its product arrived`);
    }
    assert.ok(checked > 0);
  });

  it('writes the planted complements, and customers do buy them together', () => {
    const planted = pairs.rows.filter((r) => r[pairs.col('planted')] === '1');
    assert.ok(planted.length > 50, `${planted.length} planted pairs`);
    // For each planted pair: share of the first product's buyers who order the complement within 8 hours.
    const byCustomer = new Map<string, { p: string; t: number }[]>();
    const [cid, pid, when] = [orders.col('customer_id'), orders.col('product_id'), orders.col('order_date')];
    for (const r of orders.rows) {
      const list = byCustomer.get(r[cid] as string) ?? [];
      list.push({ p: r[pid] as string, t: secOf(r[when] as string) });
      byCustomer.set(r[cid] as string, list);
    }
    let buyers = 0;
    let followed = 0;
    let expected = 0;
    for (const [from, to, p] of planted) {
      for (const list of byCustomer.values()) {
        for (const o of list) {
          if (o.p !== from) continue;
          buyers++;
          expected += Number(p);
          if (list.some((x) => x.p === to && x.t > o.t && x.t - o.t <= 8 * 3600 + 60)) followed++;
        }
      }
    }
    // Follow-ups of a planted pair happen at its probability (less a little for fading churners).
    assert.ok(buyers > 200, `${buyers} buyers of planted products`);
    assert.ok(
      followed > 0.7 * expected && followed < 1.3 * expected + 5,
      `${followed} follow-ups, ${expected} expected`,
    );
  });
});
