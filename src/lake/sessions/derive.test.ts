import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { DuckDbSession } from '../../duckdb/index.js';
import { sessionRowsSql } from './derive.js';

// Hand-built events whose funnel steps come out of order (a cart before the first view, a checkout before
// the first cart, a purchase before the first checkout), ties at a session's first and last second, and a
// session before 1970 (negative epoch seconds). Every expected value below is worked out by hand from the
// definitions: step k is the first second of its action at or after step k - 1's; the device is the one at
// the first second (ties: first in code-point order); the exit label the one at the last second (ties:
// last in code-point order); the path is the labels up to the first purchase, repeats dropped.
const EVENTS = `(SELECT * FROM (VALUES
    ('a1', TIMESTAMP '2026-11-01 10:00:00', 'S1', 'C1', 'ADD_TO_CART', 'product', 'mobile', 5),
    ('a2', TIMESTAMP '2026-11-01 10:00:30', 'S1', 'C1', 'VIEW', 'home', 'desktop', 5),
    ('a3', TIMESTAMP '2026-11-01 10:01:00', 'S1', 'C1', 'CHECKOUT', 'checkout', 'desktop', 5),
    ('a4', TIMESTAMP '2026-11-01 10:02:00', 'S1', 'C1', 'ADD_TO_CART', 'product', 'desktop', 5),
    ('a5', TIMESTAMP '2026-11-01 10:03:00', 'S1', 'C1', 'PURCHASE', 'checkout', 'desktop', 5),
    ('a6', TIMESTAMP '2026-11-01 10:04:00', 'S1', 'C1', 'CHECKOUT', 'checkout', 'desktop', 5),
    ('a7', TIMESTAMP '2026-11-01 10:05:00', 'S1', 'C1', 'PURCHASE', 'checkout', 'desktop', 10),
    ('b1', TIMESTAMP '2026-11-01 15:00:00', 'S2', 'C2', 'VIEW', 'home', 'desktop', 1),
    ('b2', TIMESTAMP '2026-11-01 15:00:10', 'S2', 'C2', 'CHECKOUT', 'checkout', 'desktop', 1),
    ('b3', TIMESTAMP '2026-11-01 15:00:20', 'S2', 'C2', 'ADD_TO_CART', 'product', 'desktop', 1),
    ('b4', TIMESTAMP '2026-11-01 15:00:30', 'S2', 'C2', 'PURCHASE', 'checkout', 'desktop', 1),
    ('b5', TIMESTAMP '2026-11-01 15:00:40', 'S2', 'C2', 'CHECKOUT', 'checkout', 'desktop', 1),
    ('c1', TIMESTAMP '2026-11-01 20:00:00', 'S3', 'C3', 'ADD_TO_CART', 'product', 'tablet', 0),
    ('c2', TIMESTAMP '2026-11-01 20:00:00', 'S3', 'C3', 'ADD_TO_CART', 'product', 'mobile', 0),
    ('c3', TIMESTAMP '2026-11-01 20:00:50', 'S3', 'C3', 'VIEW', 'product', 'tablet', 0),
    ('c4', TIMESTAMP '2026-11-01 20:01:40', 'S3', 'C3', 'ADD_TO_CART', 'product', 'tablet', 0),
    ('c5', TIMESTAMP '2026-11-01 20:02:00', 'S3', 'C3', 'VIEW', 'cart', 'tablet', 0),
    ('c6', TIMESTAMP '2026-11-01 20:02:00', 'S3', 'C3', 'VIEW', 'home', 'tablet', 0),
    ('d1', TIMESTAMP '2026-11-01 09:00:00', 'S4', 'C4', 'VIEW', 'product', 'desktop', 2),
    ('d2', TIMESTAMP '2026-11-01 09:00:05', 'S4', 'C4', 'ADD_TO_CART', 'product', 'desktop', 2),
    ('d3', TIMESTAMP '2026-11-01 09:00:09', 'S4', 'C4', 'CHECKOUT', 'checkout', 'desktop', 2),
    ('d4', TIMESTAMP '2026-11-01 09:00:12', 'S4', 'C4', 'PURCHASE', 'checkout', 'desktop', 2),
    ('e1', TIMESTAMP '1969-12-31 23:59:59', 'S5', 'C5', 'VIEW', 'home', 'tablet', 0),
    ('e2', TIMESTAMP '1969-12-31 23:59:59', 'S5', 'C5', 'ADD_TO_CART', 'product', 'desktop', 0),
    ('f1', TIMESTAMP '2026-11-01 12:00:00', NULL, 'C9', 'ADD_TO_CART', 'product', 'mobile', 0),
    ('f2', TIMESTAMP '2026-11-01 12:10:00', NULL, 'C9', 'VIEW', 'search', 'mobile', 0),
    ('f3', TIMESTAMP '2026-11-01 13:00:00', NULL, 'C9', 'VIEW', 'home', 'mobile', 0)
  ) t(event_id, "timestamp", session_id, customer_id, action, page, device, duration_seconds))`;

const ORDERS = `(SELECT * FROM (VALUES
    ('O1', 'C1', TIMESTAMP '2026-11-01 10:03:00', 25.5::DECIMAL(18, 4)),
    ('O2', 'C1', TIMESTAMP '2026-11-01 10:05:00', 4.0::DECIMAL(18, 4)),
    ('O3', 'C4', TIMESTAMP '2026-11-01 09:00:12', 10.0::DECIMAL(18, 4))
  ) t(order_id, customer_id, order_date, total_amount))`;

// No session is assigned here: the assignments column has tests of its own (ab-test-assignments.test.ts).
const NO_EXPERIMENTS = `(SELECT * FROM (VALUES ('S0', 'e', 'A')) t(session_id, experiment, variant) WHERE false)`;

const derivedId = (customer: string, at: string) => `${customer}~${Date.parse(`${at}Z`) * 1000}`;

// session_id, device, view_at, cart_at, checkout_at, purchase_at, purchased, exit_label, path_steps,
// path_1 .. path_5, orders, revenue
const EXPECTED = [
  [
    'S1',
    'mobile',
    30,
    120,
    240,
    300,
    1,
    'PURCHASE',
    5,
    'PURCHASE',
    'ADD_TO_CART',
    'CHECKOUT',
    'home',
    'ADD_TO_CART',
    2,
    29.5,
  ],
  [
    'S2',
    'desktop',
    0,
    20,
    40,
    null,
    1,
    'CHECKOUT',
    4,
    'PURCHASE',
    'ADD_TO_CART',
    'CHECKOUT',
    'home',
    null,
    0,
    0,
  ],
  ['S3', 'mobile', 50, 100, null, null, 0, 'home', null, null, null, null, null, null, 0, 0],
  [
    'S4',
    'desktop',
    0,
    5,
    9,
    12,
    1,
    'PURCHASE',
    4,
    'PURCHASE',
    'CHECKOUT',
    'ADD_TO_CART',
    'product',
    null,
    1,
    10,
  ],
  ['S5', 'desktop', 0, 0, null, null, 0, 'home', null, null, null, null, null, null, 0, 0],
  [
    derivedId('C9', '2026-11-01T12:00:00'),
    'mobile',
    600,
    null,
    null,
    null,
    0,
    'search',
    null,
    null,
    null,
    null,
    null,
    null,
    0,
    0,
  ],
  [
    derivedId('C9', '2026-11-01T13:00:00'),
    'mobile',
    0,
    null,
    null,
    null,
    0,
    'home',
    null,
    null,
    null,
    null,
    null,
    null,
    0,
    0,
  ],
];

describe('sessionRowsSql on hand-built sessions', () => {
  let db: DuckDbSession;
  before(async () => {
    db = await DuckDbSession.open({ threads: 1 });
  });
  after(() => db.close());

  it('gives funnel steps out of order, first/last-second ties and pre-1970 seconds as worked out by hand', async () => {
    const rows =
      await db.all(`SELECT session_id, device, view_at, cart_at, checkout_at, purchase_at, purchased,
        exit_label, path_steps, path_1, path_2, path_3, path_4, path_5, orders, CAST(revenue AS DOUBLE) AS revenue
      FROM (${sessionRowsSql(EVENTS, ORDERS, NO_EXPERIMENTS)}) ORDER BY session_id`);
    const got = rows.map((r) =>
      Object.values(r).map((v) => (typeof v === 'bigint' || typeof v === 'number' ? Number(v) : v)),
    );
    // Code-point order, as DuckDB's ORDER BY sorts strings.
    const want = [...EXPECTED].sort((a, b) => (String(a[0]) < String(b[0]) ? -1 : 1));
    assert.deepEqual(
      got.map((r) => r[0]),
      want.map((r) => r[0]),
    );
    for (const [i, row] of want.entries()) assert.deepEqual(got[i], row, `session ${row[0]}`);
  });
});

// Assignments by hand: S1 in one experiment; S2 in two given in reverse order, whose names sort one way
// as experiments ('exp' before 'exp1') and the other way as 'experiment=variant' texts ('exp1=' before
// 'exp='); S3 in three; S4 twice in one experiment with two variants (the table's key forbids it, but the
// text must still be the pairs in (experiment, variant) order); S5 in none; S9 has no events.
const EXPERIMENTS = `(SELECT * FROM (VALUES
    ('S1', 'checkout', 'B'),
    ('S2', 'exp1', 'A'), ('S2', 'exp', 'B'),
    ('S3', 'c', 'X'), ('S3', 'a', 'Z'), ('S3', 'b', 'Y'),
    ('S4', 'e', 'B'), ('S4', 'e', 'A'),
    ('S9', 'checkout', 'A')
  ) t(session_id, experiment, variant))`;

/** Each session's assignments text for EXPERIMENTS, written by hand: pairs in (experiment, variant) order. */
const ASSIGNED = [
  ['S1', 'checkout=B'],
  ['S2', 'exp=B,exp1=A'],
  ['S3', 'a=Z,b=Y,c=X'],
  ['S4', 'e=A,e=B'],
  ['S5', ''],
];

describe('sessionRowsSql assignments', () => {
  let db: DuckDbSession;
  before(async () => {
    db = await DuckDbSession.open({ threads: 1 });
  });
  after(() => db.close());

  it('joins each session pairs in (experiment, variant) order, whatever their number (hand-written)', async () => {
    const rows = await db.all(
      `SELECT session_id, assignments FROM (${sessionRowsSql(EVENTS, ORDERS, EXPERIMENTS)})
       WHERE NOT contains(session_id, '~') ORDER BY session_id`,
    );
    assert.deepEqual(
      rows.map((r) => [r.session_id, r.assignments]),
      ASSIGNED,
    );
  });
});

// Purchase paths by hand, for the paths' encoding of each event as one number (second, then the
// (action, page) pair's rank) and of each label as one number:
// - P1: three events in one second, sorted (ADD_TO_CART, product) < (CHECKOUT, checkout) < (VIEW, checkout),
//   so the labels ADD_TO_CART, CHECKOUT, checkout: the action CHECKOUT and the page checkout are two labels;
//   the next second's VIEW of checkout repeats 'checkout' and is dropped; then PURCHASE.
// - P2: seconds before and at 1970 (-2, -1, -1, 0): (VIEW, home), then (ADD_TO_CART, product) before
//   (VIEW, search) in the same second, then PURCHASE.
// - P3: home and product in turn at seconds 0 to 10, PURCHASE at 11: 12 steps, the last ten kept.
const PATH_EVENTS = `(SELECT * FROM (VALUES
    ('p1', TIMESTAMP '2026-11-03 10:00:00', 'P1', 'C1', 'VIEW', 'checkout', 'desktop', 1),
    ('p2', TIMESTAMP '2026-11-03 10:00:00', 'P1', 'C1', 'CHECKOUT', 'checkout', 'desktop', 1),
    ('p3', TIMESTAMP '2026-11-03 10:00:00', 'P1', 'C1', 'ADD_TO_CART', 'product', 'desktop', 1),
    ('p4', TIMESTAMP '2026-11-03 10:00:01', 'P1', 'C1', 'VIEW', 'checkout', 'desktop', 1),
    ('p5', TIMESTAMP '2026-11-03 10:00:02', 'P1', 'C1', 'PURCHASE', 'checkout', 'desktop', 1),
    ('q1', TIMESTAMP '1969-12-31 23:59:58', 'P2', 'C2', 'VIEW', 'home', 'mobile', 0),
    ('q2', TIMESTAMP '1969-12-31 23:59:59', 'P2', 'C2', 'VIEW', 'search', 'mobile', 0),
    ('q3', TIMESTAMP '1969-12-31 23:59:59', 'P2', 'C2', 'ADD_TO_CART', 'product', 'mobile', 0),
    ('q4', TIMESTAMP '1970-01-01 00:00:00', 'P2', 'C2', 'PURCHASE', 'checkout', 'mobile', 0)
  ) t(event_id, "timestamp", session_id, customer_id, action, page, device, duration_seconds)
  UNION ALL SELECT 'r' || i, TIMESTAMP '2026-11-03 12:00:00' + to_seconds(i::BIGINT), 'P3', 'C3',
    CASE WHEN i = 11 THEN 'PURCHASE' ELSE 'VIEW' END, CASE WHEN i % 2 = 0 THEN 'home' ELSE 'product' END,
    'tablet', 0
  FROM range(12) t(i))`;

describe('sessionRowsSql purchase paths', () => {
  let db: DuckDbSession;
  before(async () => {
    db = await DuckDbSession.open({ threads: 1 });
  });
  after(() => db.close());

  it('sorts a second by (action, page), keeps actions and pages apart and the last ten steps (by hand)', async () => {
    const paths = Array.from({ length: 10 }, (_, i) => `path_${i + 1}`).join(', ');
    const rows = await db.all(
      `SELECT session_id, path_steps, ${paths} FROM (${sessionRowsSql(PATH_EVENTS, ORDERS, NO_EXPERIMENTS)})
       ORDER BY session_id`,
    );
    const none = (n: number) => Array.from({ length: n }, () => null);
    assert.deepEqual(
      rows.map((r) => Object.values(r).map((v) => (typeof v === 'bigint' ? Number(v) : v))),
      [
        ['P1', 4, 'PURCHASE', 'checkout', 'CHECKOUT', 'ADD_TO_CART', ...none(6)],
        ['P2', 4, 'PURCHASE', 'search', 'ADD_TO_CART', 'home', ...none(6)],
        [
          'P3',
          12,
          'PURCHASE',
          'home',
          'product',
          'home',
          'product',
          'home',
          'product',
          'home',
          'product',
          'home',
        ],
      ],
    );
  });
});

describe('sessionRowsSql with the sessions in several experiments given', () => {
  let db: DuckDbSession;
  before(async () => {
    db = await DuckDbSession.open({ threads: 1 });
  });
  after(() => db.close());

  // The same hand-written texts as without the list; the list may name more sessions (S1 is in one).
  for (const multi of [
    ['S2', 'S3', 'S4'],
    ['S1', 'S2', 'S3', 'S4'],
  ])
    it(`gives every session its pairs in (experiment, variant) order (${multi.join(', ')} listed)`, async () => {
      const listed = `(SELECT * FROM (VALUES ${multi.map((s) => `('${s}')`).join(', ')}) t(session_id))`;
      const rows = await db.all(
        `SELECT session_id, assignments FROM (${sessionRowsSql(EVENTS, ORDERS, EXPERIMENTS, listed)})
         WHERE NOT contains(session_id, '~') ORDER BY session_id`,
      );
      assert.deepEqual(
        rows.map((r) => [r.session_id, r.assignments]),
        ASSIGNED,
      );
    });
});

// Regression (2026-11-26, found by derive-twin.test.ts): events without a session_id at one exact time
// that start a derived session all belong to it. The two windows that number derived sessions ordered
// such ties each their own way, so some of them were counted in the customer's previous session. By
// hand, for each of 300 customers: one event at 10:00:00; then 1,801 s later five at 10:30:01 and one
// at 10:30:05; then 1,800 s after that (exactly the gap: the same session) one at 11:00:05. So two
// sessions each: 1 event lasting 0 s, and 7 events lasting 1,804 s.
const TIED_START = `(SELECT 'e' || c || '_' || k AS event_id,
    TIMESTAMP '2026-11-05 10:00:00' + to_seconds(CASE WHEN k = 0 THEN 0 WHEN k <= 5 THEN 1801 WHEN k = 6 THEN 1805 ELSE 3605 END) AS "timestamp",
    NULL::VARCHAR AS session_id, 'C' || c AS customer_id,
    CASE WHEN k = 6 THEN 'ADD_TO_CART' ELSE 'VIEW' END AS action,
    ['home', 'search', 'cart', 'product', 'account', 'home', 'product', 'home'][k + 1] AS page,
    'desktop' AS device, 0 AS duration_seconds
  FROM range(300) a(c), range(8) b(k))`;

describe('sessionRowsSql derived sessions starting with tied events', () => {
  let db: DuckDbSession;
  before(async () => {
    db = await DuckDbSession.open({ threads: 1 });
  });
  after(() => db.close());

  it('puts every event of the starting time in the session it starts (hand-counted)', async () => {
    const rows = await db.all(
      `SELECT events, duration_seconds, count(*) AS n FROM (${sessionRowsSql(TIED_START, ORDERS, NO_EXPERIMENTS)})
       GROUP BY ALL ORDER BY events`,
    );
    assert.deepEqual(
      rows.map((r) => [Number(r.events), Number(r.duration_seconds), Number(r.n)]),
      [
        [1, 0, 300],
        [7, 1804, 300],
      ],
    );
  });
});
