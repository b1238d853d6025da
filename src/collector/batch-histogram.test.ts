import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Histogram, Registry } from 'prom-client';
import { BatchHistogram, bucketCounts, countInto } from './batch-histogram.js';

test('a batch histogram exposes what a plain histogram observing the same values does', async () => {
  const buckets = [0.1, 0.3, 0.5, 0.9];
  // On a bound (0.3, 0.5), between bounds, below the first, above the last.
  const batch = [0.01, 0.3, 0.3, 0.31, 0.97, 1];
  const single = 0.5;
  const a = new Registry();
  const b = new Registry();
  const batched = new BatchHistogram({ name: 'scores', help: 'h', buckets, registers: [a] });
  const plain = new Histogram({ name: 'scores', help: 'h', buckets, registers: [b] });
  batched.addBatch(
    bucketCounts(batch, buckets),
    batch.reduce((s, v) => s + v, 0),
  );
  batched.addBatch(bucketCounts([single], buckets), single);
  for (const v of [...batch, single]) plain.observe(v);
  assert.equal(await a.metrics(), await b.metrics());
  // And by hand: ≤0.1: 1, ≤0.3: 3, ≤0.5: 5 (0.31 and 0.5), ≤0.9: 5, +Inf: 7.
  assert.deepEqual(bucketCounts(batch, buckets), [1, 2, 1, 0, 2]);
  const text = await a.metrics();
  assert.match(text, /scores_bucket\{le="0.5"\} 5/);
  assert.match(text, /scores_bucket\{le="\+Inf"\} 7/);
  assert.match(text, /scores_count 7/);
});

test('countInto adds values one at a time to counts as bucketCounts makes them', () => {
  const buckets = [0.1, 0.3, 0.5, 0.9];
  const counts = bucketCounts([], buckets);
  // The scoring worker counts each score as it is scored; by hand: ≤0.1: 0.1; ≤0.3: 0.3; ≤0.5: 0.31, 0.5; +Inf: 1.
  for (const v of [0.1, 0.3, 0.31, 0.5, 1]) countInto(counts, buckets, v);
  assert.deepEqual(counts, [1, 1, 2, 0, 1]);
});
