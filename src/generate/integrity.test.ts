import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { before, describe, it } from 'node:test';
import { cents, file, readCsv, smallDataset, type Table } from './testkit.js';

const CATALOG_IDS =
  'LAPTOP001 PHONE001 TABLET001 HEADPH001 WATCH001 CAMERA001 SPEAKER001 KEYBOARD001 MOUSE001 MONITOR001 CHARGER001 CASE001 CABLE001 ADAPTER001 STAND001'.split(
    ' ',
  );

describe('generated dataset integrity', () => {
  let dir = '';
  let orders: Table;
  let customers: Table;
  let clicks: Table;
  let products: Table;
  let fraud: Table;
  before(async () => {
    dir = await smallDataset();
    orders = readCsv(file.orders(dir));
    customers = readCsv(file.customers(dir));
    clicks = readCsv(file.clickstream(dir));
    products = readCsv(file.products(dir));
    fraud = readCsv(file.fraud(dir));
  });

  it('has the seed headers and exact row counts', () => {
    assert.equal(
      orders.header.join(','),
      'order_id,customer_id,product_id,product_name,quantity,price,total_amount,order_date,status,region',
    );
    assert.equal(
      customers.header.join(','),
      'customer_id,first_name,last_name,email,city,region,signup_date,lifetime_value,tier',
    );
    assert.equal(
      clicks.header.join(','),
      'timestamp,session_id,customer_id,action,page,product_id,device,duration_seconds',
    );
    assert.equal(orders.rows.length, 4000);
    assert.equal(customers.rows.length, 500);
    assert.equal(clicks.rows.length, 30000);
    assert.deepEqual(
      products.rows.map((r) => r[0]),
      CATALOG_IDS,
    );
    assert.equal(products.rows[0]?.[3], '1299.99');
  });

  it('has no quotes and a constant field count in every file', () => {
    for (const t of [orders, customers, clicks, products, fraud]) {
      for (const r of t.rows) assert.equal(r.length, t.header.length);
    }
    for (const f of [file.orders, file.customers, file.clickstream, file.products, file.fraud]) {
      const text = readFileSync(f(dir), 'utf8');
      assert.ok(!text.includes('"') && !text.includes('\r'));
    }
  });

  it('keeps referential integrity and sortedness', () => {
    const custIds = new Set(customers.rows.map((r) => r[0]));
    const prodIds = new Set(CATALOG_IDS);
    let prev = '';
    for (const r of orders.rows) {
      assert.ok(custIds.has(r[1]), `unknown customer ${r[1]}`);
      assert.ok(prodIds.has(r[2] ?? ''), `unknown product ${r[2]}`);
      assert.match(r[0] ?? '', /^ORD\d{5}$/);
      assert.ok((r[7] ?? '') >= prev, 'orders sorted by order_date');
      prev = r[7] ?? '';
    }
    prev = '';
    const productPages = new Set(['product', 'cart', 'checkout']);
    for (const r of clicks.rows) {
      assert.ok(r[2] === 'GUEST' || custIds.has(r[2]), `unknown customer ${r[2]}`);
      if (productPages.has(r[4] ?? '')) assert.ok(prodIds.has(r[5] ?? ''), `bad product ${r[5]}`);
      else assert.equal(r[5], '');
      assert.ok((r[0] ?? '') >= prev, 'clickstream sorted by timestamp');
      prev = r[0] ?? '';
    }
  });

  it('computes total_amount = quantity × price to the cent', () => {
    for (const r of orders.rows) assert.equal(cents(r[6] ?? ''), Number(r[4]) * cents(r[5] ?? ''));
  });

  it('derives tiers from lifetime value, which covers completed orders', () => {
    const completed = new Map<string, number>();
    for (const r of orders.rows) {
      if (r[8] === 'COMPLETED')
        completed.set(r[1] ?? '', (completed.get(r[1] ?? '') ?? 0) + cents(r[6] ?? ''));
    }
    const emails = new Set<string>();
    for (const r of customers.rows) {
      const ltv = cents(r[7] ?? '');
      assert.ok(ltv >= (completed.get(r[0] ?? '') ?? 0), `LTV below completed sum for ${r[0]}`);
      const tier = ltv > 500000 ? 'PLATINUM' : ltv > 200000 ? 'GOLD' : ltv > 50000 ? 'SILVER' : 'BRONZE';
      assert.equal(r[8], tier);
      const email = r[3] ?? '';
      assert.equal(email, email.toLowerCase());
      emails.add(email);
    }
    assert.equal(emails.size, customers.rows.length);
  });

  it('places orders after signup and mostly in the customer region', () => {
    const cust = new Map(customers.rows.map((r) => [r[0], r]));
    let same = 0;
    for (const r of orders.rows) {
      const c = cust.get(r[1]) as string[];
      assert.ok((r[7] ?? '').slice(0, 10) >= (c[6] ?? ''), `order ${r[0]} before signup`);
      if (r[9] === c[5]) same++;
    }
    // Gifts (2 % of legitimate orders) and some fraud ship elsewhere: see docs/DATA.md "Fraud".
    assert.ok(same / orders.rows.length > 0.96, `share shipped home ${same / orders.rows.length}`);
  });

  it('labels 0.5–3 % of orders as fraud with known patterns', () => {
    const ids = new Set(orders.rows.map((r) => r[0]));
    for (const r of fraud.rows) {
      assert.ok(ids.has(r[0]));
      assert.ok(
        ['account_takeover', 'new_account', 'card_testing', 'burst', 'unusual_amount'].includes(r[1] ?? ''),
      );
    }
    const share = fraud.rows.length / orders.rows.length;
    assert.ok(share > 0.005 && share < 0.03, `fraud share ${share}`);
  });

  it('matches every PURCHASE to an order (customer, product, minute), never by a GUEST', () => {
    const open = new Map<string, number>();
    for (const r of orders.rows) {
      const k = `${r[1]}|${r[2]}|${(r[7] ?? '').slice(0, 16)}`;
      open.set(k, (open.get(k) ?? 0) + 1);
    }
    let purchases = 0;
    for (const r of clicks.rows) {
      if (r[3] !== 'PURCHASE') continue;
      purchases++;
      assert.notEqual(r[2], 'GUEST');
      const k = `${r[2]}|${r[5]}|${(r[0] ?? '').slice(0, 16)}`;
      const n = open.get(k) ?? 0;
      assert.ok(n > 0, `PURCHASE without order: ${r.join(',')}`);
      open.set(k, n - 1);
    }
    assert.ok(purchases > 100);
  });

  it('keeps one customer and device per session', () => {
    const seen = new Map<string, string>();
    for (const r of clicks.rows) {
      const who = `${r[2]}|${r[6]}`;
      const prev = seen.get(r[1] ?? '');
      if (prev === undefined) seen.set(r[1] ?? '', who);
      else assert.equal(prev, who);
    }
  });
});
