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
const LABELS = [...PAGES, ...ACTIONS];

// The value at the earliest (min) or latest (max) second; ties go to the value first (min) or last (max)
// in code-point order. The value's rank among a closed set the lake enforces (NULL ranks last) rides in
// the low digits of one BIGINT key, so a plain min/max of that number finds it and the rank decodes back
// (one number per group where min_by/max_by kept a string and its key). Same rule as the analyses'
// valueAtSql, written here for DuckDB alone.
function rankKey(expr: string, values: readonly string[]): string {
  const sorted = [...new Set(values)].sort();
  const whens = sorted.map((v, i) => `WHEN '${v}' THEN ${i}`).join(' ');
  return `sec * ${sorted.length + 1} + CASE (${expr}) ${whens} ELSE ${sorted.length} END`;
}

// The value a rankKey's key stands for (NULL for the rank past the set: a value outside it is NULL).
function rankValue(key: string, values: readonly string[]): string {
  const sorted = [...new Set(values)].sort();
  const n = sorted.length + 1;
  // ((key % n) + n) % n: the rank also for seconds before 1970, whose key is negative.
  return `[${sorted.map((v) => `'${v}'`).join(', ')}][((${key} % ${n}) + ${n}) % ${n} + 1]`;
}

// An event of a purchase path as one number, sec * K + the (action, page) pair's rank among the pairs the
// lake allows (code-point order, action first; a value outside its set ranks past it): sorting the numbers
// sorts by (second, action, page), since 0 <= rank < K, also for seconds before 1970.
const SORTED_ACTIONS = [...ACTIONS].sort();
const SORTED_PAGES = [...PAGES].sort();
const PAGE_RANKS = SORTED_PAGES.length + 1;
const PAIR_RANKS = (SORTED_ACTIONS.length + 1) * PAGE_RANKS;
const rankOf = (expr: string, sorted: readonly string[]) =>
  `CASE ${expr} ${sorted.map((v, i) => `WHEN '${v}' THEN ${i}`).join(' ')} ELSE ${sorted.length} END`;
const STEP_KEY = `e.sec * ${PAIR_RANKS} + ${rankOf('e.action', SORTED_ACTIONS)} * ${PAGE_RANKS} + ${rankOf('e.page', SORTED_PAGES)}`;
// A step's label as a number: the action's rank, or for a VIEW, past the actions, its page's. Two steps
// have the same label exactly when they have the same number (no action is spelt as a page), so repeats
// are dropped on numbers, and only the ten kept are spelt out (STEP_TEXT): a list looked up inside a
// lambda, per event, cost more than the numbers saved (1M orders, 2026-11-26).
const VIEW_RANK = SORTED_ACTIONS.indexOf('VIEW');
const STEP_ID = `CASE WHEN x // ${PAGE_RANKS} = ${VIEW_RANK} THEN ${SORTED_ACTIONS.length + 1} + x % ${PAGE_RANKS} ELSE x // ${PAGE_RANKS} END`;
const STEP_TEXTS = [...SORTED_ACTIONS, null, ...SORTED_PAGES, null].map((v) =>
  v === null ? 'NULL' : `'${v}'`,
);
const stepText = (id: string) => `[${STEP_TEXTS.join(', ')}][${id} + 1]`;

/**
 * DuckDB SELECT of session rows (the sessions table's columns, in order) from `events`, a relation with
 * clickstream's columns. Events with a session_id are grouped by it; the others per customer_id into
 * sessions that end after SESSION_GAP_MINUTES of inactivity. Exactly the event-level definitions of the
 * session analyses (src/analyses/catalog/parts/sql.ts), which their tests compare against. `orders`
 * (a relation with orders' columns) gives the orders linked to each session: those whose customer has a
 * PURCHASE event in it at exactly the order's order_date (every such session, should there be several).
 * `experiments` (a relation with experiments' columns) gives each session its assignments
 * (the CTEs `assigned` and `assigned_more` below). `multiAssigned`, when given, is a relation whose
 * session_id holds (at least) every session with two or more rows in `experiments`: the others then
 * take their one row by a plain join, without grouping experiments (what a full computation does).
 */
export function sessionRowsSql(
  events: string,
  orders: string,
  experiments: string,
  multiAssigned?: string,
): string {
  const gap = SESSION_GAP_MINUTES * 60;
  const funnel = TABLE_FUNNEL.map(([, col], k) => `CAST(t${k + 1} - start_sec AS INTEGER) AS ${col}`);
  const paths = Array.from(
    { length: PATH_COLUMNS },
    (_, i) => `CASE WHEN len(steps) > ${i} THEN ${stepText(`steps[len(steps) - ${i}]`)} END AS path_${i + 1}`,
  );
  const sec = 'CAST(epoch("timestamp") AS BIGINT) AS sec';
  // Every event with its session key. Those with a session_id are read from `events` itself wherever
  // they are needed (a scan with the filters pushed into it, not a copy of every event: a CTE named more
  // than once is materialised); only events without one, keyed by a window, are kept in between.
  const ev = (where: string) => `(SELECT "timestamp" AS ts, session_id AS session, customer_id,
      action, page, device, duration_seconds, ${sec}
    FROM ${events} WHERE session_id IS NOT NULL AND ${where}
    UNION ALL SELECT * FROM dev WHERE ${where})`;
  return `WITH d AS (
    SELECT *, CASE WHEN sec - lag(sec) OVER (PARTITION BY customer_id ORDER BY ts) <= ${gap} THEN 0 ELSE 1 END AS starts
    FROM (SELECT "timestamp" AS ts, customer_id, action, page, device, duration_seconds, ${sec}
      FROM ${events} WHERE session_id IS NULL)
  ),
  -- Among events at one exact time, at most one starts a session (the others' lag is the same second):
  -- it is summed first (starts DESC), so all of them land in the session it starts. Ordered by ts alone,
  -- the two windows could order such ties differently and put one in the previous session (found by
  -- derive-twin.test.ts, 2026-11-26).
  dev AS (
    SELECT ts, concat(customer_id, '~', CAST(sum(starts) OVER (PARTITION BY customer_id ORDER BY ts, starts DESC
        ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW) AS VARCHAR)) AS session,
      customer_id, action, page, device, duration_seconds, sec
    FROM d
  ),
  agg AS (
    -- A derived session's key holds '~', which no lake id does (the ID pattern): one test per session
    -- after the grouping instead of an aggregate over every event.
    SELECT session, contains(session, '~') AS derived,
      min(customer_id) AS customer_id,
      min(${rankKey('device', DEVICES)}) AS device_key,
      min(ts) AS started, max(ts) AS last_event,
      max(sec + duration_seconds) AS end_sec,
      count(*) AS events,
      count(*) FILTER (WHERE action = 'VIEW') AS page_views,
      min(sec) FILTER (WHERE action = 'VIEW') AS t1,
      min(sec) FILTER (WHERE action = 'ADD_TO_CART') AS c1,
      min(sec) FILTER (WHERE action = 'CHECKOUT') AS k1,
      min(sec) FILTER (WHERE action = 'PURCHASE') AS psec,
      max(${rankKey(LABEL, LABELS)}) AS exit_key
    FROM ${ev('true')} GROUP BY session
  ),
  -- The funnel's step k is the first second of its action at or after step k - 1's. When each action's
  -- first second is at or after the previous action's first second (every session of the generated data),
  -- that first second is the step's: plain minimums, no list of seconds per session (the lists cost
  -- about a third of the grouping at 1M orders). Sessions where one comes earlier ('irregular') get
  -- their steps from lists of their own step seconds, gathered in the purchase paths' pass below.
  f1 AS (SELECT *, coalesce(c1 < t1, false) OR coalesce(k1 < c1, false) OR coalesce(psec < k1, false) AS irregular
    FROM agg),
  -- Purchase paths only for purchasing sessions (13 % of them at 1M orders): their events up to the first
  -- purchase's second, sorted by (second, action, page), with each repeat of the previous label dropped. An
  -- unordered list sorted afterwards: list(... ORDER BY ...) keeps a sorted state per group, which
  -- took half the derivation's CPU and most of its memory at 1M orders. Each event is one BIGINT
  -- (STEP_KEY), not a struct of its second, action and page: a list of numbers to gather and sort.
  walk AS (
    SELECT e.session, any_value(a.t1) AS t1,
      list_sort(list(${STEP_KEY}) FILTER (WHERE e.sec <= a.psec)) AS evs,
      list(e.sec) FILTER (WHERE a.irregular AND e.action = 'ADD_TO_CART') AS c,
      list(e.sec) FILTER (WHERE a.irregular AND e.action = 'CHECKOUT') AS k,
      list(e.sec) FILTER (WHERE a.irregular AND e.action = 'PURCHASE') AS p
    FROM ${ev('true')} e
    JOIN (SELECT session, t1, psec, irregular FROM f1 WHERE psec IS NOT NULL OR irregular) a
      ON a.session = e.session AND (a.irregular OR e.sec <= a.psec)
    GROUP BY e.session
  ),
  l2 AS (SELECT session, evs, k, p, list_min(list_filter(c, lambda x: x >= t1)) AS t2 FROM walk),
  l3 AS (SELECT session, evs, p, t2, list_min(list_filter(k, lambda x: x >= t2)) AS t3 FROM l2),
  l4 AS (SELECT session, evs, t2, t3, list_min(list_filter(p, lambda x: x >= t3)) AS t4 FROM l3),
  -- The purchase path's labels and its columns, computed here for the purchasing sessions only (not
  -- over every session's NULL lists in the final projection: ~0.4 s of 4.5 s at 1M orders).
  l5 AS (SELECT session, t2, t3, t4,
      list_transform(list_transform(evs, lambda x: ((x % ${PAIR_RANKS}) + ${PAIR_RANKS}) % ${PAIR_RANKS}),
        lambda x: ${STEP_ID}) AS labels FROM l4),
  l6 AS (SELECT session, t2, t3, t4, list_filter(labels, lambda x, i: i = 1 OR x <> labels[i - 1]) AS steps FROM l5),
  linked AS (
    SELECT b.session, count(DISTINCT o.order_id) AS orders, sum(o.total_amount) AS revenue
    FROM (SELECT DISTINCT session, customer_id, ts FROM ${ev("action = 'PURCHASE'")}) b
    JOIN ${orders} o ON o.customer_id = b.customer_id AND o.order_date = b.ts
    GROUP BY b.session
  ),
  -- Every linked session has a PURCHASE event, so it is one of walk's: the orders are joined to the few
  -- walked sessions, and the result once to every session (one join over all sessions, not two).
  bought AS (
    SELECT l6.session, l6.t2, l6.t3, l6.t4, CAST(len(steps) AS INTEGER) AS path_steps,
      ${paths.join(',\n      ')},
      l.orders, l.revenue
    FROM l6 LEFT JOIN linked l ON l.session = l6.session
  ),
  -- The first second and whether the session purchased follow from started and psec (epoch seconds
  -- rise with the time, so the least second is the least time's): two aggregates fewer over every event.
  f5 AS (SELECT f1.*, CAST(epoch(started) AS BIGINT) AS start_sec, CASE WHEN psec IS NULL THEN 0 ELSE 1 END AS purchased,
      CASE WHEN irregular THEN b.t2 WHEN c1 >= f1.t1 THEN c1 END AS t2,
      CASE WHEN irregular THEN b.t3 WHEN k1 >= c1 AND c1 >= f1.t1 THEN k1 END AS t3,
      CASE WHEN irregular THEN b.t4 WHEN psec >= k1 AND k1 >= c1 AND c1 >= f1.t1 THEN psec END AS t4,
      ${rankValue('device_key', DEVICES)} AS device,
      ${rankValue('exit_key', LABELS)} AS exit_label,
      b.path_steps, ${Array.from({ length: PATH_COLUMNS }, (_, i) => `b.path_${i + 1}`).join(', ')},
      b.orders, b.revenue
    FROM f1 LEFT JOIN bought b ON b.session = f1.session),
  ${assignedCte(experiments, multiAssigned)}
  SELECT
    CASE WHEN f5.derived THEN concat(f5.customer_id, '~', CAST(epoch_us(f5.started) AS VARCHAR))
      ELSE f5.session END AS session_id,
    f5.customer_id, f5.device, f5.started, f5.last_event,
    CAST(f5.end_sec - f5.start_sec AS INTEGER) AS duration_seconds, CAST(f5.events AS INTEGER) AS events,
    CAST(f5.page_views AS INTEGER) AS page_views, CAST(f5.purchased AS INTEGER) AS purchased,
    ${funnel.join(', ')},
    f5.exit_label, f5.path_steps,
    ${Array.from({ length: PATH_COLUMNS }, (_, i) => `f5.path_${i + 1}`).join(', ')},
    CAST(coalesce(f5.orders, 0) AS INTEGER) AS orders,
    CAST(coalesce(f5.revenue, 0) AS ${MONEY_SQL_TYPE}) AS revenue,
    coalesce(x.assignments, xm.assignments, '') AS assignments
  FROM f5 LEFT JOIN assigned x ON x.session = f5.session
    LEFT JOIN assigned_more xm ON xm.session = f5.session`;
}

/** Separator between a session's assignments in the sessions table's `assignments` column. */
export const ASSIGNMENT_SEPARATOR = ',';
/** Separator between an assignment's experiment and variant in the `assignments` column. */
export const VARIANT_SEPARATOR = '=';

/**
 * CTEs `assigned` and `assigned_more`: per session the experiments relation names, its assignments as
 * one text, `experiment=variant` pairs joined by ',' in (experiment, variant) order: exact, since
 * experiment and variant are lake ids (letters, digits, _ . : -), which hold neither separator, and the
 * experiments table's key (experiment, session_id) gives a session at most one variant per experiment.
 * Text (not a list or map) so that every engine reads it alike; the analyses split it (src/analyses,
 * ab-test). Derived sessions (ids with '~', which no lake id holds) are never assigned. Only the
 * sessions in `agg` are grouped: a refresh of a few sessions, or a pass over part of the events, scans
 * experiments but groups only theirs.
 */
function assignedCte(experiments: string, multiAssigned: string | undefined): string {
  const more = (sessions: string) => `assigned_more AS (
    SELECT session, array_to_string(list_transform(list_sort(pairs),
        lambda p: concat(p.e, '${VARIANT_SEPARATOR}', p.v)), '${ASSIGNMENT_SEPARATOR}') AS assignments
    FROM (SELECT x.session_id AS session, list(struct_pack(e := x.experiment, v := x.variant)) AS pairs
      FROM ${experiments} x SEMI JOIN (${sessions}) m ON m.session = x.session_id
      GROUP BY x.session_id)
  )`;
  if (multiAssigned !== undefined)
    // The sessions in one experiment have one row each there: taken as they are, without grouping them
    // (5 % of a one-pass derivation at 1M orders, 2026-11-26). The semi-join stays: it builds on the
    // sessions derived, so a range pass reads only its sessions' row groups of experiments (a plain
    // LEFT JOIN built on all of experiments instead: 45 % of a 12-hour range's pass at 1M orders).
    return `assigned AS (
    SELECT session_id AS session, concat(experiment, '${VARIANT_SEPARATOR}', variant) AS assignments
    FROM ${experiments} x SEMI JOIN (SELECT session FROM agg WHERE NOT derived) a ON a.session = x.session_id
      ANTI JOIN ${multiAssigned} m ON m.session_id = x.session_id
  ),
  ${more(`SELECT agg.session FROM agg SEMI JOIN ${multiAssigned} mm ON mm.session_id = agg.session WHERE NOT agg.derived`)}`;
  // A session in one experiment (nearly all: the generated data has no other) gets its text from plain
  // aggregates of its group, which need no order: its one experiment and variant. Only the others
  // build a list of pairs, sorted (structs sort by experiment, then variant). A list for every session
  // cost a fifth of the full computation at 1M orders, and min/arg_min over the texts (to cover two
  // experiments as well) twice these aggregates (2026-11-26). Plain equi-joins only: a condition on one
  // side in a join's ON made DuckDB loop over pairs (minutes at 1M orders).
  return `assigned AS (
    SELECT session_id AS session, count(*) AS n,
      CASE WHEN count(*) = 1 THEN concat(any_value(experiment), '${VARIANT_SEPARATOR}', any_value(variant)) END AS assignments
    FROM ${experiments} x SEMI JOIN (SELECT session FROM agg WHERE NOT derived) a ON a.session = x.session_id
    GROUP BY session_id
  ),
  ${more('SELECT session FROM assigned WHERE n > 1')}`;
}
