import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { WalFields } from './wal-fields.js';

const wanted = new Set(['order_id', 'region', 'quantity', 'total_amount', 'note']);
const reader = new WalFields([...wanted]);
const readWalFields = (line: string, _: unknown) => reader.read(line);
const pick = (v: Record<string, unknown>) =>
  Object.fromEntries(Object.entries(v).filter(([k]) => wanted.has(k)));

describe('WalFields: chosen fields of a WAL line, as JSON.parse reads them', () => {
  it('reads texts and numbers, escaped or not, and skips the other fields', () => {
    const records: Record<string, string | number>[] = [
      { order_id: 'O1', product_name: 'Laptop', quantity: 3, total_amount: 3899.97, region: 'US-EAST' },
      { region: 'Île-de-France "nord"\t東京 🏠', order_id: 'O-2.x:y_z', quantity: -2, total_amount: 0 },
      { note: 'back\\slash\\', other: 'x\\"y', order_id: 'O3', total_amount: 1e-7, quantity: 12345678901234 },
      { note: '\\"', region: '', quantity: 1.5e300, total_amount: -0.0001, order_id: '\u2028\u0001' },
      { product_name: 'only others', price: 9.99 },
      {},
    ];
    for (const r of records) {
      const line = JSON.stringify(r);
      assert.deepEqual(readWalFields(line, wanted), pick(JSON.parse(line)), line);
    }
  });

  it('reads the fields of the line worked out by hand', () => {
    const line = '{"order_id":"A7","price":12.5,"region":"a\\"b","quantity":4}';
    assert.deepEqual(readWalFields(line, wanted), { order_id: 'A7', region: 'a"b', quantity: 4 });
  });

  it("finds a field by its name only where it is one, never inside another field's text", () => {
    const r = { note: 'x,"order_id":"FAKE","region":"NO"', order_id: 'REAL', region: 'EU-WEST' };
    assert.deepEqual(readWalFields(JSON.stringify(r), wanted), {
      order_id: 'REAL',
      region: 'EU-WEST',
      note: r.note,
    });
  });

  it('gives up (null) on what JSON.stringify of a record never writes', () => {
    for (const line of [
      '{"order_id":{"x":1}}',
      '{"order_id":["O1"]}',
      '{"order_id":null}',
      '{"order_id":true}',
      '{"order_id":"O1"',
      '{"order_id":"O1} ',
      '{"quantity":1.}',
      '{"quantity":01}',
      '{"quantity":Infinity}',
      '{"quantity":}',
      '{ "order_id":"O1"}',
      '["O1"]',
      '',
    ])
      assert.equal(readWalFields(line, wanted), null, line);
  });
});
