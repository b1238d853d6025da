import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { before, describe, it } from 'node:test';
import { file, readCsv, smallDataset, type Table } from './testkit.js';

const DAY = 86400;
const sec = (ts: string) => Date.parse(`${ts.replace(' ', 'T')}Z`) / 1000;
const inv = (d: string, table: string) => join(d, 'raw', table, `${table}.csv`);
const label = (d: string, name: string) => join(d, 'labels', `${name}.csv`);

/** One change or check of a warehouse's stock, replayed in time order (stock first at the same second). */
interface Step {
  t: number;
  order: number;
  key: string;
  delta: number;
  lost?: number;
}

describe('inventory world (generate --inventory)', () => {
  let dir = '';
  let orders: Table;
  let levels: Table;
  let movements: Table;
  let lost: Table;
  let pos: Table;
  let finalStock: Table;
  before(async () => {
    dir = await smallDataset({ inventory: true, days: 40, orders: 6000 });
    orders = readCsv(file.orders(dir));
    levels = readCsv(inv(dir, 'stock_levels'));
    movements = readCsv(inv(dir, 'stock_movements'));
    lost = readCsv(label(dir, 'lost_demand'));
    pos = readCsv(label(dir, 'replenishments'));
    finalStock = readCsv(label(dir, 'stock_final'));
  });

  it('writes one warehouse per region and a count per product × warehouse', () => {
    const wh = readCsv(inv(dir, 'warehouses'));
    assert.deepEqual(wh.rows.map((r) => r[wh.col('region')]).sort(), [
      'ASIA-PACIFIC',
      'EU-WEST',
      'LATAM',
      'US-EAST',
      'US-WEST',
    ]);
    assert.equal(levels.rows.length, 5 * 15);
  });

  it('counts lost lines as demand: placed lines + lost lines = --orders', () => {
    assert.ok(lost.rows.length > 0, 'the default policy must run out of stock sometimes');
    assert.equal(orders.rows.length + lost.rows.length, 6000);
  });

  it('never takes stock below zero, loses a line only when stock is short, and ends at the true stock', () => {
    // Independent replay: opening count + receipts + adjustments − non-cancelled order lines of the region.
    const stock = new Map<string, number>();
    for (const r of levels.rows)
      stock.set(`${r[levels.col('warehouse_id')]}|${r[levels.col('product_id')]}`, Number(r[3]));
    const steps: Step[] = [];
    for (const r of movements.rows) {
      const type = r[movements.col('movement_type')];
      if (type === 'SALE') continue;
      steps.push({
        t: sec(r[movements.col('moved_at')] as string),
        order: 0,
        key: `${r[1]}|${r[2]}`,
        delta: Number(r[movements.col('quantity')]),
      });
    }
    for (const r of orders.rows) {
      if (r[orders.col('status')] === 'CANCELLED') continue;
      steps.push({
        t: sec(r[orders.col('order_date')] as string),
        order: 1,
        key: `WH-${r[orders.col('region')]}|${r[orders.col('product_id')]}`,
        delta: -Number(r[orders.col('quantity')]),
      });
    }
    for (const r of lost.rows)
      steps.push({ t: sec(r[0] as string), order: 1, key: `${r[1]}|${r[2]}`, delta: 0, lost: Number(r[4]) });
    steps.sort((a, b) => a.t - b.t || a.order - b.order);
    let checkedLost = 0;
    for (const s of steps) {
      const now = stock.get(s.key);
      assert.ok(now !== undefined, `no opening count for ${s.key}`);
      if (s.lost !== undefined) {
        assert.ok(now < s.lost, `line of ${s.lost} lost at ${s.t} with ${now} on hand (${s.key})`);
        checkedLost++;
        continue;
      }
      const next = now + s.delta;
      assert.ok(next >= 0, `stock of ${s.key} negative at ${s.t}`);
      stock.set(s.key, next);
    }
    assert.equal(checkedLost, lost.rows.length);
    for (const r of finalStock.rows)
      assert.equal(stock.get(`${r[0]}|${r[1]}`), Number(r[2]), `${r[0]} ${r[1]}`);
  });

  it('receives each replenishment exactly its lead time after ordering it', () => {
    const lead = new Map(
      levels.rows.map((r) => [`${r[0]}|${r[1]}`, Number(r[levels.col('lead_time_days')])]),
    );
    const orderedAt = new Map(pos.rows.map((r) => [r[0] as string, sec(r[pos.col('ordered_at')] as string)]));
    const receipts = movements.rows.filter((r) => r[movements.col('movement_type')] === 'RECEIPT');
    assert.ok(receipts.length > 10);
    for (const r of receipts) {
      const placed = orderedAt.get(r[movements.col('reference')] as string);
      assert.ok(placed !== undefined, `receipt ${r[0]} has no replenishment order`);
      const days = (sec(r[movements.col('moved_at')] as string) - placed) / DAY;
      assert.equal(days, lead.get(`${r[1]}|${r[2]}`));
    }
    // Every replenishment due inside the window was received, and none due after it.
    const received = new Set(receipts.map((r) => r[movements.col('reference')]));
    for (const r of pos.rows) assert.equal(received.has(r[0]), r[pos.col('received')] === '1', `${r[0]}`);
  });

  it('records a SALE movement per placed, non-cancelled line until a day before the end, referencing it', () => {
    const end = sec('2024-12-02 00:00:00');
    const sales = new Map(
      movements.rows
        .filter((r) => r[movements.col('movement_type')] === 'SALE')
        .map((r) => [r[movements.col('reference')] as string, r]),
    );
    let expected = 0;
    for (const r of orders.rows) {
      const t = sec(r[orders.col('order_date')] as string);
      if (r[orders.col('status')] === 'CANCELLED' || t >= end - DAY) continue;
      expected++;
      const m = sales.get(r[0] as string);
      assert.ok(m, `no SALE movement for ${r[0]}`);
      assert.equal(Number(m[movements.col('quantity')]), -Number(r[orders.col('quantity')]));
      assert.equal(m[movements.col('product_id')], r[orders.col('product_id')]);
    }
    assert.equal(sales.size, expected);
  });

  it('writes no inventory files without --inventory', async () => {
    const plain = await smallDataset({ orders: 500, events: 2000 });
    assert.equal(existsSync(inv(plain, 'stock_movements')), false);
    assert.equal(existsSync(label(plain, 'lost_demand')), false);
    assert.equal(readCsv(file.orders(plain)).rows.length, 500);
  });
});
