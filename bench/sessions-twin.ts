/**
 * What deriving a collector batch's sessions in Node would cost against the SQL derivation:
 * `node dist/bench/sessions-twin.js [--sessions N] [--rounds N]`. One DuckDB session (one thread, as the
 * compaction process runs) holds a synthetic batch shaped like a saturated collector's (N sessions,
 * default 7,000, of 4–12 events; one in three purchasing, with its orders; one in twenty assigned) as
 * temp tables. Each round measures, in CPU milliseconds of this process (DuckDB's thread included):
 * `sql`, sessionRowsSql over them into a temp table (temp tables: cheaper than the lake's Parquet
 * relations a refresh binds, so a lower bound of the refresh's derivation); `fetch`, the events, orders
 * and assignments into Node (one text column per event, the cheapest transfer tried); `twin`, the
 * TypeScript twin (src/lake/sessions/derive-twin.ts) over them; `back`, the rows handed back to DuckDB
 * through a CSV file in the temp directory. The first round checks that the twin's rows are the SQL's.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DuckDbSession, sqlString } from '../src/duckdb/index.js';
import {
  deriveTwinRows,
  sessionRowsSql,
  type TwinAssignment,
  type TwinEvent,
  type TwinOrder,
  type TwinRow,
} from '../src/lake/index.js';
import { flag } from './lake-option.js';

const cpuMs = () => {
  const c = process.cpuUsage();
  return (c.user + c.system) / 1000;
};

async function main(): Promise<void> {
  const sessions = Number(flag('sessions') ?? 7000);
  const rounds = Number(flag('rounds') ?? 7);
  const db = await DuckDbSession.open({ threads: 1, memoryLimit: '1GB' });
  const scratch = mkdtempSync(join(tmpdir(), 'sessions-twin-'));
  try {
    await batchTables(db, sessions);
    const [n] = await db.all('SELECT count(*) AS events FROM ev');
    const events = Number(n?.events ?? 0);
    const inputs = await refreshLikeInputs(db, scratch);
    const figures: Record<
      'sql' | 'sqlParquetOrders' | 'sqlIdList' | 'sqlBoth' | 'sqlNoList' | 'fetch' | 'twin' | 'back',
      number[]
    > = {
      sql: [],
      sqlParquetOrders: [],
      sqlIdList: [],
      sqlBoth: [],
      sqlNoList: [],
      fetch: [],
      twin: [],
      back: [],
    };
    for (let round = 0; round < rounds; round++) {
      let c = cpuMs();
      await db.run(`CREATE OR REPLACE TEMP TABLE by_sql AS ${sessionRowsSql('ev', 'ord', 'exps')}`);
      figures.sql.push(cpuMs() - c);
      for (const [name, orders, exps] of [
        ['sqlParquetOrders', inputs.orders, 'exps'],
        ['sqlIdList', 'ord', inputs.experiments],
        ['sqlBoth', inputs.orders, inputs.experiments],
        ['sqlNoList', inputs.orders, inputs.oldOnly],
      ] as const) {
        c = cpuMs();
        await db.run(`CREATE OR REPLACE TEMP TABLE by_sql_2 AS ${sessionRowsSql('ev', orders, exps)}`);
        figures[name].push(cpuMs() - c);
      }
      c = cpuMs();
      const input = await fetchBatch(db);
      figures.fetch.push(cpuMs() - c);
      c = cpuMs();
      const rows = deriveTwinRows(input.events, input.lookups);
      figures.twin.push(cpuMs() - c);
      c = cpuMs();
      await rowsBack(db, rows, join(scratch, 'rows.csv'));
      figures.back.push(cpuMs() - c);
      if (round === 0) await check(db);
    }
    const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? 0;
    const out = Object.fromEntries(
      Object.entries(figures).map(([k, xs]) => [
        k,
        {
          medianMs: Number(median(xs).toFixed(1)),
          usPerEvent: Number(((median(xs) * 1000) / events).toFixed(2)),
        },
      ]),
    );
    console.log(JSON.stringify({ sessions, events, rounds, cpu: out }, null, 1));
  } finally {
    db.close();
    rmSync(scratch, { recursive: true, force: true });
  }
}

// The batch: session k's events a few seconds apart (some in one second), from 2026-11-01 on.
async function batchTables(db: DuckDbSession, sessions: number): Promise<void> {
  await db.run(`CREATE TEMP TABLE ev AS
    SELECT 'e' || s || '_' || j AS event_id,
      TIMESTAMP '2026-11-01' + to_seconds(CAST(s * 3 + j * (hash(s, j) % 4) AS BIGINT)) AS "timestamp",
      'S' || s AS session_id, 'C' || (s % 997) AS customer_id,
      CASE WHEN s % 3 = 0 AND j = n - 1 THEN 'PURCHASE'
        ELSE ['VIEW', 'VIEW', 'VIEW', 'ADD_TO_CART', 'CHECKOUT', 'REMOVE_FROM_CART'][CAST(hash(j, s) % 6 AS BIGINT) + 1] END AS action,
      ['home', 'category', 'product', 'cart', 'checkout', 'account', 'search'][CAST(hash(s, j, 1) % 7 AS BIGINT) + 1] AS page,
      NULL::VARCHAR AS product_id,
      ['mobile', 'desktop', 'tablet'][CAST(hash(s) % 3 AS BIGINT) + 1] AS device, (hash(s, j, 2) % 120)::INTEGER AS duration_seconds
    FROM (SELECT s, CAST(4 + hash(s, 9) % 9 AS BIGINT) AS n FROM range(${sessions}) r(s)) x, range(12) y(j) WHERE j < n`);
  await db.run(`CREATE TEMP TABLE ord AS
    SELECT 'O' || session_id || '_' || l AS order_id, customer_id, "timestamp" AS order_date,
      ((hash(session_id, l) % 100000) / 100)::DECIMAL(18,4) AS total_amount
    FROM ev, range(2) z(l) WHERE action = 'PURCHASE'`);
  await db.run(`CREATE TEMP TABLE exps AS
    SELECT DISTINCT session_id, 'checkout-v2' AS experiment, ['A', 'B'][CAST(hash(session_id) % 2 AS BIGINT) + 1] AS variant
    FROM ev WHERE hash(session_id, 7) % 20 = 0`);
}

/**
 * The orders and assignments as a collector batch's refresh hands them to sessionRowsSql (refresh.ts):
 * orders from a Parquet file filtered to the events' span by literal bounds; assignments as the known
 * sessions' old texts unnested plus the new ids' rows looked up in a Parquet file by a literal list (here
 * every session of the batch counts as new but one in four, as about 5,000 of a saturated batch's 7,000
 * are).
 */
async function refreshLikeInputs(
  db: DuckDbSession,
  scratch: string,
): Promise<{ orders: string; experiments: string; oldOnly: string }> {
  const ordFile = join(scratch, 'orders.parquet');
  const expFile = join(scratch, 'experiments.parquet');
  await db.run(`COPY (SELECT * FROM ord ORDER BY order_date) TO ${sqlString(ordFile)} (FORMAT parquet)`);
  await db.run(`COPY (SELECT * FROM exps ORDER BY session_id) TO ${sqlString(expFile)} (FORMAT parquet)`);
  const [span] = await db.all(
    'SELECT CAST(min("timestamp") AS VARCHAR) AS lo, CAST(max("timestamp") AS VARCHAR) AS hi FROM ev',
  );
  await db.run(`CREATE TEMP TABLE hit AS SELECT DISTINCT e.session_id, coalesce(x.experiment || '=' || x.variant, '') AS assignments
    FROM ev e LEFT JOIN exps x USING (session_id) WHERE hash(e.session_id, 3) % 4 = 0`);
  const newIds = await db.column(
    'SELECT DISTINCT session_id FROM ev WHERE hash(session_id, 3) % 4 <> 0 ORDER BY 1',
  );
  const old = `SELECT DISTINCT session_id, split_part(a, '=', 1) AS experiment, split_part(a, '=', 2) AS variant
      FROM (SELECT session_id, unnest(string_split(assignments, ',')) AS a FROM hit WHERE assignments <> '')`;
  return {
    oldOnly: `(${old})`,
    orders: `(SELECT * FROM read_parquet(${sqlString(ordFile)}) o WHERE o.order_date BETWEEN TIMESTAMP ${sqlString(String(span?.lo))} AND TIMESTAMP ${sqlString(String(span?.hi))})`,
    experiments: `(SELECT DISTINCT session_id, split_part(a, '=', 1) AS experiment, split_part(a, '=', 2) AS variant
      FROM (SELECT session_id, unnest(string_split(assignments, ',')) AS a FROM hit WHERE assignments <> '')
      UNION ALL SELECT session_id, experiment, variant FROM read_parquet(${sqlString(expFile)}) x
      WHERE x.session_id IN (${newIds.map(sqlString).join(', ')}))`,
  };
}

const SEP = '\u0001';

/** The batch's events, orders and assignments in Node, one text column each (cheaper than row objects). */
async function fetchBatch(
  db: DuckDbSession,
): Promise<{ events: TwinEvent[]; lookups: Parameters<typeof deriveTwinRows>[1] }> {
  const lines = await db.column(`SELECT concat_ws('${SEP}', epoch_us("timestamp"), coalesce(session_id, ''),
      customer_id, action, page, coalesce(device, ''), duration_seconds) FROM ev`);
  const events = lines.map((l): TwinEvent => {
    const [us, sid, customer, action, page, device, duration] = l.split(SEP);
    return {
      us: Number(us),
      sessionId: sid ? sid : null,
      customerId: customer ?? '',
      action: action ?? '',
      page: page ?? '',
      device: device ? device : null,
      durationSeconds: Number(duration),
    };
  });
  const orders = new Map<string, TwinOrder[]>();
  for (const l of await db.column(`SELECT concat_ws('${SEP}', order_id, customer_id, epoch_us(order_date),
      CAST(total_amount * 10000 AS BIGINT)) FROM ord`)) {
    const [orderId, customerId, at, total] = l.split(SEP);
    const o: TwinOrder = {
      orderId: orderId ?? null,
      customerId: customerId ?? null,
      orderDateUs: Number(at),
      totalAmount: BigInt(total ?? 0),
    };
    const k = `${o.customerId}${SEP}${o.orderDateUs}`;
    orders.set(k, [...(orders.get(k) ?? []), o]);
  }
  const assigned = new Map<string, TwinAssignment[]>();
  for (const l of await db.column(`SELECT concat_ws('${SEP}', session_id, experiment, variant) FROM exps`)) {
    const [sid = '', experiment = '', variant = ''] = l.split(SEP);
    assigned.set(sid, [...(assigned.get(sid) ?? []), { experiment, variant }]);
  }
  return {
    events,
    lookups: {
      ordersAt: (c, us) => orders.get(`${c}${SEP}${us}`) ?? [],
      assignmentsOf: (id) => assigned.get(id) ?? [],
    },
  };
}

const csvText = (v: string | null) => (v === null ? '' : `"${v.replaceAll('"', '""')}"`);
const csvNumber = (v: number | null) => (v === null ? '' : String(v));
const money = (v: bigint) => {
  const neg = v < 0n;
  const a = neg ? -v : v;
  return `${neg ? '-' : ''}${a / 10000n}.${String(a % 10000n).padStart(4, '0')}`;
};

/** The twin's rows into a DuckDB temp table through a CSV file (a VALUES list of 7,000 rows took ~1 s). */
async function rowsBack(db: DuckDbSession, rows: readonly TwinRow[], file: string): Promise<void> {
  const text = rows
    .map((r) =>
      [
        csvText(r.session_id),
        csvText(r.customer_id),
        csvText(r.device),
        r.started,
        r.last_event,
        r.duration_seconds,
        r.events,
        r.page_views,
        r.purchased,
        csvNumber(r.view_at),
        csvNumber(r.cart_at),
        csvNumber(r.checkout_at),
        csvNumber(r.purchase_at),
        csvText(r.exit_label),
        csvNumber(r.path_steps),
        ...r.paths.map(csvText),
        r.orders,
        money(r.revenue),
        csvText(r.assignments),
      ].join(','),
    )
    .join('\n');
  writeFileSync(file, `${text}\n`);
  const paths = Array.from({ length: 10 }, (_, i) => `'path_${i + 1}': 'VARCHAR'`).join(', ');
  await db.run(`CREATE OR REPLACE TEMP TABLE by_twin AS
    SELECT session_id, customer_id, device, make_timestamp(started) AS started, make_timestamp(last_event) AS last_event,
      * EXCLUDE (session_id, customer_id, device, started, last_event, assignments),
      coalesce(assignments, '') AS assignments
    FROM read_csv(${sqlString(file)}, header = false, quote = '"', escape = '"', columns = {
      'session_id': 'VARCHAR', 'customer_id': 'VARCHAR', 'device': 'VARCHAR', 'started': 'BIGINT',
      'last_event': 'BIGINT', 'duration_seconds': 'INTEGER', 'events': 'INTEGER', 'page_views': 'INTEGER',
      'purchased': 'INTEGER', 'view_at': 'INTEGER', 'cart_at': 'INTEGER', 'checkout_at': 'INTEGER',
      'purchase_at': 'INTEGER', 'exit_label': 'VARCHAR', 'path_steps': 'INTEGER', ${paths},
      'orders': 'INTEGER', 'revenue': 'DECIMAL(18,4)', 'assignments': 'VARCHAR'})`);
}

async function check(db: DuckDbSession): Promise<void> {
  const [d] = await db.all(`SELECT
    (SELECT count(*) FROM (SELECT * FROM by_sql EXCEPT ALL SELECT * FROM by_twin)) AS a,
    (SELECT count(*) FROM (SELECT * FROM by_twin EXCEPT ALL SELECT * FROM by_sql)) AS b,
    (SELECT count(*) FROM by_sql) AS n`);
  if (Number(d?.a) !== 0 || Number(d?.b) !== 0)
    throw new Error(
      `the twin's rows differ from the SQL's: ${Number(d?.a)} / ${Number(d?.b)} of ${Number(d?.n)}`,
    );
}

await main();
