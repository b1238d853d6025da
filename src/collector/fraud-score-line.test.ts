import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { type FraudScore, scoreRecord } from '../fraud/index.js';
import { TABLES } from '../lake/index.js';
import { LineBytes } from './fraud-line-bytes.js';
import { ScoreLineWriter } from './fraud-score-line.js';
import { RecordValidator } from './records.js';

const base: FraudScore = {
  orderId: 'O1',
  customerId: 'C1',
  t: Date.UTC(2026, 10, 25, 10, 1, 0, 500),
  score: 0.81614,
  anomaly: 0.6,
  alert: true,
  reasons: ['a "b"', 'c'],
};
const now = Date.UTC(2026, 10, 25, 10, 2, 3, 900);

describe('ScoreLineWriter: fraud_scores WAL lines written without the record validator', () => {
  it('writes the line worked out by hand', () => {
    const out = new ScoreLineWriter('shipped-1').write(base, now);
    assert.deepEqual(out, {
      key: 'O1',
      line: '{"order_id":"O1","customer_id":"C1","order_date":"2026-11-25 10:01:00","scored_at":"2026-11-25 10:02:03","score":0.8161,"alert":1,"reasons":"a \\"b\\"; c","model":"shipped-1"}\n',
    });
  });

  it('gives the text validating and serializing the record gives, and the validator takes it unchanged', () => {
    const validator = new RecordValidator(TABLES.fraud_scores);
    const writer = new ScoreLineWriter('m:1.2_x-3');
    const edge: Partial<FraudScore>[] = [
      {},
      { customerId: null },
      { reasons: [] },
      { customerId: null, reasons: [], alert: false },
      { reasons: ['shipped to Île-de-France\t"east", customer lives in 東京 🏠', 'back\\slash\nnew line'] },
      { score: 0 },
      { score: 1 },
      { score: 0.99996 },
      { score: 0.00004 },
      { score: 0.12345 },
      { score: 1 / 3, alert: false },
      { score: 2.5e-5 },
      { t: Date.UTC(2001, 0, 1, 0, 0, 0, 999) },
      { orderId: 'ORD-2026.11:x_9', customerId: 'CUST00007' },
      // Every character an id may hold (tables.ts: [A-Za-z0-9_.:-], at most 64); odd texts are in reasons.
      { orderId: 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ01234567_.:-', customerId: 'Z' },
      { reasons: ['client "é" \\ tab\there', 'control \u0001'] },
      { t: Date.UTC(1969, 11, 31, 23, 59, 59) },
      { t: Date.UTC(9999, 11, 31, 23, 59, 59) },
      { t: Date.UTC(2024, 1, 29, 23, 0, 1) },
    ];
    for (const [i, change] of edge.entries()) {
      const s = { ...base, ...change };
      for (const at of [now, now + 1000, now + 86_400_000]) {
        const checked = validator.validate(scoreRecord(s, 'm:1.2_x-3', at), i);
        assert.ok('record' in checked, `case ${i}`);
        const out = writer.write(s, at);
        assert.ok('line' in out, `case ${i}`);
        assert.equal(out.line, `${JSON.stringify(checked.record)}\n`, `case ${i}`);
        // The bytes a batch carries are the UTF-8 of that text (as the WAL file would hold it).
        const batch = new LineBytes(8);
        writer.appendTo(batch, s, at);
        assert.deepEqual(Buffer.from(batch.take()), Buffer.from(out.line, 'utf8'), `case ${i}`);
        assert.equal(out.key, validator.key(checked.record));
        const again = validator.validate(JSON.parse(out.line), i);
        assert.ok('record' in again);
        assert.deepEqual(again.record, JSON.parse(out.line));
      }
    }
  });

  it('leaves reasons longer than the column to the validator, as before', () => {
    const validator = new RecordValidator(TABLES.fraud_scores);
    const writer = new ScoreLineWriter('v1');
    const long = { ...base, reasons: ['x'.repeat(1500), 'y'.repeat(1500)] };
    const out = writer.write(long, now);
    assert.ok('line' in out);
    const record = JSON.parse(out.line) as Record<string, unknown>;
    // Cut at 2,000 characters by scoreRecord: 1,500 x, the separator, 498 y.
    assert.equal(record.reasons, `${'x'.repeat(1500)}; ${'y'.repeat(498)}`);
    const checked = validator.validate(scoreRecord(long, 'v1', now), 0);
    assert.ok('record' in checked);
    assert.equal(out.line, `${JSON.stringify(checked.record)}\n`);
    // A cut through a surrogate pair leaves a lone surrogate: refused, as the validator refuses it.
    const cut = writer.write({ ...base, reasons: [`${'x'.repeat(1999)}🏠`] }, now);
    assert.ok('refused' in cut);
  });

  it('appends a batch to one buffer whose bytes are the lines worked out by hand, refused ones left out', () => {
    const writer = new ScoreLineWriter('v1');
    // Smaller than the batch: the buffer must grow without losing what it holds.
    const out = new LineBytes(16);
    const second = { ...base, orderId: 'O2', customerId: null, reasons: [], alert: false, score: 0.05 };
    const refused = { ...base, orderId: 'O3', reasons: [`${'x'.repeat(1999)}🏠`] };
    // A day later than the first: the kept date part must change.
    const third = { ...base, orderId: 'O4', t: Date.UTC(2026, 10, 26, 0, 0, 59), reasons: [] };
    const keys = [base, second, refused, third].map((s) => writer.appendTo(out, s, now));
    assert.deepEqual(keys.slice(0, 2), ['O1', 'O2']);
    assert.ok(typeof keys[2] === 'object' && 'refused' in keys[2]);
    assert.equal(keys[3], 'O4');
    assert.equal(
      Buffer.from(out.take()).toString('utf8'),
      '{"order_id":"O1","customer_id":"C1","order_date":"2026-11-25 10:01:00","scored_at":"2026-11-25 10:02:03","score":0.8161,"alert":1,"reasons":"a \\"b\\"; c","model":"v1"}\n' +
        '{"order_id":"O2","order_date":"2026-11-25 10:01:00","scored_at":"2026-11-25 10:02:03","score":0.05,"alert":0,"model":"v1"}\n' +
        '{"order_id":"O4","customer_id":"C1","order_date":"2026-11-26 00:00:59","scored_at":"2026-11-25 10:02:03","score":0.8161,"alert":1,"model":"v1"}\n',
    );
  });

  it('refuses a model version fraud_scores cannot store when it is created', () => {
    assert.throws(() => new ScoreLineWriter('v'.repeat(65)), /cannot be stored/);
  });
});

describe('LineBytes: UTF-8 written in place', () => {
  it('writes JSON strings byte for byte as JSON.stringify and UTF-8 would, whatever their characters', () => {
    const texts = [
      '',
      'O1',
      'quote " and backslash \\',
      'control \u0001\u001f and DEL \u007f',
      'é è ü ß',
      '東京 北京',
      'pair 🏠 and 😀😀',
      'lone \ud800 high',
      'lone \udc00 low',
      'end high \ud83c',
      '\u2028\u2029',
    ];
    const b = new LineBytes(4);
    let expected = '';
    for (const t of texts) {
      b.jsonString(t);
      b.byte(10);
      expected += `${JSON.stringify(t)}\n`;
    }
    assert.deepEqual(Buffer.from(b.take()), Buffer.from(expected, 'utf8'));
    // Emptied by take: the next batch starts from nothing.
    b.ascii('ab');
    b.twoDigits(7);
    b.twoDigits(59);
    assert.equal(b.takeText(), 'ab0759');
  });
});
