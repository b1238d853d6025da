import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { TimestampText, walTimestampMs } from './lake-time-text.js';

// The independent methods: Date's own ISO writer and reader.
const iso = (ms: number) => new Date(ms).toISOString().slice(0, 19).replace('T', ' ');
const parsed = (t: string) => Date.parse(`${t.replace(' ', 'T')}Z`);

// A fixed pseudo-random sequence (no Math.random: a failure must be repeatable).
function* spread(n: number, from: number, to: number) {
  let x = 1;
  for (let i = 0; i < n; i++) {
    x = (x * 48_271) % 2_147_483_647;
    yield from + Math.floor((x / 2_147_483_647) * (to - from));
  }
}

describe('TimestampText: lake timestamps with the date part kept', () => {
  it('writes the texts worked out by hand', () => {
    const f = new TimestampText();
    assert.equal(f.format(Date.UTC(2026, 10, 25, 10, 1, 0, 500)), '2026-11-25 10:01:00');
    assert.equal(f.format(Date.UTC(2026, 10, 25, 23, 59, 59, 999)), '2026-11-25 23:59:59');
    assert.equal(f.format(Date.UTC(2026, 10, 26, 0, 0, 0, 0)), '2026-11-26 00:00:00');
    assert.equal(f.format(0), '1970-01-01 00:00:00');
    assert.equal(f.format(Date.UTC(2024, 1, 29, 7, 8, 9)), '2024-02-29 07:08:09');
  });

  it("agrees with Date's ISO text over days, seconds and the edges, in any order", () => {
    const f = new TimestampText();
    const day = 86_400_000;
    const edges = [0, 1, 999, 1000, day - 1, day, -1, -day, -1000, 253_402_300_799_999, 253_402_300_800_000];
    for (const ms of [...edges, ...spread(20_000, -2e12, 2.6e14)])
      assert.equal(f.format(ms), iso(ms), String(ms));
    // Many orders of one day, then another: the kept date must follow.
    for (const ms of spread(5_000, Date.UTC(2026, 10, 25), Date.UTC(2026, 10, 27)))
      assert.equal(f.format(ms), iso(ms), String(ms));
  });

  it('fails on an invalid time as lakeTimestamp does', () => {
    assert.throws(() => new TimestampText().format(Number.NaN), RangeError);
  });
});

describe('walTimestampMs: a WAL timestamp read as Date.parse reads it', () => {
  it('reads the times worked out by hand', () => {
    assert.equal(walTimestampMs('2026-11-25 10:01:02'), Date.UTC(2026, 10, 25, 10, 1, 2));
    assert.equal(walTimestampMs('1970-01-01 00:00:00'), 0);
    assert.equal(walTimestampMs('2000-02-29 23:59:59'), Date.UTC(2000, 1, 29, 23, 59, 59));
  });

  it('agrees with Date.parse over every kind of text, valid or not', () => {
    const texts = [
      '2026-02-30 00:00:00',
      '2026-02-29 00:00:00',
      '2024-02-29 24:00:00',
      '2026-13-01 00:00:00',
      '2026-00-10 00:00:00',
      '2026-01-00 00:00:00',
      '0999-01-01 00:00:00',
      '1000-01-01 00:00:00',
      '0050-06-01 12:00:00',
      '2026-01-01 23:59:60',
      '2026-01-01 23:60:00',
      '2026-01-01T10:00:00',
      '2026-01-01 10:00:00.250',
      '2026-1-01 10:00:00',
      '2026-01-01 1a:00:00',
      '2100-02-29 00:00:00',
      '',
      'not a time',
      '9999-12-31 23:59:59',
    ];
    for (const ms of spread(20_000, -1e12, 2.5e14)) texts.push(iso(ms));
    for (const t of texts) assert.equal(walTimestampMs(t), parsed(t), t);
    assert.equal(walTimestampMs(undefined), parsed('undefined'));
    assert.equal(walTimestampMs(17), parsed('17'));
  });
});
