import assert from 'node:assert/strict';
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { cents, file, readCsv, smallDataset, type Table } from './testkit.js';

const feedFile = (d: string) => join(d, 'raw', 'competitor_prices', 'competitor_prices.csv');
const labelFile = (d: string) => join(d, 'labels', 'elasticities.csv');

describe('generate --pricing', () => {
  const dirs: string[] = [];
  let dir = '';
  let orders: Table;
  let catalog: Map<string, number>;
  before(async () => {
    dir = await smallDataset({ pricing: true });
    dirs.push(dir);
    orders = readCsv(file.orders(dir));
    const products = readCsv(file.products(dir));
    catalog = new Map(
      products.rows.map((r) => [r[0] as string, cents(r[products.col('list_price')] as string)]),
    );
  });
  after(() => {
    for (const d of dirs) rmSync(d, { recursive: true, force: true });
  });

  it('writes the feed and the labels only when asked, the same bytes for the same options', async () => {
    const plain = await smallDataset();
    const again = await smallDataset({ pricing: true });
    dirs.push(plain, again);
    assert.equal(existsSync(feedFile(plain)), false);
    assert.equal(existsSync(labelFile(plain)), false);
    for (const f of [feedFile, labelFile, file.orders])
      assert.equal(readFileSync(f(again), 'utf8'), readFileSync(f(dir), 'utf8'));
    // The prices move demand, so the orders are not those of the default run.
    assert.notEqual(readFileSync(file.orders(plain), 'utf8'), readFileSync(file.orders(dir), 'utf8'));
  });

  it('has one price per product and day, list changes beyond whole-percent promotions, within the bounds', () => {
    const [p, d, price] = [orders.col('product_id'), orders.col('order_date'), orders.col('price')];
    const daily = new Map<string, number>();
    let offCatalog = 0;
    for (const r of orders.rows) {
      const key = `${r[p]} ${(r[d] as string).slice(0, 10)}`;
      const c = cents(r[price] as string);
      const seen = daily.get(key);
      assert.ok(seen === undefined || seen === c, `${key}: ${seen} and ${c}`);
      daily.set(key, c);
      const list = catalog.get(r[p] as string) as number;
      // No Black Friday here: at most the lowest list (0.8) less the deepest promotion (30 %), at most 1.25.
      assert.ok(c >= Math.floor(list * 0.8 * 0.7) && c <= Math.ceil(list * 1.25), `${key}: ${c} vs ${list}`);
      const wholePercent = Array.from({ length: 31 }, (_, k) => Math.round((list * (100 - k)) / 100));
      if (!wholePercent.includes(c)) offCatalog++;
    }
    assert.ok(offCatalog > 0, 'some prices come from a changed list price');
  });

  it('feeds three competitors a price per product and day, near the catalog price', () => {
    const feed = readCsv(feedFile(dir));
    assert.equal(feed.header.join(','), 'product_id,competitor,price_date,price');
    assert.equal(feed.rows.length, 15 * 3 * 21);
    assert.deepEqual([...new Set(feed.rows.map((r) => r[1]))].sort(), ['COMP-A', 'COMP-B', 'COMP-C']);
    for (const r of feed.rows) {
      const ratio = cents(r[3] as string) / (catalog.get(r[0] as string) as number);
      assert.ok(ratio > 0.4 && ratio < 1.8, `${r.join(',')}: ${ratio}`);
    }
    const labels = readCsv(labelFile(dir));
    assert.equal(labels.rows.length, 15);
    for (const r of labels.rows) {
      assert.ok(Number(r[1]) >= 0.6 && Number(r[1]) <= 3);
      assert.equal(r[2], '0.8');
    }
  });
});
