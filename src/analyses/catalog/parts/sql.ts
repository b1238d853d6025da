import { DEVICES, SESSION_GAP_MINUTES } from '../../../lake/index.js';
import { dateRangeSql } from '../../params.js';

/*
 * Values never enter SQL text: they are bound as `:name` parameters. What an analysis does build into its
 * SQL comes from the two helpers below, which accept only constants written in the code (enum values,
 * fragments chosen by key), so a user's input can select a piece of SQL but never write one.
 */

/** A SQL string literal for a value of a closed set of constants (enum values); any other value is a bug. */
export function constantSql(allowed: readonly string[], value: string): string {
  if (!allowed.includes(value))
    throw new Error(`'${value}' is not one of the constants ${allowed.join(', ')}`);
  return `'${value.replaceAll("'", "''")}'`;
}

/** The SQL fragment written in the code for `key` among a fixed set of choices; any other key is a bug. */
export function choiceSql<K extends string>(choices: Readonly<Record<K, string>>, key: K): string {
  if (!Object.hasOwn(choices, key))
    throw new Error(`'${key}' is not one of ${Object.keys(choices).join(', ')}`);
  return choices[key];
}

/**
 * Division that means the same on every engine: the numerator is made DOUBLE, so no engine divides
 * integers (or decimals with its own result scale).
 */
export function ratioSql(numerator: string, denominator: string): string {
  return `CAST(${numerator} AS DOUBLE) / ${denominator}`;
}

/** Minutes of inactivity that end a derived session (for events without a session_id); the lake's rule. */
export { SESSION_GAP_MINUTES };

/**
 * Seconds since 1970-01-01 of a TIMESTAMP column. `epoch_seconds` is defined by every engine (DuckDB:
 * epoch(), Spark: bround(unix_micros() / 1e6), both rounding half to even), since the engines share no
 * function for it; computing it from
 * calendar parts instead cost several seconds on 40M events.
 */
export function epochSecondsSql(col: string): string {
  return `epoch_seconds(${col})`;
}

/**
 * CTEs `derived` and `ev`: clickstream events inside the optional [:from, :to] range, each with a `session`
 * key and `sec` (epoch seconds). Events with a session_id keep it; the others are grouped per
 * customer_id into sessions that end after 30 minutes of inactivity, keyed `<customer_id>~<n>`.
 *
 * With `edge`, only the events of the sessions in CTE `edge` (sessionsEdgeSql) are taken: the sessions
 * the range cuts, which the sessions table cannot answer for (see sessionsTableSql).
 *
 * Each branch reads clickstream itself, filtered by whether session_id is present. One CTE of all events
 * referenced by both branches was materialised, a copy of every event in range: at 40M events that copy
 * was most of a query that wants only a few of them (purchases-by-device: 2.05 s against 1.19 s for
 * counting session_id alone), and a filter of the caller's (action = 'PURCHASE') now reaches the scan of
 * the events that carry an id.
 */
export function sessionizedEventsSql(options: { edge?: boolean } = {}): string {
  const gap = SESSION_GAP_MINUTES * 60;
  const columns = (session: string) => `c."timestamp" AS ts, ${session} AS session, c.customer_id, c.action,
      c.page, c.product_id, c.device, c.duration_seconds, ${epochSecondsSql('c."timestamp"')} AS sec`;
  const range = dateRangeSql('c."timestamp"');
  const withIds = options.edge
    ? `FROM clickstream c JOIN edge g ON g.session_id = c.session_id WHERE ${range}`
    : `FROM clickstream c WHERE c.session_id IS NOT NULL AND ${range}`;
  const withoutIds = options.edge
    ? `FROM clickstream c JOIN edge g ON c.session_id IS NULL AND g.derived = 1
      AND g.customer_id = c.customer_id AND c."timestamp" >= g.started AND c."timestamp" <= g.last_event
    WHERE ${range}`
    : `FROM clickstream c WHERE c.session_id IS NULL AND ${range}`;
  return `derived AS (
    SELECT d.*, CASE WHEN sec - lag(sec) OVER (PARTITION BY customer_id ORDER BY ts) <= ${gap} THEN 0 ELSE 1 END AS starts
    FROM (SELECT ${columns('c.session_id')} ${withoutIds}) d
  ),
  ev AS (
    SELECT ${columns('c.session_id')} ${withIds}
    UNION ALL
    -- Among events at one exact time at most one starts a session (the other events at that time have a gap of 0): it is summed
    -- first (starts DESC), so all of them land in the session it starts. Ordered by ts alone, the two
    -- windows could order such ties each their own way (parts/sessionized-ties.test.ts).
    SELECT ts, concat(customer_id, '~', CAST(sum(starts) OVER (PARTITION BY customer_id ORDER BY ts, starts DESC
        ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW) AS STRING)) AS session,
      customer_id, action, page, product_id, device, duration_seconds, sec
    FROM derived
  )`;
}

/** Rows of the sessions table whose whole session lies inside the optional [:from, :to] range. */
export const INSIDE_RANGE_SQL = `(:from IS NULL OR started >= CAST(:from AS TIMESTAMP))
    AND (:to IS NULL OR last_event < CAST(:to AS TIMESTAMP) + INTERVAL 1 DAY)`;

/**
 * CTE `edge`: the sessions of the sessions table that the optional [:from, :to] range cuts (they start
 * before it and end in it, or start in it and end after it), with `derived` 1 for those without a
 * session_id. The event-level definitions sessionize only the events inside the range, so these
 * sessions are recomputed from their events in the range (sessionizedEventsSql({ edge: true })); every
 * other session in the range is exactly its table row. Empty without a range.
 */
export function sessionsEdgeSql(options: { assignments?: boolean } = {}): string {
  return `edge AS (
    SELECT session_id, customer_id, started, last_event,${options.assignments ? ' assignments,' : ''}
      CASE WHEN instr(session_id, '~') > 0 THEN 1 ELSE 0 END AS derived
    FROM sessions
    WHERE NOT (${INSIDE_RANGE_SQL})
      AND (:from IS NULL OR last_event >= CAST(:from AS TIMESTAMP))
      AND (:to IS NULL OR started < CAST(:to AS TIMESTAMP) + INTERVAL 1 DAY)
  )`;
}

/**
 * CTEs up to `sess`, one row per session in the optional [:from, :to] range (columns as sessionsSql):
 * read from the sessions table, except the sessions the range cuts, recomputed from their events.
 * Identical to sessionsSql over sessionizedEventsSql() (the analyses' tests compare both). With
 * `assignments`, `sess` also has the table's assignments column: a cut session keeps its row's (they
 * depend on its id alone), a cut derived session has none ('') as in the table.
 */
export function sessionsTableSql(options: { assignments?: boolean } = {}): string {
  const [own, cut] = options.assignments
    ? [
        ', assignments',
        `, CASE WHEN instr(e.session, '~') > 0 THEN '' ELSE g.assignments END AS assignments
    FROM sess_edge e LEFT JOIN edge g ON g.session_id = e.session`,
      ]
    : ['', ' FROM sess_edge e'];
  return `${sessionsEdgeSql(options)}, ${sessionizedEventsSql({ edge: true })}, ${sessionsSql('sess_edge')},
  sess AS (
    SELECT session_id AS session, device, customer_id, started, duration_seconds AS seconds, events,
      page_views, purchased${own}
    FROM sessions WHERE ${INSIDE_RANGE_SQL}
    UNION ALL
    SELECT e.session, e.device, e.customer_id, e.started, e.seconds, e.events, e.page_views, e.purchased${cut}
  )`;
}

/**
 * Aggregate (or, with `over`, window) expression for the value of `expr` at the earliest (`min_by`) or
 * latest (`max_by`) `sec` of the group. min_by(expr, sec) alone picks any of the values that share that
 * second, so the same data could give different answers; here ties go to the first value (earliest) or
 * the last (latest) in code-point order (alphabetical for the lower-case devices). The key is sec · k +
 * the value's rank among `values`, a closed set the lake enforces (a value outside it would rank last):
 * a numeric key is as fast as plain min_by, where a text key (padded second + value) measured 2–3× slower
 * on 4M events.
 */
export function valueAtSql(
  by: 'min_by' | 'max_by',
  expr: string,
  sec: string,
  values: readonly string[],
  over = '',
): string {
  const sorted = [...new Set(values)].sort();
  const whens = sorted.map((v, i) => `WHEN ${constantSql(sorted, v)} THEN ${i}`).join(' ');
  return `${by}(${expr}, ${sec} * ${sorted.length + 1} + CASE (${expr}) ${whens} ELSE ${sorted.length} END)${over}`;
}

/** The device of a session's first event; among events of the first second, the alphabetically first. */
export function firstDeviceSql(device: string, sec: string, over = ''): string {
  return valueAtSql('min_by', device, sec, DEVICES, over);
}

/**
 * CTE `sess`: one row per session with its device (of the first event), customer, first event time,
 * length in seconds (first event to the end of the last one), event and page-view counts, and whether
 * it purchased. Needs the CTEs of sessionizedEventsSql().
 */
export function sessionsSql(name = 'sess'): string {
  return `${name} AS (
    SELECT session,
      ${firstDeviceSql('device', 'sec')} AS device,
      min(customer_id) AS customer_id,
      min(ts) AS started,
      max(sec + duration_seconds) - min(sec) AS seconds,
      count(*) AS events,
      sum(CASE WHEN action = 'VIEW' THEN 1 ELSE 0 END) AS page_views,
      max(CASE WHEN action = 'PURCHASE' THEN 1 ELSE 0 END) AS purchased
    FROM ev
    GROUP BY session
  )`;
}
