import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { RecentMap, RecentSet } from './recent-map.js';

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

describe('RecentSet: the latest keys as a set', () => {
  it('add answers whether the key was new, and keeps at least the last `generation` keys', () => {
    const s = new RecentSet(3);
    assert.deepEqual(
      ['a', 'b', 'a', 'c', 'b'].map((k) => s.add(k)),
      [true, true, false, true, false],
    );
    // a, b, c filled the first generation (now old): still held, so adding them again changes nothing.
    assert.equal(s.add('c'), false);
    assert.deepEqual([s.add('d'), s.add('e')], [true, true]);
    assert.equal(s.size, 5);
    // d, e, f fill the second generation: a, b, c go at once, and are new again.
    assert.equal(s.add('f'), true);
    assert.deepEqual(
      ['a', 'b', 'c', 'd', 'e', 'f'].map((k) => s.has(k)),
      [false, false, false, true, true, true],
    );
    assert.equal(s.size, 3);
    assert.equal(s.add('a'), true);
  });
});

describe('RecentSet: exact over many keys', () => {
  it('answers as two generations of Sets would, over keys of every length and script', () => {
    // The reference: the two-generation Set it replaced, written out again here.
    const generation = 700;
    let young = new Set<string>();
    let old = new Set<string>();
    const reference = (k: string) => {
      if (young.has(k) || old.has(k)) return false;
      young.add(k);
      if (young.size >= generation) {
        old = young;
        young = new Set();
      }
      return true;
    };
    // 3,000 ids of 0 to 80 code units (long ones make the character array grow), sharing prefixes and
    // lengths, with accents, CJK and surrogate pairs; drawn 40,000 times, so most repeat and many come
    // back after their generation was dropped.
    let seed = 7;
    const next = () => {
      seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
      return seed >>> 8;
    };
    const pieces = ['ORD', '-', '0', '1', 'é', '日本', '😀', 'x', 'Z', '_'];
    const keys = Array.from({ length: 3000 }, (_, i) => {
      let k = i % 7 === 0 ? 'ORD-2026-' : '';
      const n = next() % 30;
      for (let j = 0; j < n; j++) k += pieces[next() % pieces.length];
      return k;
    });
    const s = new RecentSet(generation);
    let mismatches = 0;
    let added = 0;
    for (let i = 0; i < 40_000; i++) {
      const k = keys[next() % keys.length] as string;
      const want = reference(k);
      if (s.add(k) !== want) mismatches++;
      if (want) added++;
    }
    assert.equal(mismatches, 0);
    assert.ok(added > 5 * generation, `${added} adds: the generations turned over several times`);
    assert.equal(s.size, young.size + old.size);
    for (const k of keys) assert.equal(s.has(k), young.has(k) || old.has(k), k);
  });
});
