import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  DateDay,
  Int64,
  makeVector,
  Table,
  TimestampMicrosecond,
  tableToIPC,
  Utf8,
  vectorFromArray,
} from 'apache-arrow';
import { batchesOfArrowIpc, decimalNumber, rowsOfArrowIpc, timestampText } from './arrow-rows.js';

describe('Arrow results as DuckDB-shaped rows', () => {
  it('prints timestamps as DuckDB does (no zone, fraction without trailing zeros)', () => {
    assert.equal(timestampText(0n), '1970-01-01 00:00:00');
    assert.equal(timestampText(1_500_000n), '1970-01-01 00:00:01.5');
    assert.equal(timestampText(120_000n), '1970-01-01 00:00:00.12');
    assert.equal(timestampText(123_456n), '1970-01-01 00:00:00.123456');
    assert.equal(timestampText(-750_000n), '1969-12-31 23:59:59.25');
  });

  it('turns decimals into the double nearest their exact digits', () => {
    assert.equal(decimalNumber(123456n, 2), 1234.56);
    assert.equal(decimalNumber(-5n, 2), -0.05);
    assert.equal(decimalNumber(7n, 0), 7);
  });

  it('decodes an IPC stream: int64 as number, microsecond timestamps exactly, dates, nulls', () => {
    const table = new Table({
      n: makeVector({ type: new Int64(), data: new BigInt64Array([3n, -4n]) }),
      at: makeVector({ type: new TimestampMicrosecond('UTC'), data: new BigInt64Array([1_000_001n, 0n]) }),
      day: vectorFromArray([new Date(Date.UTC(2026, 10, 25)), null], new DateDay()),
      s: vectorFromArray(['a', null], new Utf8()),
    });
    const rows = [...rowsOfArrowIpc(tableToIPC(table, 'stream'))];
    assert.deepEqual(rows, [
      { n: 3, at: '1970-01-01 00:00:01.000001', day: '2026-11-25', s: 'a' },
      { n: -4, at: '1970-01-01 00:00:00', day: null, s: null },
    ]);
  });

  it('user SQL (exact): an int64 above 2^53 stays its exact digits, one a double carries a number', () => {
    // 2^53 + 1 = 9007199254740993 has no double; Number() made it 9007199254740992.
    const table = new Table({
      n: makeVector({ type: new Int64(), data: new BigInt64Array([9007199254740993n, 7n]) }),
    });
    const [batch] = [...batchesOfArrowIpc(tableToIPC(table, 'stream'), true)];
    assert.deepEqual(batch?.rows, [{ n: '9007199254740993' }, { n: 7 }]);
  });
});
