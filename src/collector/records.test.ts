import assert from 'node:assert/strict';
import { test } from 'node:test';
import { DuckDbEngine } from '../engines/testing.js';
import { ingest } from '../ingest/index.js';
import { contentLineId, TABLES } from '../lake/index.js';
import { tempDir, writeText } from '../testing/index.js';
import { COLLECTED_TABLES, contentEventId, RecordValidator, ROW_CHECKS } from './records.js';
import { recordSchema } from './schema.js';
import { event, order } from './testkit.test-helper.js';
import { normalizeTimestamp } from './timestamps.js';

test('every row check of the collected tables has a JS twin under its stable id, and no twin is stale', () => {
  const ids = COLLECTED_TABLES.map((t) => TABLES[t]).flatMap((spec) => spec.checks.map(([, , id]) => id));
  for (const id of ids) assert.ok(ROW_CHECKS[id], `no JS twin for check '${id}'`);
  assert.deepEqual(Object.keys(ROW_CHECKS).sort(), [...ids].sort());
});

test('timestamps are normalized to UTC as DuckDB prints them', () => {
  assert.equal(normalizeTimestamp('2025-11-28 10:00:00'), '2025-11-28 10:00:00');
  assert.equal(normalizeTimestamp('2025-11-28T10:00:00Z'), '2025-11-28 10:00:00');
  assert.equal(normalizeTimestamp('2025-11-28T10:00:00.250Z'), '2025-11-28 10:00:00.25');
  assert.equal(normalizeTimestamp('2025-11-28T01:30:00+02:00'), '2025-11-27 23:30:00');
  assert.equal(normalizeTimestamp('2025-11-28T22:00:00-05:00'), '2025-11-29 03:00:00');
  // Without an offset a timestamp is UTC, as in file ingest and the lake (documented in COLLECTOR.md).
  assert.equal(normalizeTimestamp('2026-11-20T01:00:00'), '2026-11-20 01:00:00');
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

test('canonical timestamps take the fast path and normalize exactly as the full parser does', () => {
  for (const t of [
    '2025-11-28 10:00:00',
    '2024-02-29 23:59:59',
    '2025-02-29 10:00:00',
    '2100-02-29 00:00:00',
    '2000-02-29 00:00:00',
    '2025-04-31 10:00:00',
    '2025-12-31 23:59:60',
    '0999-01-01 00:00:00',
    '2025-13-01 00:00:00',
    '2025-00-10 00:00:00',
    '2025-11-28 1a:00:00',
  ]) {
    assert.equal(normalizeTimestamp(t), normalizeTimestamp(`${t.replace(' ', 'T')}Z`), t);
  }
});

test('the compiled validator accepts only what the zod schema accepts, with the same record', () => {
  const variants: Record<string, unknown>[] = [
    {},
    { quantity: 0 },
    { quantity: -3, total_amount: -29.97, price: 9.99 },
    { quantity: 1.5 },
    { quantity: 2 ** 60 },
    { price: 0 },
    { price: 9.999 },
    { price: '9.99' },
    { price: 10_000_001 },
    { order_id: '' },
    { order_id: 'a b' },
    { customer_id: 'NULL' },
    { customer_id: 'nan' },
    { customer_id: 'NULLS' },
    { order_id: 'x'.repeat(65) },
    { product_name: 'x'.repeat(201) },
    { product_name: null },
    { order_date: '2025-11-28T10:00:00+02:00' },
    { order_date: '2025-02-30 10:00:00' },
    { order_date: 1 },
    { region: 'MARS' },
    { status: 'completed' },
    { extra: 1 },
    { __proto__: { x: 1 } },
  ];
  const cases: [TableSpecName, unknown][] = [
    ...variants.map((v): [TableSpecName, unknown] => ['orders', order(1, v)]),
    ['orders', null],
    ['orders', [order(1)]],
    ['orders', 'text'],
    ['clickstream', event(1)],
    ['clickstream', event(1, { event_id: null, session_id: '', product_id: undefined })],
    ['clickstream', event(1, { event_id: '' })],
    ['clickstream', event(1, { duration_seconds: 86_401 })],
    ['clickstream', event(1, { duration_seconds: -1 })],
    ['clickstream', event(1, { timestamp: '2025-11-28T10:00:00.250Z' })],
    ['clickstream', event(1, { action: 'PURCHASE', customer_id: 'GUEST' })],
    ['clickstream', event(1, { device: 'fridge' })],
  ];
  for (const [table, input] of cases) {
    const spec = TABLES[table];
    const fast = new RecordValidator(spec).validate(input, 0);
    const zod = recordSchema(spec).safeParse(input);
    const label = JSON.stringify(input);
    if (!('record' in fast)) continue;
    assert.ok(zod.success, `fast path accepted what zod refuses: ${label}`);
    const expected = Object.fromEntries(Object.entries(zod.data).filter(([, v]) => v !== undefined));
    if (table === 'clickstream' && expected.event_id === undefined)
      expected.event_id = contentEventId(expected);
    if (table === 'orders' && expected.line_id === undefined)
      expected.line_id = contentLineId(spec, expected);
    assert.deepEqual(fast.record, expected, label);
    assert.deepEqual(Object.keys(fast.record), Object.keys(expected), label);
  }
});

test('an id written as a missing-value word (NULL, nan, -) is refused with what to do, as file ingest refuses it', () => {
  // A customer_id "NULL" passed for a customer: every guest order became one customer "NULL".
  for (const word of ['NULL', 'nan', '-', 'None']) {
    const fast = new RecordValidator(TABLES.orders).validate(order(1, { customer_id: word }), 0);
    assert.ok(!('record' in fast), word);
    const zod = recordSchema(TABLES.orders).safeParse(order(1, { customer_id: word }));
    assert.ok(!zod.success, word);
    assert.match(zod.error.issues[0]?.message ?? '', /stands for a missing value/, word);
  }
  assert.ok('record' in new RecordValidator(TABLES.orders).validate(order(1, { customer_id: 'NULLS' }), 0));
});

type TableSpecName = 'orders' | 'clickstream';
