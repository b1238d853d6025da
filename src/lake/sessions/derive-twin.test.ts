import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { xoroshiro128plus } from 'pure-rand/generator/xoroshiro128plus';
import { DuckDbSession, sqlString } from '../../duckdb/index.js';
import { ACTIONS, DEVICES, PAGES } from '../tables.js';
import { sessionRowsSql } from './derive.js';
import {
  deriveTwinRows,
  secondOf,
  type TwinAssignment,
  type TwinEvent,
  type TwinOrder,
  type TwinRow,
} from './derive-twin.js';

// The independent check of the twin: sessionRowsSql run by the real DuckDB over seeded random sessions
// built to hit the definitions' edge cases, every column of every row compared with the twin's.
// Sessions: several events in one second (device and exit ties), seconds before 1970, half seconds
// (DuckDB's rounding of a time to its second), actions in any order (irregular funnels), derived sessions
// (no session_id) with gaps of exactly 1,800 and 1,801 s, a session_id shared by two customers, NULL
// devices, up to three experiments a session, orders at a PURCHASE's exact time (several, split into
// lines, negative totals) and decoys a microsecond off or of another customer.

const SEEDS = [1, 2, 3, 4];
const SESSIONS_PER_SEED = 150;

function rng(seed: number) {
  const g = xoroshiro128plus(seed);
  for (let i = 0; i < 8; i++) g.next();
  const float = () => (g.next() >>> 0) / 4294967296;
  const int = (n: number) => Math.floor(float() * n);
  return { float, int, pick: <T>(xs: readonly T[]): T => xs[int(xs.length)] as T };
}

interface Fixture {
  events: TwinEvent[];
  orders: TwinOrder[];
  experiments: (TwinAssignment & { sessionId: string })[];
}

const BASES = [
  Date.UTC(2026, 10, 1, 10) * 1000,
  Date.UTC(1969, 11, 31, 23, 58) * 1000, // a session across 1970: negative seconds
  Date.UTC(2025, 0, 1, 0, 0) * 1000,
];

function fixture(seed: number): Fixture {
  const r = rng(seed);
  const events: TwinEvent[] = [];
  const orders: TwinOrder[] = [];
  const experiments: Fixture['experiments'] = [];
  const customers = ['C1', 'C2', 'C3', 'C10', 'C2b'];
  let orderNo = 0;
  for (let s = 0; s < SESSIONS_PER_SEED; s++) {
    const derived = r.float() < 0.25;
    const id = derived ? null : `S${seed}_${s}`;
    const customer = r.pick(customers);
    const other = r.pick(customers);
    let us = (r.pick(BASES) ?? 0) + r.int(3600) * 1_000_000 + s * 7_200_000_000;
    const n = 1 + r.int(9);
    for (let i = 0; i < n; i++) {
      if (i > 0) {
        const step = r.float();
        // Same second, a few seconds, the gap exactly, one second past it, a half second.
        us +=
          step < 0.3
            ? 0
            : step < 0.6
              ? r.int(20) * 1_000_000
              : step < 0.7
                ? 1_800_000_000
                : step < 0.8
                  ? 1_801_000_000
                  : step < 0.9
                    ? 500_000
                    : r.int(1_000_000);
      }
      const action = r.pick(ACTIONS);
      const e: TwinEvent = {
        us,
        sessionId: id,
        customerId: id !== null && r.float() < 0.1 ? other : customer,
        action,
        page: r.pick(PAGES),
        device: r.float() < 0.05 ? null : r.pick(DEVICES),
        durationSeconds: r.int(4) === 0 ? 0 : r.int(300),
      };
      events.push(e);
      if (action === 'PURCHASE' && r.float() < 0.7) {
        const lines = 1 + r.int(3);
        const orderId = `O${seed}_${orderNo++}`;
        for (let l = 0; l < lines; l++)
          orders.push({
            orderId,
            customerId: e.customerId,
            orderDateUs: e.us,
            totalAmount: BigInt(r.int(2_000_000) - 200_000),
          });
        if (r.float() < 0.3)
          orders.push({
            orderId: `O${seed}_${orderNo++}`,
            customerId: e.customerId,
            orderDateUs: e.us,
            totalAmount: 12_345n,
          });
        // Decoys: a microsecond later; another customer at the same time.
        orders.push({
          orderId: `D${seed}_${orderNo++}`,
          customerId: e.customerId,
          orderDateUs: e.us + 1,
          totalAmount: 1n,
        });
        orders.push({
          orderId: `D${seed}_${orderNo++}`,
          customerId: `${e.customerId}x`,
          orderDateUs: e.us,
          totalAmount: 1n,
        });
      }
    }
    if (id !== null) {
      const names = ['exp', 'exp1', 'checkout-v2', 'a'];
      const k = r.int(4);
      for (const exp of names.slice(0, k))
        experiments.push({ sessionId: id, experiment: exp, variant: r.pick(['A', 'B', 'control']) });
    }
  }
  // An assignment of a session without events.
  experiments.push({ sessionId: 'S_none', experiment: 'exp', variant: 'A' });
  return { events, orders, experiments };
}

const ts = (us: number) => `make_timestamp(${us}::BIGINT)`;
const str = (v: string | null) => (v === null ? 'NULL' : sqlString(v));
const money = (v: bigint | null) => (v === null ? 'NULL' : `(${v}::HUGEINT / 10000)::DECIMAL(18,4)`);

async function load(db: DuckDbSession, f: Fixture): Promise<void> {
  await db.run(
    `CREATE OR REPLACE TEMP TABLE ev AS SELECT * FROM (VALUES ${f.events
      .map(
        (e, i) =>
          `('e${i}', ${ts(e.us)}, ${str(e.sessionId)}, ${str(e.customerId)}, ${str(e.action)}, ${str(e.page)}, NULL::VARCHAR, ${str(e.device)}, ${e.durationSeconds})`,
      )
      .join(
        ',\n',
      )}) t(event_id, "timestamp", session_id, customer_id, action, page, product_id, device, duration_seconds)`,
  );
  await db.run(
    `CREATE OR REPLACE TEMP TABLE ord AS SELECT * FROM (VALUES ${f.orders
      .map((o) => `(${str(o.orderId)}, ${str(o.customerId)}, ${ts(o.orderDateUs)}, ${money(o.totalAmount)})`)
      .join(',\n')}) t(order_id, customer_id, order_date, total_amount)`,
  );
  await db.run(
    `CREATE OR REPLACE TEMP TABLE exps AS SELECT * FROM (VALUES ${f.experiments
      .map((x) => `(${str(x.sessionId)}, ${str(x.experiment)}, ${str(x.variant)})`)
      .join(',\n')}) t(session_id, experiment, variant)`,
  );
}

function twinOf(f: Fixture): TwinRow[] {
  const orders = new Map<string, TwinOrder[]>();
  for (const o of f.orders) {
    const k = `${o.customerId}|${o.orderDateUs}`;
    orders.set(k, [...(orders.get(k) ?? []), o]);
  }
  return deriveTwinRows(f.events, {
    ordersAt: (c, us) => orders.get(`${c}|${us}`) ?? [],
    assignmentsOf: (id) => f.experiments.filter((x) => x.sessionId === id),
  });
}

// A row as compared: every column, times as epoch microseconds, revenue as its unscaled 1/10,000ths.
function sqlRowKey(row: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(row))
    out[k] = typeof v === 'bigint' ? Number(v) : v === undefined ? null : v;
  return out;
}

function twinRowKey(t: TwinRow): Record<string, unknown> {
  const { paths, revenue, ...rest } = t;
  const out: Record<string, unknown> = { ...rest, revenue: Number(revenue) };
  paths.forEach((p, i) => {
    out[`path_${i + 1}`] = p;
  });
  return out;
}

describe('deriveTwinRows against sessionRowsSql in DuckDB', () => {
  let db: DuckDbSession;
  before(async () => {
    db = await DuckDbSession.open({ threads: 1 });
  });
  after(() => db.close());

  it('takes a time to its second as DuckDB does (halves to even, before 1970 too)', async () => {
    const us = [
      0, 499_999, 500_000, 500_001, 1_500_000, 2_500_000, -500_000, -1_500_000, -2_500_001,
      1_764_000_000_500_000,
    ];
    const rows = await db.all(
      `SELECT CAST(epoch(make_timestamp(x)) AS BIGINT) AS s FROM unnest([${us.join(', ')}]::BIGINT[]) u(x) ORDER BY x`,
    );
    const want = [...us].sort((a, b) => a - b).map((u) => secondOf(u));
    assert.deepEqual(
      rows.map((r) => Number(r.s)),
      want,
    );
  });

  for (const seed of SEEDS)
    it(`gives every column of every session as the SQL does (seed ${seed})`, async () => {
      const f = fixture(seed);
      await load(db, f);
      const sqlRows = await db.all(
        `SELECT * EXCLUDE (started, last_event, revenue), epoch_us(started) AS started,
           epoch_us(last_event) AS last_event, CAST(revenue * 10000 AS BIGINT) AS revenue
         FROM (${sessionRowsSql('ev', 'ord', 'exps')})`,
      );
      const twin = new Map(twinOf(f).map((t) => [t.session_id, twinRowKey(t)]));
      assert.equal(twin.size, sqlRows.length, 'as many sessions');
      // The fixture reaches the cases it was built for.
      const all = [...twin.values()];
      assert.ok(
        all.some((t) => String(t.session_id).includes('~')),
        'derived sessions',
      );
      assert.ok(
        all.some((t) => Number(t.orders) > 1),
        'two orders linked to one session',
      );
      assert.ok(
        all.some((t) => String(t.assignments).includes(',')),
        'several experiments',
      );
      assert.ok(
        all.some((t) => t.device === null),
        'a NULL device',
      );
      for (const row of sqlRows) {
        const got = sqlRowKey(row);
        const want = twin.get(String(got.session_id));
        assert.ok(want, `twin has session ${String(got.session_id)}`);
        for (const [col, v] of Object.entries(got))
          assert.deepEqual(want[col], v, `${String(got.session_id)}.${col}`);
      }
    });
});
