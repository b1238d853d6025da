import assert from 'node:assert/strict';
import { test } from 'node:test';
import { TABLES } from '../lake/index.js';
import { parseBody } from './parse.js';
import { RecordValidator } from './records.js';
import { order } from './testkit.test-helper.js';

test('NDJSON posted as application/json is refused with the content type to send', () => {
  const body = `${JSON.stringify(order(1))}\n${JSON.stringify(order(2))}\n`;
  assert.throws(
    () => parseBody(body, 'application/json'),
    (err: Error & { code?: string }) =>
      err.code === 'malformed_json' && /Content-Type: application\/x-ndjson/.test(err.message),
  );
  // The same body with the right type is two records.
  assert.equal(parseBody(body, 'application/x-ndjson').items.length, 2);
  // A broken single object gets no NDJSON advice.
  assert.throws(
    () => parseBody('{"order_id": ', 'application/json'),
    (err: Error) => /malformed JSON/.test(err.message) && !/x-ndjson/.test(err.message),
  );
});

test('an amount beyond the range of a number is said as such, not as "got number null"', () => {
  const body = JSON.stringify(order(1)).replace(/"total_amount":[^,}]+/, '"total_amount":1e400');
  const [item] = parseBody(body, 'application/json').items;
  const result = new RecordValidator(TABLES.orders).validate(item?.value, 0);
  assert.ok('rejections' in result, 'refused');
  const reasons = 'rejections' in result ? result.rejections.map((e) => e.reason) : [];
  assert.ok(
    reasons.some((r) => /total_amount: .*beyond the range of a number/.test(r)),
    reasons.join('; '),
  );
  assert.ok(!reasons.some((r) => /null/.test(r)), reasons.join('; '));
});
