import { ACTIONS, DEVICES, MONEY_SQL_TYPE, PAGES } from '../tables.js';

/** Minutes of inactivity that end a derived session (for events without a session_id). */
export const SESSION_GAP_MINUTES = 30;

/** Purchase-path steps the sessions table keeps per session (user-paths' deepest depth). */
export const PATH_COLUMNS = 10;

/** The default funnel the sessions table precomputes, with the column holding each step's time. */
export const TABLE_FUNNEL = [
  ['VIEW', 'view_at'],
  ['ADD_TO_CART', 'cart_at'],
  ['CHECKOUT', 'checkout_at'],
  ['PURCHASE', 'purchase_at'],
] as const;

const LABEL = "CASE WHEN action = 'VIEW' THEN page ELSE action END";

// The value at the earliest (min_by) or latest (max_by) second; ties go to the value first (min) or last
// (max) in code-point order. The key ranks the value among a closed set the lake enforces, so that it is
// numeric (as fast as plain min_by). Same rule as the analyses' valueAtSql, written here for DuckDB alone.
function valueAt(by: 'min_by' | 'max_by', expr: string, values: readonly string[]): string {
  const sorted = [...new Set(values)].sort();
  const whens = sorted.map((v, i) => `WHEN '${v}' THEN ${i}`).join(' ');
  return `${by}(${expr}, sec * ${sorted.length + 1} + CASE (${expr}) ${whens} ELSE ${sorted.length} END)`;
}

/**
 * DuckDB SELECT of session rows (the sessions table's columns, in order) from `events`, a relation with
 * clickstream's columns. Events with a session_id are grouped by it; the others per customer_id into
 * sessions that end after SESSION_GAP_MINUTES of inactivity. Exactly the event-level definitions of the
 * session analyses (src/analyses/catalog/parts/sql.ts), which their tests compare against. `orders`
 * (a relation with orders' columns) gives the orders linked to each session: those whose customer has a
 * PURCHASE event in it at exactly the order's order_date (every such session, should there be several).
 * `experiments` (a relation with experiments' columns) gives each session its assignments
 * (the CTE `assigned` below).
 */
export function sessionRowsSql(events: string, orders: string, experiments: string): string {
  const gap = SESSION_GAP_MINUTES * 60;
  const funnel = TABLE_FUNNEL.map(([, col], k) => `CAST(t${k + 1} - start_sec AS INTEGER) AS ${col}`);
  const paths = Array.from(
    { length: PATH_COLUMNS },
    (_, i) => `CASE WHEN len(steps) > ${i} THEN steps[len(steps) - ${i}] END AS path_${i + 1}`,
  );
  const sec = 'CAST(epoch("timestamp") AS BIGINT) AS sec';
  // Every event with its session key. Those with a session_id are read from `events` itself wherever
  // they are needed (a scan with the filters pushed into it, not a copy of every event: a CTE named more
  // than once is materialised); only events without one, keyed by a window, are kept in between.
  const ev = (
    where: string,
  ) => `(SELECT "timestamp" AS ts, session_id AS session, false AS derived, customer_id,
      action, page, device, duration_seconds, ${sec}
    FROM ${events} WHERE session_id IS NOT NULL AND ${where}
    UNION ALL SELECT * FROM dev WHERE ${where})`;
  return `WITH d AS (
    SELECT *, CASE WHEN sec - lag(sec) OVER (PARTITION BY customer_id ORDER BY ts) <= ${gap} THEN 0 ELSE 1 END AS starts
    FROM (SELECT "timestamp" AS ts, customer_id, action, page, device, duration_seconds, ${sec}
      FROM ${events} WHERE session_id IS NULL)
  ),
  dev AS (
    SELECT ts, concat(customer_id, '~', CAST(sum(starts) OVER (PARTITION BY customer_id ORDER BY ts
        ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW) AS VARCHAR)) AS session, true AS derived,
      customer_id, action, page, device, duration_seconds, sec
    FROM d
  ),
  agg AS (
    SELECT session, bool_or(derived) AS derived,
      min(customer_id) AS customer_id,
      ${valueAt('min_by', 'device', DEVICES)} AS device,
      min(ts) AS started, max(ts) AS last_event,
      max(sec + duration_seconds) AS end_sec,
      count(*) AS events,
      count(*) FILTER (WHERE action = 'VIEW') AS page_views,
      min(sec) FILTER (WHERE action = 'VIEW') AS t1,
      list(sec) FILTER (WHERE action = 'ADD_TO_CART') AS c,
      list(sec) FILTER (WHERE action = 'CHECKOUT') AS k,
      list(sec) FILTER (WHERE action = 'PURCHASE') AS p,
      min(sec) FILTER (WHERE action = 'PURCHASE') AS psec,
      ${valueAt('max_by', LABEL, [...PAGES, ...ACTIONS])} AS exit_label
    FROM ${ev('true')} GROUP BY session
  ),
  -- The first second and whether the session purchased follow from started and psec (epoch seconds
  -- rise with the time, so the least second is the least time's): two aggregates fewer over every event.
  f2 AS (SELECT *, CAST(epoch(started) AS BIGINT) AS start_sec, CASE WHEN psec IS NULL THEN 0 ELSE 1 END AS purchased,
      list_min(list_filter(c, lambda x: x >= t1)) AS t2
    FROM agg),
  f3 AS (SELECT *, list_min(list_filter(k, lambda x: x >= t2)) AS t3 FROM f2),
  f4 AS (SELECT *, list_min(list_filter(p, lambda x: x >= t3)) AS t4 FROM f3),
  -- Purchase paths only for purchasing sessions (a few percent): their events up to the first purchase's
  -- second, sorted by (second, action, page), with each repeat of the previous label dropped. An
  -- unordered list sorted afterwards: list(... ORDER BY ...) keeps a sorted state per group, which
  -- took half the derivation's CPU and most of its memory at 1M orders.
  walk AS (
    SELECT e.session, list_sort(list(struct_pack(s := e.sec, a := e.action, p := e.page))) AS evs
    FROM ${ev('true')} e JOIN agg a ON a.session = e.session AND a.psec IS NOT NULL AND e.sec <= a.psec
    GROUP BY e.session
  ),
  labelled AS (
    SELECT session, list_transform(evs, lambda x: CASE WHEN x.a = 'VIEW' THEN x.p ELSE x.a END) AS labels
    FROM walk
  ),
  walked AS (
    SELECT session, list_filter(labels, lambda x, i: i = 1 OR x <> labels[i - 1]) AS steps FROM labelled
  ),
  linked AS (
    SELECT b.session, count(DISTINCT o.order_id) AS orders, sum(o.total_amount) AS revenue
    FROM (SELECT DISTINCT session, customer_id, ts FROM ${ev("action = 'PURCHASE'")}) b
    JOIN ${orders} o ON o.customer_id = b.customer_id AND o.order_date = b.ts
    GROUP BY b.session
  ),
  ${assignedCte(experiments)}
  SELECT
    CASE WHEN f4.derived THEN concat(f4.customer_id, '~', CAST(epoch_us(f4.started) AS VARCHAR))
      ELSE f4.session END AS session_id,
    f4.customer_id, f4.device, f4.started, f4.last_event,
    CAST(f4.end_sec - f4.start_sec AS INTEGER) AS duration_seconds, CAST(f4.events AS INTEGER) AS events,
    CAST(f4.page_views AS INTEGER) AS page_views, CAST(f4.purchased AS INTEGER) AS purchased,
    ${funnel.join(', ')},
    f4.exit_label,
    CAST(len(steps) AS INTEGER) AS path_steps,
    ${paths.join(',\n    ')},
    CAST(coalesce(l.orders, 0) AS INTEGER) AS orders,
    CAST(coalesce(l.revenue, 0) AS ${MONEY_SQL_TYPE}) AS revenue,
    coalesce(x.assignments, '') AS assignments
  FROM f4 LEFT JOIN walked w ON w.session = f4.session LEFT JOIN linked l ON l.session = f4.session
    LEFT JOIN assigned x ON x.session = f4.session`;
}

/** Separator between a session's assignments in the sessions table's `assignments` column. */
export const ASSIGNMENT_SEPARATOR = ',';
/** Separator between an assignment's experiment and variant in the `assignments` column. */
export const VARIANT_SEPARATOR = '=';

/**
 * CTE `assigned`: per session of `agg` that the experiments relation names, its assignments as one text,
 * `experiment=variant` pairs joined by ',' in (experiment, variant) order: exact, since experiment and
 * variant are lake ids (letters, digits, _ . : -), which hold neither separator, and the experiments
 * table's key (experiment, session_id) gives a session at most one variant per experiment. Text (not a
 * list or map) so that every engine reads it alike; the analyses split it (src/analyses, ab-test).
 * Derived sessions (ids with '~', which no lake id holds) are never assigned. Only the sessions in
 * `agg` are grouped: a refresh of a few sessions scans experiments but groups only theirs.
 */
function assignedCte(experiments: string): string {
  // Plain equi-joins only: a condition on one side (NOT derived) in a join's ON made DuckDB loop over
  // pairs (minutes at 1M orders). An unordered list sorted afterwards, as in `walk` above (an ordered
  // aggregate keeps a sorted state per group); structs sort by experiment, then variant.
  return `assigned AS (
    SELECT session, array_to_string(list_transform(list_sort(pairs),
        lambda p: concat(p.e, '${VARIANT_SEPARATOR}', p.v)), '${ASSIGNMENT_SEPARATOR}') AS assignments
    FROM (SELECT x.session_id AS session, list(struct_pack(e := x.experiment, v := x.variant)) AS pairs
      FROM ${experiments} x SEMI JOIN (SELECT session FROM agg WHERE NOT derived) a ON a.session = x.session_id
      GROUP BY x.session_id)
  )`;
}
