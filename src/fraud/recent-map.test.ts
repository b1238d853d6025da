import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { RecentMap } from './recent-map.js';

describe('RecentMap: the latest keys, forgotten a generation at a time', () => {
  it('keeps at least the last `generation` keys and drops the older ones whole', () => {
    const m = new RecentMap<number>(3);
    for (const [i, k] of ['a', 'b', 'c', 'd', 'e'].entries()) m.set(k, i);
    // a, b, c filled the first generation (now old); d, e are young: nothing forgotten yet.
    assert.deepEqual(
      ['a', 'b', 'c', 'd', 'e'].map((k) => m.get(k)),
      [0, 1, 2, 3, 4],
    );
    m.set('f', 5);
    // d, e, f fill the second generation: a, b, c go at once.
    assert.deepEqual(
      ['a', 'b', 'c', 'd', 'e', 'f'].map((k) => m.has(k)),
      [false, false, false, true, true, true],
    );
    assert.equal(m.size, 3);
  });

  it('setting a key again makes it young, and delete forgets it in either generation', () => {
    const m = new RecentMap<string>(2);
    m.set('a', 'first');
    m.set('b', 'x'); // a, b are old now
    m.set('a', 'second'); // a young again
    m.set('c', 'y'); // a, c old; b dropped
    assert.equal(m.get('a'), 'second');
    assert.equal(m.has('b'), false);
    assert.equal(m.size, 2);
    m.delete('a');
    assert.equal(m.has('a'), false);
    assert.equal(m.get('c'), 'y');
  });
});
