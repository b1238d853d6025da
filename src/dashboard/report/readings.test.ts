import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { READINGS } from './readings.js';

describe('report readings', () => {
  // Three days with completed orders over a span of five (2026-11-02 and 11-04 had none).
  const rows = [
    { day: '2026-11-01', orders: 2, revenue: 20 },
    { day: '2026-11-03', orders: 6, revenue: 60.5 },
    { day: '2026-11-05', orders: 2, revenue: 19.5 },
  ];

  it('average orders over every day of the span, days without orders included', () => {
    // 10 orders / 5 days = 2 a day; the peak of 6 is 3.0× that. It said "the daily average of 3" (10 / 3
    // days with a row) and 1.8×.
    assert.equal(
      READINGS.traffic?.(rows),
      'The busiest day was 2026-11-03 with 6 completed orders, 3.0× the daily average of 2 over 5 days.',
    );
  });

  it('count the days of the trend from its first to its last day', () => {
    assert.equal(
      READINGS.trend?.(rows),
      'Revenue was $100.00 over 5 days, from $20.00 on 2026-11-01 to $19.50 on 2026-11-05.',
    );
  });

  it('an experiment with one variant only says so (ab-test gives its other rate and p-value as null)', () => {
    assert.equal(
      READINGS.abtest?.([
        { experiment: 'solo', rate_a: 0.5, rate_b: null, p_value: null, significant: false },
      ]),
      'solo: only variant A has sessions, nothing to compare yet.',
    );
  });
});
