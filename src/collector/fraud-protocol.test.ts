import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import type { OrderFacts } from '../fraud/index.js';
import { CHECK_FIELDS, ORDER_FIELDS, orderChecksOf, orderFactsOf, ownText } from './fraud-protocol.js';
import { WalFields, type WalValue } from './wal-fields.js';

setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;
const heapAfterGc = () => {
  gc();
  return process.memoryUsage().heapUsed;
};
/** 40 MB of filler: what a message of orders would be if the ids kept it alive. */
const FILLER = 40_000_000;

describe('fraud-protocol: what an order read from its WAL line keeps alive', () => {
  it("an order's facts keep none of the text its line was cut from", () => {
    const before = heapAfterGc();
    let facts: OrderFacts | undefined;
    (() => {
      const line = JSON.stringify({
        order_id: 'ORDER-2026-11-26-000000001',
        customer_id: 'CUSTOMER-0000000042',
        product_id: 'PRODUCT-000000000007',
        quantity: 2,
        total_amount: 39.98,
        order_date: '2026-11-26 10:00:00',
        status: 'PENDING',
        region: 'US-EAST',
      });
      // As the worker reads a message: one text of many lines, split, each line's fields cut out.
      const text = `${line}\n${'x'.repeat(FILLER)}\n`;
      const values: WalValue[] = [];
      assert.equal(new WalFields(ORDER_FIELDS).readValues(text.split('\n')[0] as string, values), true);
      facts = orderFactsOf(values);
    })();
    const kept = heapAfterGc() - before;
    assert.ok(kept < FILLER / 4, `the facts keep ${Math.round(kept / 1e6)} MB alive`);
    assert.equal(facts?.orderId, 'ORDER-2026-11-26-000000001');
    assert.equal(facts?.customerId, 'CUSTOMER-0000000042');
    assert.equal(facts?.productId, 'PRODUCT-000000000007');
    assert.equal(facts?.amount, 39.98);
    assert.equal(facts?.t, Date.UTC(2026, 10, 26, 10));
  });

  it("an order's checks keep none of the text their line was cut from", () => {
    const before = heapAfterGc();
    let id = '';
    let device: string | null = null;
    (() => {
      const line = JSON.stringify({
        order_id: 'ORDER-2026-11-26-000000002',
        payment_method: 'gift_card',
        ip_country: 'RO',
        account_age_days: 3,
        device_id: 'DEVICE-0123456789abcdef',
      });
      const text = `${line}\n${'y'.repeat(FILLER)}\n`;
      const values: WalValue[] = [];
      assert.equal(new WalFields(CHECK_FIELDS).readValues(text.split('\n')[0] as string, values), true);
      id = ownText(String(values[0]));
      device = orderChecksOf(values).deviceId;
    })();
    const kept = heapAfterGc() - before;
    assert.ok(kept < FILLER / 4, `the checks keep ${Math.round(kept / 1e6)} MB alive`);
    assert.equal(id, 'ORDER-2026-11-26-000000002');
    assert.equal(device, 'DEVICE-0123456789abcdef');
  });

  it('ownText gives the same characters, short or long, and the empty text', () => {
    for (const s of ['', 'a', 'ORDER-1', 'é-ü-ß-日本-ORDER-2026-11-26', 'x'.repeat(1000)])
      assert.equal(ownText(s), s);
  });
});
