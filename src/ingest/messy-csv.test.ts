import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { TABLES } from '../lake/index.js';
import { csv, ORDERS_HEADER, orderLine, tempDir, writeText } from '../testing/index.js';
import { ingest } from './index.js';

// Real exports break in ways generated data does not; each case here is one an audit found.

function reasons(file: string | null): { line: number; reason: string }[] {
  assert.ok(file, 'expected a quarantine file');
  return readFileSync(file, 'utf8')
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l));
}

describe('ingest of messy CSV exports', () => {
  let dir: string;
  let cleanup: () => void;
  before(() => ({ dir, cleanup } = tempDir()));
  after(() => cleanup());

  it('keeps the header of a short file whose last row has an extra field, and quarantines that row', async () => {
    // DuckDB's sniffer took line 4 for the header and skipped lines 1–3: the run failed with
    // "source has no column order_id … (it has Q3, C1, …)" instead of loading two rows.
    const text = csv(ORDERS_HEADER, [
      orderLine('Q1', 1, 10),
      orderLine('Q2', 1, 10),
      [...orderLine('Q3', 1, 10), 'x'],
    ]);
    const input = writeText(join(dir, 'extra-field', 'orders.csv'), text);
    const report = await ingest({ dataDir: join(dir, 'd1'), table: TABLES.orders, input });
    assert.deepEqual([report.read, report.loaded, report.quarantined], [3, 2, 1]);
    const bad = reasons(report.quarantineFile);
    assert.equal(bad.length, 1);
    assert.equal(bad[0]?.line, 4);
    assert.match(bad[0]?.reason ?? '', /unreadable CSV line/);
  });
});
