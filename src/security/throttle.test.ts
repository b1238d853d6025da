import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { FailureThrottle, FREE_FAILURES, MAX_ADDRESSES } from './throttle.js';

describe('failure throttle at capacity', () => {
  it('keeps throttling a guessing address while more addresses than the table holds fail around it', () => {
    const t = new FailureThrottle();
    let other = 0;
    const waits: number[] = [];
    for (let k = 0; k < 8; k++) {
      waits.push(t.fail('192.0.2.1', k * 100_000));
      // Between two of its guesses, MAX_ADDRESSES − 1 other addresses fail once each: 8 rounds fill the
      // table eight times over.
      for (let i = 0; i < MAX_ADDRESSES - 1; i++) t.fail(`10.0.${other >> 8}.${other++ & 255}`, k * 100_000);
    }
    // By hand: FREE_FAILURES free failures, then waits of 1, 2, 4 s.
    assert.equal(FREE_FAILURES, 5);
    assert.deepEqual(waits, [0, 0, 0, 0, 0, 1, 2, 4]);
    assert.equal(t.waitSeconds('192.0.2.1', 700_000 + 1_000), 3);
    // Memory stays bounded: at most two generations of MAX_ADDRESSES.
    assert.ok(t.size <= 2 * MAX_ADDRESSES, `${t.size} addresses`);
    assert.ok(t.size >= MAX_ADDRESSES);
  });

  it('forgets an address once twice the table of others failed after it (memory is bounded), and a success clears it', () => {
    const t = new FailureThrottle();
    for (let k = 0; k < 7; k++) t.fail('192.0.2.1', 0);
    assert.equal(t.waitSeconds('192.0.2.1', 0), 2);
    for (let i = 0; i < 2 * MAX_ADDRESSES; i++) t.fail(`10.1.${i >> 8}.${i & 255}`, 0);
    assert.equal(t.waitSeconds('192.0.2.1', 0), 0);
    assert.equal(t.fail('192.0.2.1', 0), 0, 'its count starts again');
    for (let k = 0; k < 6; k++) t.fail('198.51.100.7', 0);
    assert.equal(t.waitSeconds('198.51.100.7', 0), 1);
    t.succeed('198.51.100.7');
    assert.equal(t.waitSeconds('198.51.100.7', 0), 0);
  });
});
