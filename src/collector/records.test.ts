import assert from 'node:assert/strict';
import { test } from 'node:test';
import { DuckDbEngine } from '../engines/index.js';
import { ingest } from '../ingest/index.js';
import { TABLES } from '../lake/index.js';
import { tempDir, writeText } from '../testing/index.js';
import { contentEventId, ROW_CHECKS } from './records.js';
import { normalizeTimestamp } from './timestamps.js';

test('every row check of the collected tables has a JS twin', () => {
  for (const spec of [TABLES.orders, TABLES.clickstream]) {
    for (const [, reason] of spec.checks) assert.ok(ROW_CHECKS[reason], `no JS twin for '${reason}'`);
  }
});

test('timestamps are normalized to UTC as DuckDB prints them', () => {
  assert.equal(normalizeTimestamp('2025-11-28 10:00:00'), '2025-11-28 10:00:00');
  assert.equal(normalizeTimestamp('2025-11-28T10:00:00Z'), '2025-11-28 10:00:00');
  assert.equal(normalizeTimestamp('2025-11-28T10:00:00.250Z'), '2025-11-28 10:00:00.25');
  assert.equal(normalizeTimestamp('2025-11-28T01:30:00+02:00'), '2025-11-27 23:30:00');
  assert.equal(normalizeTimestamp('2025-11-28T22:00:00-05:00'), '2025-11-29 03:00:00');
  assert.equal(normalizeTimestamp('2025-02-30 10:00:00'), null);
  assert.equal(normalizeTimestamp('2025-11-28 24:00:00'), null);
  assert.equal(normalizeTimestamp('2025-11-28'), null);
  assert.equal(normalizeTimestamp('yesterday'), null);
});

test('content event ids agree with file ingest (same event, same id)', async () => {
  const { dir, cleanup } = tempDir();
  try {
    const events: Record<string, string | number>[] = [
      {
        timestamp: '2025-11-28 10:00:00',
        customer_id: 'C1',
        action: 'VIEW',
        page: 'home',
        device: 'mobile',
        duration_seconds: 5,
      },
      {
        timestamp: '2025-11-28 10:00:00.5',
        session_id: 'S9',
        customer_id: 'C2',
        action: 'PURCHASE',
        page: 'checkout',
        product_id: 'P3',
        device: 'desktop',
        duration_seconds: 0,
      },
    ];
    const file = writeText(`${dir}/in/events.ndjson`, events.map((e) => JSON.stringify(e)).join('\n'));
    await ingest({ dataDir: dir, table: TABLES.clickstream, input: file });
    const engine = await DuckDbEngine.open(dir);
    try {
      const rows = await engine.query('SELECT event_id, customer_id FROM clickstream ORDER BY customer_id');
      assert.deepEqual(
        rows.map((r) => r.event_id),
        events.map((e) => contentEventId(e)),
      );
    } finally {
      await engine.close();
    }
  } finally {
    cleanup();
  }
});
