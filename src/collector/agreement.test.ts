import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { z } from 'zod';
import { ingest } from '../ingest/index.js';
import { TABLES } from '../lake/index.js';
import { tempDir, writeText } from '../testing/index.js';
import { COLLECTED_TABLES, type CollectedTable, RecordValidator } from './records.js';
import { event, order } from './testkit.test-helper.js';
import { formatUtc } from './timestamps.js';

/**
 * The collector's door check and the lake's SQL validation (file ingest of the same record as an NDJSON
 * line) must agree record by record: a record the door accepts and compaction then quarantines is lost
 * to its sender (issue 16), and one the door refuses that the lake takes is a needless refusal. Each
 * edge is written by hand from the rule it probes; neither side's output is used as the expectation.
 */
type Edge = [label: string, record: Record<string, unknown>];

const day = 86_400_000;
const inDays = (n: number) => formatUtc(new Date(Date.now() + n * day));
const cases = (make: (i: number, o: Record<string, unknown>) => Record<string, unknown>) => {
  let i = 0;
  return (label: string, overrides: Record<string, unknown>): Edge => [label, make(++i, overrides)];
};

function orderEdges(): Edge[] {
  const c = cases((i, o) => order(i, o));
  const duck = '\u{1F986}';
  return [
    c('valid', {}),
    c('name of spaces only', { product_name: '   ' }),
    c('name of no-break and ideographic spaces', { product_name: '\u00a0\u3000' }),
    c('name padded with space separators', { product_name: '\u00a0Widget\u3000' }),
    c('name starting with a tab (not trimmed)', { product_name: '\tWidget' }),
    c('name with a zero-width space only', { product_name: '\u200b' }),
    c('name with a lone high surrogate', { product_name: 'bad \ud800 name' }),
    c('name with a lone low surrogate', { product_name: '\udc00' }),
    c('name empty', { product_name: '' }),
    c('name of 200 characters', { product_name: 'x'.repeat(200) }),
    c('name of 201 characters', { product_name: 'x'.repeat(201) }),
    c('name of 200 emoji (400 UTF-16 units)', { product_name: duck.repeat(200) }),
    c('name of 201 emoji', { product_name: duck.repeat(201) }),
    c('name with a NUL', { product_name: 'a\u0000b' }),
    c('name with a line separator', { product_name: 'a\u2028b' }),
    c('name that says null', { product_name: 'null' }),
    c('name with SQL', { product_name: "x'); DROP TABLE orders;--" }),
    c('order_id padded', { order_id: ' O-padded ' }),
    c('order_id with an inner space', { order_id: 'O 1' }),
    c('order_id with a newline at the end', { order_id: 'O1\n' }),
    c('order_id with an accent', { order_id: 'Oé' }),
    c('order_id of 64 characters', { order_id: 'O'.repeat(64) }),
    c('order_id of 65 characters', { order_id: 'P'.repeat(65) }),
    c('status padded', { status: ' COMPLETED ' }),
    c('status in lower case', { status: 'completed' }),
    c('region padded with a no-break space', { region: 'US-EAST\u00a0' }),
    c('quantity zero', { quantity: 0, total_amount: 0 }),
    c('quantity negative (a return)', { quantity: -1, total_amount: -9.99 }),
    c('quantity at the maximum', { quantity: 100_000, total_amount: 999_000 }),
    c('quantity over the maximum', { quantity: 100_001, total_amount: 999_009.99 }),
    c('price zero', { price: 0, total_amount: 0 }),
    c('price one cent', { price: 0.01, total_amount: 0.02 }),
    c('price at the maximum', { quantity: 1, price: 10_000_000, total_amount: 10_000_000 }),
    c('price over the maximum', { quantity: 1, price: 10_000_000.01, total_amount: 10_000_000.01 }),
    c('total off by one cent', { total_amount: 19.99 }),
    c('total off by two cents', { total_amount: 20 }),
    c('order_date just before 2000', { order_date: '1999-12-31 23:59:59' }),
    c('order_date at 2000-01-01', { order_date: '2000-01-01 00:00:00' }),
    c('order_date in two days', { order_date: inDays(2) }),
    c('order_date now', { order_date: inDays(0) }),
    c('order_date ISO without offset (UTC)', { order_date: '2025-11-20T01:00:00' }),
    c('order_date ISO with Z', { order_date: '2025-11-20T01:00:00Z' }),
    c('order_date with an offset', { order_date: '2025-11-20T01:00:00+02:00' }),
    c('order_date padded', { order_date: ' 2025-11-28 10:00:00 ' }),
    c('order_date on 29 February of a common year', { order_date: '2025-02-29 10:00:00' }),
    c('order_date with microseconds', { order_date: '2025-11-28 10:00:00.123456' }),
    c('order_date not a date', { order_date: 'yesterday' }),
    c('customer_id missing', { customer_id: undefined }),
  ];
}

function eventEdges(): Edge[] {
  const c = cases((i, o) => event(i, o));
  return [
    c('valid', {}),
    c('no event id (content id)', { event_id: undefined, duration_seconds: 1 }),
    c('blank event id (content id)', { event_id: '   ', duration_seconds: 2 }),
    c('blank session id', { session_id: ' ' }),
    c('null product id', { product_id: null }),
    c('GUEST purchase', { action: 'PURCHASE', customer_id: 'GUEST' }),
    c('padded GUEST purchase', { action: ' PURCHASE', customer_id: 'GUEST\u00a0' }),
    c('purchase by a customer', { action: 'PURCHASE', customer_id: 'C7' }),
    c('device capitalised', { device: 'Mobile' }),
    c('page padded', { page: ' home ' }),
    c('duration zero', { duration_seconds: 0 }),
    c('duration a day', { duration_seconds: 86_400 }),
    c('duration over a day', { duration_seconds: 86_401 }),
    c('duration negative', { duration_seconds: -1 }),
    c('timestamp before 2000', { timestamp: '1999-06-01 00:00:00' }),
    c('timestamp in two days', { timestamp: inDays(2) }),
    c('event id with a lone surrogate', { event_id: 'E\ud83e' }),
    c('customer id of spaces', { customer_id: '  ' }),
  ];
}

/**
 * Where the lake is known to be more lenient than the door because it silently rounds (a project rule
 * violation in file ingest, reported to its owners): the door must be the side that refuses. Delete an
 * entry once the lake refuses it too.
 */
const LAKE_ROUNDS: Edge[] = [
  ['price with five decimals (the lake stores four)', order(900, { price: 1.00005, total_amount: 2.0001 })],
  [
    'order_date with 7 fractional digits (lake truncates)',
    order(901, { order_date: '2025-11-28 10:00:00.1234567' }),
  ],
];

const quarantineLine = z.object({ source: z.string(), line: z.number(), reason: z.string() });

/** Lines (1-based) of an NDJSON file that ingest quarantined, with their reasons. */
async function lakeRefusals(
  dir: string,
  table: CollectedTable,
  lines: string[],
): Promise<Map<number, string>> {
  const file = writeText(join(dir, 'in', `${table}-${Date.now()}.ndjson`), `${lines.join('\n')}\n`);
  const report = await ingest({ dataDir: dir, table: TABLES[table], input: file });
  const refused = new Map<number, string>();
  if (report.quarantineFile === null) return refused;
  for (const text of readFileSync(report.quarantineFile, 'utf8').split('\n')) {
    if (text.trim() === '') continue;
    const entry = quarantineLine.parse(JSON.parse(text));
    refused.set(entry.line, entry.reason);
  }
  return refused;
}

function checkEdges(): Edge[] {
  const c = cases((i, o) => ({
    order_id: `O${i}`,
    order_date: '2025-11-28 10:00:00',
    payment_method: 'card',
    shipping_region: 'US-EAST',
    ip_country: 'US',
    account_age_days: 30,
    device_id: 'DV00ff00ff',
    ...o,
  }));
  return [
    c('valid', {}),
    c('only the required fields', {
      payment_method: null,
      shipping_region: null,
      ip_country: null,
      account_age_days: null,
      device_id: null,
    }),
    c('ip country in lower case', { ip_country: 'us' }),
    c('ip country of three letters', { ip_country: 'USA' }),
    c('ip country padded', { ip_country: ' DE ' }),
    c('account age negative', { account_age_days: -1 }),
    c('account age fractional', { account_age_days: 1.5 }),
    c('account age at the maximum', { account_age_days: 36_500 }),
    c('account age over the maximum', { account_age_days: 36_501 }),
    c('device id with a space', { device_id: 'DV 1' }),
    c('payment method of 41 characters', { payment_method: 'p'.repeat(41) }),
    c('order_date before 2000', { order_date: '1999-06-01 00:00:00' }),
    c('order_date in two days', { order_date: inDays(2) }),
    c('order_date missing', { order_date: undefined }),
    c('valid again, another region', { shipping_region: 'Île-de-France' }),
  ];
}

function scoreEdges(): Edge[] {
  const c = cases((i, o) => ({
    order_id: `O${i}`,
    customer_id: 'C1',
    order_date: '2025-11-28 10:00:00',
    scored_at: '2025-11-28 10:00:01',
    score: 0.5,
    alert: 0,
    reasons: 'first order from this customer',
    model: 'm1',
    ...o,
  }));
  return [
    c('valid', {}),
    c('score 0', { score: 0 }),
    c('score 1 with an alert', { score: 1, alert: 1 }),
    c('score above 1', { score: 1.0001 }),
    c('score negative', { score: -0.1 }),
    c('score with five decimals', { score: 0.12345 }),
    c('alert 2', { alert: 2 }),
    c('no reasons', { reasons: null }),
    c('reasons of 2001 characters', { reasons: 'r'.repeat(2001) }),
    c('no model', { model: undefined }),
    c('guest order (no customer)', { customer_id: null }),
    c('scored_at not a timestamp', { scored_at: 'soon' }),
  ];
}

function movementEdges(): Edge[] {
  const c = cases((i, o) => ({
    movement_id: `M${i}`,
    warehouse_id: 'WH-US-EAST',
    product_id: 'PHONE001',
    moved_at: '2025-11-28 10:00:00',
    movement_type: 'SALE',
    quantity: -2,
    reference: `ORD${i}`,
    ...o,
  }));
  return [
    c('valid sale', {}),
    c('receipt of 40', { movement_type: 'RECEIPT', quantity: 40, reference: 'PO1' }),
    c('return of one', { movement_type: 'RETURN', quantity: 1 }),
    c('adjustment down', { movement_type: 'ADJUSTMENT', quantity: -1, reference: null }),
    c('adjustment up', { movement_type: 'ADJUSTMENT', quantity: 3 }),
    c('sale with a positive quantity', { quantity: 2 }),
    c('receipt with a negative quantity', { movement_type: 'RECEIPT', quantity: -40 }),
    c('return with a negative quantity', { movement_type: 'RETURN', quantity: -1 }),
    c('quantity zero', { movement_type: 'ADJUSTMENT', quantity: 0 }),
    c('quantity fractional', { quantity: -1.5 }),
    c('type in lower case', { movement_type: 'sale' }),
    c('unknown type', { movement_type: 'TRANSFER', quantity: 1 }),
    c('no warehouse', { warehouse_id: undefined }),
    c('warehouse id with a space', { warehouse_id: 'WH 1' }),
    c('moved_at before 2000', { moved_at: '1999-06-01 00:00:00' }),
    c('moved_at in two days', { moved_at: inDays(2) }),
    c('moved_at not a timestamp', { moved_at: 'yesterday' }),
  ];
}

const edgesOf: Record<CollectedTable, () => Edge[]> = {
  orders: orderEdges,
  clickstream: eventEdges,
  order_checks: checkEdges,
  fraud_scores: scoreEdges,
  stock_movements: movementEdges,
};

for (const table of COLLECTED_TABLES) {
  test(`${table}: the door and the lake's SQL validation agree on every edge record`, async () => {
    const { dir, cleanup } = tempDir('shoplake-agree-');
    try {
      const edges = edgesOf[table]();
      const validator = new RecordValidator(TABLES[table]);
      const door = edges.map(([, record], i) => validator.validate(record, i));
      const lake = await lakeRefusals(
        dir,
        table,
        edges.map(([, record]) => JSON.stringify(record)),
      );
      const disagreements = edges.flatMap(([label], i) => {
        const doorOk = !('rejections' in (door[i] ?? { rejections: [] }));
        const lakeOk = !lake.has(i + 1);
        if (doorOk === lakeOk) return [];
        const why = doorOk ? `lake: ${lake.get(i + 1)}` : `door: ${JSON.stringify(door[i])}`;
        return [
          `${label}: door ${doorOk ? 'accepts' : 'refuses'}, lake ${lakeOk ? 'accepts' : 'refuses'} (${why})`,
        ];
      });
      assert.deepEqual(disagreements, []);
      // Both sides must see some of each, or the corpus proves nothing.
      assert.ok(
        lake.size >= 5 && lake.size <= edges.length - 5,
        `lake refused ${lake.size} of ${edges.length}`,
      );

      // What the door accepts is what reaches the WAL: its normalized form must load without a refusal.
      const normalized = door.flatMap((r) => ('record' in r ? [JSON.stringify(r.record)] : []));
      const fromWal = await lakeRefusals(join(dir, 'wal-form'), table, normalized);
      assert.deepEqual([...fromWal.entries()], []);
    } finally {
      cleanup();
    }
  });
}

test('where the lake rounds silently, the door refuses (the stricter side)', async (t) => {
  const { dir, cleanup } = tempDir('shoplake-agree-');
  try {
    const validator = new RecordValidator(TABLES.orders);
    for (const [label, record] of LAKE_ROUNDS) {
      assert.ok('rejections' in validator.validate(record, 0), `${label}: the door must refuse`);
    }
    const lake = await lakeRefusals(
      dir,
      'orders',
      LAKE_ROUNDS.map(([, r]) => JSON.stringify(r)),
    );
    // Listed because the lake took them when this was written; once it refuses them, both sides agree.
    t.diagnostic(
      `the lake still takes ${LAKE_ROUNDS.length - lake.size} of ${LAKE_ROUNDS.length} (rounding them)`,
    );
  } finally {
    cleanup();
  }
});
