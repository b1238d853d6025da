import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { formatNumber } from './number-format.js';

// The independent method is Intl itself: formatNumber replaces toLocaleString('en-US') for speed only.
const intl = (v: number, min: number, max: number) =>
  v.toLocaleString('en-US', { minimumFractionDigits: min, maximumFractionDigits: max });

describe('formatNumber', () => {
  it('writes what toLocaleString en-US writes', () => {
    const values = [
      0,
      -0,
      1,
      -1,
      7,
      12,
      999,
      1000,
      -1000,
      1234.5,
      4213993.15,
      -4213993.155,
      1.005,
      2.675,
      0.125,
      0.5,
      1.5,
      2.5,
      -0.001,
      0.0001,
      123456789012.3456,
      9007199254740991,
      1e20,
      99.995,
      0.1 + 0.2,
      5e-7,
      1234567.891,
    ];
    for (const v of values) {
      for (const [min, max] of [
        [0, 0],
        [0, 3],
        [2, 2],
        [0, 4],
        [1, 2],
      ] as const) {
        assert.equal(formatNumber(v, min, max), intl(v, min, max), `${v} with ${min}–${max} decimals`);
      }
    }
  });

  it('agrees on a thousand spread values, halves and nines included', () => {
    let seed = 42;
    const next = () => {
      seed = (seed * 1103515245 + 12345) % 2 ** 31;
      return seed / 2 ** 31;
    };
    for (let i = 0; i < 1000; i++) {
      const magnitude = 10 ** Math.floor(next() * 16 - 6);
      const v = (next() - 0.3) * magnitude;
      // Values that end in 5 or run of 9s at the rounding place are where rounding methods differ.
      const tricky = [v, Math.round(v * 1000) / 1000 + 0.0005, Math.round(v) + 0.995];
      for (const t of tricky) {
        assert.equal(formatNumber(t, 2, 2), intl(t, 2, 2), `${t}`);
        assert.equal(formatNumber(t, 0, 4), intl(t, 0, 4), `${t}`);
      }
    }
  });

  it('groups by thousands and pads decimals', () => {
    assert.equal(formatNumber(4213993.15, 2, 2), '4,213,993.15');
    assert.equal(formatNumber(-1234, 2, 2), '-1,234.00');
    assert.equal(formatNumber(12), '12');
  });
});
