import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { partitionMayHold } from './layout.js';

describe('which partitions a span of events can be in', () => {
  const lo = '2026-11-01 23:10:00';
  const hi = '2026-11-02 01:05:00';
  const holds = (part: string) => partitionMayHold(`/lake/clickstream/part=${part}/b1-0.parquet`, lo, hi);

  it('day, month, year and hour partitions overlapping the span, and not the others', () => {
    assert.deepEqual(['2026-10-31', '2026-11-01', '2026-11-02', '2026-11-03'].map(holds), [
      false,
      true,
      true,
      false,
    ]);
    assert.deepEqual(['2026-10', '2026-11', '2026-12'].map(holds), [false, true, false]);
    assert.deepEqual(['2025', '2026', '2027'].map(holds), [false, true, false]);
    assert.deepEqual(
      ['2026-11-01T22', '2026-11-01T23', '2026-11-02T00', '2026-11-02T01', '2026-11-02T02'].map(holds),
      [false, true, true, true, false],
    );
  });

  it('a file outside any partition may hold anything', () => {
    assert.equal(partitionMayHold('/lake/clickstream/b1-0.parquet', lo, hi), true);
  });
});
