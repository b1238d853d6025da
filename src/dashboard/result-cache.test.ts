import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ResultCache } from './result-cache.js';

test('concurrent requests for one key share one computation', async () => {
  const cache = new ResultCache<number>(10_000);
  let runs = 0;
  let release: (v: number) => void = () => {};
  const compute = () => {
    runs++;
    return new Promise<number>((resolve) => {
      release = resolve;
    });
  };
  const waiting = Array.from({ length: 20 }, () => cache.get('k', compute));
  release(42);
  const answers = await Promise.all(waiting);
  assert.equal(runs, 1);
  assert.deepEqual(
    answers.map((a) => a.value),
    new Array(20).fill(42),
  );
  assert.deepEqual(cache.stats(), { entries: 1, computed: 1, shared: 19 });
});

test('an answer is served until the refresh interval has passed, then computed again', async () => {
  let now = 1_000;
  const cache = new ResultCache<number>(10_000, () => now);
  let runs = 0;
  const compute = async () => ++runs;
  assert.equal((await cache.get('k', compute)).value, 1);
  now += 9_999;
  assert.equal((await cache.get('k', compute)).value, 1);
  now += 1;
  assert.equal((await cache.get('k', compute)).value, 2);
  assert.equal((await cache.get('other', compute)).value, 3);
});

test('a failure is not cached: the next request computes again', async () => {
  const cache = new ResultCache<number>(10_000);
  await assert.rejects(
    cache.get('k', async () => {
      throw new Error('lake unreadable');
    }),
    /lake unreadable/,
  );
  assert.equal((await cache.get('k', async () => 7)).value, 7);
});

test('the oldest entries go when the cache is full', async () => {
  const cache = new ResultCache<string>(10_000, Date.now, 2);
  for (const key of ['a', 'b', 'c']) await cache.get(key, async () => key);
  let recomputed = false;
  await cache.get('a', async () => {
    recomputed = true;
    return 'a';
  });
  assert.equal(recomputed, true);
  assert.equal(cache.stats().entries, 2);
});
