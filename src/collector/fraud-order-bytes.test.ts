import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { AsciiTexts, eachLine, plainNumber, RecordBytes } from './fraud-order-bytes.js';
import { CHECK_FIELDS, checksOfLine, ORDER_FIELDS, orderOfLine } from './fraud-protocol.js';
import { WalFields, type WalValue } from './wal-fields.js';

const order = {
  order_id: 'ORD-2026-11-26-000001',
  customer_id: 'CUST00042',
  product_id: 'P-0007',
  quantity: 2,
  unit_price: 19.99,
  total_amount: 39.98,
  order_date: '2026-11-26 10:00:00',
  status: 'PENDING',
  region: 'US-EAST',
};

/** Lines the byte reader must read as the text reader does: plain ones, and odd ones it hands back. */
const orderLines: { line: string; plain: boolean }[] = [
  { line: JSON.stringify(order), plain: true },
  { line: JSON.stringify({ ...order, customer_id: undefined, region: undefined }), plain: true },
  { line: JSON.stringify({ ...order, status: undefined }), plain: true },
  { line: JSON.stringify({ ...order, quantity: 3.5, total_amount: -0 }), plain: true },
  { line: JSON.stringify({ ...order, total_amount: 0.1 }), plain: true },
  { line: JSON.stringify({ ...order, total_amount: 123456789.012345 }), plain: true },
  // 16 digits, an exponent: read as text (Number() decides).
  { line: JSON.stringify({ ...order, total_amount: 1234567890.123456 }), plain: false },
  { line: JSON.stringify({ ...order, total_amount: 1e21 }), plain: false },
  { line: JSON.stringify({ ...order, total_amount: 5e-7 }), plain: false },
  // Escapes and non-ASCII characters in a wanted text.
  { line: JSON.stringify({ ...order, region: 'EU "WEST"' }), plain: false },
  { line: JSON.stringify({ ...order, region: 'Île-de-France' }), plain: false },
  { line: JSON.stringify({ ...order, status: '東京 🏠' }), plain: false },
  // Non-ASCII in a field the model does not read changes nothing.
  { line: JSON.stringify({ ...order, note: 'Zoë 東京 🏠', region: 'APAC' }), plain: true },
  // A text that looks like a wanted field's name inside another value: its quotes are escaped, so the
  // name is not found there.
  { line: JSON.stringify({ note: '"order_id":"fake"', ...order }), plain: true },
  // Fields in another order than the table's: found from the start again.
  { line: JSON.stringify(Object.fromEntries(Object.entries(order).reverse())), plain: true },
  // Dates out of the plain form: through walTimestampMs (NaN or Date.parse), as before.
  { line: JSON.stringify({ ...order, order_date: '2026-02-30 00:00:00' }), plain: true },
  { line: JSON.stringify({ ...order, order_date: '2024-02-29 23:59:59' }), plain: true },
  { line: JSON.stringify({ ...order, order_date: '2026-11-26T10:00:00Z' }), plain: true },
  { line: JSON.stringify({ ...order, order_date: undefined }), plain: true },
  // A value of the other kind, a null: read as text (parsed whole when WalFields refuses).
  { line: JSON.stringify({ ...order, quantity: '2' }), plain: false },
  { line: JSON.stringify({ ...order, order_date: 20261126 }), plain: false },
  { line: JSON.stringify({ ...order, region: 7 }), plain: false },
  { line: JSON.stringify({ ...order, customer_id: 42 }), plain: false },
];

const checkLines: { line: string; plain: boolean }[] = [
  {
    line: JSON.stringify({
      order_id: 'ORD-1',
      payment_method: 'gift_card',
      ip_country: 'RO',
      account_age_days: 3,
      device_id: 'DEV-0123456789abcdef',
    }),
    plain: true,
  },
  { line: JSON.stringify({ order_id: 'ORD-2', account_age_days: 0.25 }), plain: true },
  { line: JSON.stringify({ order_id: 'ORD-3', payment_method: 'carte bleue é' }), plain: false },
  { line: JSON.stringify({ order_id: 'ORD-4', account_age_days: 1e300 }), plain: false },
];

/** One message of lines as the collector hands it over: the texts joined, as UTF-8. */
function message(lines: readonly string[]): { bytes: Uint8Array; bounds: [number, number][] } {
  const bytes = new TextEncoder().encode(lines.map((l) => `${l}\n`).join(''));
  const bounds: [number, number][] = [];
  let from = 0;
  for (let i = 0; i < bytes.length; i++)
    if (bytes[i] === 10) {
      bounds.push([from, i]);
      from = i + 1;
    }
  return { bytes, bounds };
}

describe('RecordBytes: orders and checks read from the bytes of their WAL lines', () => {
  it('reads every order as the text reader (WalFields, else JSON.parse) does, or hands the line back', () => {
    const { bytes, bounds } = message(orderLines.map((c) => c.line));
    const reader = new RecordBytes();
    reader.use(bytes);
    const fields = new WalFields(ORDER_FIELDS);
    const values: WalValue[] = [];
    for (const [i, c] of orderLines.entries()) {
      const [from, to] = bounds[i] as [number, number];
      assert.equal(reader.line(from, to), c.line, `line ${i}`);
      const read = reader.orderFacts(from, to);
      assert.equal(read !== null, c.plain, `line ${i}: read from bytes`);
      const text = orderOfLine(c.line, fields, values);
      // deepStrictEqual tells −0 from 0 and NaN from any number.
      if (read !== null) assert.deepStrictEqual(read, text, `line ${i}`);
    }
    // Worked out by hand for the first line, so that both readers cannot be wrong together.
    const first = reader.orderFacts(...(bounds[0] as [number, number]));
    assert.deepStrictEqual(first, {
      orderId: 'ORD-2026-11-26-000001',
      customerId: 'CUST00042',
      productId: 'P-0007',
      quantity: 2,
      amount: 39.98,
      t: Date.UTC(2026, 10, 26, 10),
      status: 'PENDING',
      region: 'US-EAST',
      payment: null,
      ipCountry: null,
      deviceId: null,
      accountAgeDays: null,
    });
  });

  it('reads every check line as the text reader does, or hands the line back', () => {
    const { bytes, bounds } = message(checkLines.map((c) => c.line));
    const reader = new RecordBytes();
    reader.use(bytes);
    const fields = new WalFields(CHECK_FIELDS);
    const values: WalValue[] = [];
    for (const [i, c] of checkLines.entries()) {
      const [from, to] = bounds[i] as [number, number];
      const read = reader.orderChecks(from, to);
      assert.equal(read !== null, c.plain, `line ${i}: read from bytes`);
      if (read !== null) assert.deepStrictEqual(read, checksOfLine(c.line, fields, values), `line ${i}`);
    }
    assert.deepStrictEqual(reader.orderChecks(...(bounds[0] as [number, number])), {
      orderId: 'ORD-1',
      checks: { payment: 'gift_card', ipCountry: 'RO', deviceId: 'DEV-0123456789abcdef', accountAgeDays: 3 },
    });
  });

  it('computes plain numbers exactly as Number() reads their text', () => {
    // Amounts (cents), quantities and ages as JSON.stringify writes them, over many magnitudes; a fixed
    // sequence, not Math.random, so a failure can be reproduced.
    let seed = 12345;
    const next = () => {
      seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
      return seed / 2 ** 32;
    };
    const enc = new TextEncoder();
    let checked = 0;
    for (let i = 0; i < 20_000; i++) {
      const scale = 10 ** Math.floor(next() * 12);
      const v = [Math.round(next() * scale * 100) / 100, Math.round(next() * scale), next() * scale][
        i % 3
      ] as number;
      const text = JSON.stringify(i % 7 === 0 ? -v : v);
      const b = enc.encode(text);
      const got = plainNumber(b, 0, b.length);
      if (Number.isNaN(got)) continue;
      assert.ok(Object.is(got, Number(text)), `${text}: ${got}`);
      checked++;
    }
    assert.ok(checked > 10_000, `only ${checked} were of the plain form`);
    for (const odd of ['', '-', '01', '1.', '.5', '1e5', '1.2.3', '0x10', '+1', '1234567890123456'])
      assert.ok(Number.isNaN(plainNumber(enc.encode(odd), 0, odd.length)), odd);
  });

  it('gives the same text for the same bytes, and starts sharing again once full', () => {
    const texts = new AsciiTexts(4);
    const b = new TextEncoder().encode('CUST1 CUST2 CUST1 X Y Z W CUST1');
    const buf = Buffer.from(b.buffer);
    const words: string[] = [];
    let from = 0;
    for (let i = 0; i <= b.length; i++)
      if (i === b.length || b[i] === 32) {
        words.push(texts.get(b, from, i, buf));
        from = i + 1;
      }
    assert.deepEqual(words, ['CUST1', 'CUST2', 'CUST1', 'X', 'Y', 'Z', 'W', 'CUST1']);
  });
});

describe('eachLine: the lines of a message', () => {
  it('gives every non-empty line once, the last one without its newline too, and nothing of an empty message', () => {
    const lines = (text: string) => {
      const b = new TextEncoder().encode(text);
      const out: string[] = [];
      eachLine(b, (from, to) => out.push(Buffer.from(b.subarray(from, to)).toString('utf8')));
      return out;
    };
    assert.deepEqual(lines('{"a":1}\n{"b":"é"}\n'), ['{"a":1}', '{"b":"é"}']);
    assert.deepEqual(lines('\n\n{"a":1}\n\n{"b":2}'), ['{"a":1}', '{"b":2}']);
    assert.deepEqual(lines(''), []);
    assert.deepEqual(lines('\n'), []);
  });
});
