/**
 * The session analyses as they were defined before the sessions table: SQL over clickstream events alone,
 * kept here as the independent reference the table-backed analyses are compared with. It shares no SQL
 * with them on purpose (its own sessionization, its own per-session aggregates); only the small
 * constant helpers (quoting a closed set, the tie-breaking key) come from parts/sql.ts.
 */
import { ACTIONS, PAGES } from '../../../lake/index.js';
import { dateRangeSql } from '../../params.js';
import { constantSql, firstDeviceSql, ratioSql, valueAtSql } from './sql.js';

const EVENTS = `ev0 AS (
    SELECT "timestamp" AS ts, session_id, customer_id, action, page, product_id, device, duration_seconds,
      epoch_seconds("timestamp") AS sec
    FROM clickstream
    WHERE ${dateRangeSql('"timestamp"')}
  ),
  derived AS (
    SELECT ev0.*,
      CASE WHEN sec - lag(sec) OVER (PARTITION BY customer_id ORDER BY ts) <= 1800 THEN 0 ELSE 1 END AS starts
    FROM ev0 WHERE session_id IS NULL
  ),
  ev AS (
    SELECT ts, session_id AS session, customer_id, action, page, product_id, device, duration_seconds, sec
    FROM ev0 WHERE session_id IS NOT NULL
    UNION ALL
    -- A session's number counts the starts up to and including its time's peers (RANGE, not ROWS), so
    -- events at one exact time share one number whatever order the window gives them.
    SELECT ts, concat(customer_id, '~', CAST(sum(starts) OVER (PARTITION BY customer_id ORDER BY ts
        RANGE BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW) AS STRING)) AS session,
      customer_id, action, page, product_id, device, duration_seconds, sec
    FROM derived
  )`;

const SESS = `sess AS (
    SELECT session, ${firstDeviceSql('device', 'sec')} AS device, min(customer_id) AS customer_id,
      min(ts) AS started, max(sec + duration_seconds) - min(sec) AS seconds, count(*) AS events,
      sum(CASE WHEN action = 'VIEW' THEN 1 ELSE 0 END) AS page_views,
      max(CASE WHEN action = 'PURCHASE' THEN 1 ELSE 0 END) AS purchased
    FROM ev GROUP BY session
  )`;

const LABEL = "CASE WHEN action = 'VIEW' THEN page ELSE action END";

type Params = Record<string, unknown>;

/** The event-level SQL of a session analysis for these (parsed) parameters. */
export function eventLevelSql(name: string, p: Params): string {
  switch (name) {
    case 'sessions': {
      const by = String(p.by);
      const day = by.includes('day') ? 'CAST(CAST(local_time(started, :tz) AS DATE) AS STRING)' : "'all'";
      const device = by.includes('device') ? 'device' : "'all'";
      return `WITH ${EVENTS}, ${SESS}
        SELECT ${day} AS day, ${device} AS device, count(*) AS sessions,
          CAST(round(avg(seconds), 1) AS DOUBLE) AS avg_seconds,
          CAST(percentile_cont(0.5) WITHIN GROUP (ORDER BY seconds) AS DOUBLE) AS median_seconds,
          CAST(round(avg(page_views), 2) AS DOUBLE) AS avg_page_views,
          CAST(round(avg(CAST(CASE WHEN events = 1 THEN 1 ELSE 0 END AS DOUBLE)), 4) AS DOUBLE) AS bounce_rate,
          CAST(round(avg(CAST(purchased AS DOUBLE)), 4) AS DOUBLE) AS purchase_rate
        FROM sess GROUP BY 1, 2 ORDER BY 1, 2`;
    }
    case 'conversion-by-device':
      return `WITH ${EVENTS}, ${SESS}
        SELECT device, count(*) AS sessions, CAST(sum(purchased) AS BIGINT) AS purchasing_sessions
        FROM sess GROUP BY device ORDER BY device`;
    case 'ab-test':
      return `WITH ${EVENTS}, ${SESS}
        SELECT x.experiment, x.variant, concat(x.experiment, '=', x.variant) AS assignments, count(*) AS sessions,
          CAST(sum(s.purchased) AS BIGINT) AS conversions
        FROM experiments x JOIN sess s ON s.session = x.session_id
        WHERE (:experiment IS NULL OR x.experiment = :experiment) AND x.variant IN ('A', 'B')
        GROUP BY x.experiment, x.variant ORDER BY x.experiment, x.variant`;
    case 'funnel':
      return funnelSql(p);
    case 'user-paths':
      return userPathsSql(p);
    default:
      throw new Error(`no event-level reference for ${name}`);
  }
}

function funnelSql(p: Params): string {
  const steps = p.steps as string[];
  const by = String(p.by);
  const unit = by === 'product' ? "concat(ev.session, '|', ev.product_id)" : 'ev.session';
  const segment =
    by === 'device'
      ? firstDeviceSql('ev.device', 'ev.sec', ' OVER (PARTITION BY ev.session)')
      : by === 'region'
        ? "coalesce(c.region, CASE WHEN ev.customer_id = 'GUEST' THEN 'GUEST' ELSE 'UNKNOWN' END)"
        : by === 'product'
          ? 'ev.product_id'
          : "'all'";
  const join = by === 'region' ? 'LEFT JOIN customers c ON c.customer_id = ev.customer_id' : '';
  const step = (k: number) => constantSql(ACTIONS, steps[k] ?? '');
  const inSteps = [...new Set(steps)].map((s) => constantSql(ACTIONS, s)).join(', ');
  const where = `WHERE action IN (${inSteps})${by === 'product' ? ' AND product_id IS NOT NULL' : ''}`;
  const ctes = [
    `u AS (SELECT unit, segment, action, sec FROM (
        SELECT ${unit} AS unit, ${segment} AS segment, ev.action, ev.product_id, ev.sec FROM ev ${join}) x ${where})`,
    `s1 AS (SELECT unit, min(segment) AS segment, min(sec) AS t1, min(sec) AS t, CAST(NULL AS DOUBLE) AS dt
      FROM u WHERE action = ${step(0)} GROUP BY unit)`,
  ];
  for (let k = 1; k < steps.length; k++) {
    const after = steps[k] === steps[k - 1] ? '>' : '>=';
    ctes.push(`s${k + 1} AS (
      SELECT q.unit, min(q.segment) AS segment, min(q.t1) AS t1, min(u.sec) AS t, CAST(min(u.sec) - min(q.t) AS DOUBLE) AS dt
      FROM s${k} q JOIN u ON u.unit = q.unit AND u.action = ${step(k)} AND u.sec ${after} q.t
        AND (:stepWindowMinutes IS NULL OR u.sec - q.t <= :stepWindowMinutes * 60)
        AND (:windowMinutes IS NULL OR u.sec - q.t1 <= :windowMinutes * 60)
      GROUP BY q.unit)`);
  }
  const selects = steps.map(
    (_, k) => `SELECT ${k + 1} AS step, ${step(k)} AS action, segment, count(*) AS sessions,
      percentile_cont(0.5) WITHIN GROUP (ORDER BY dt) AS median_dt FROM s${k + 1} GROUP BY segment`,
  );
  return `WITH ${EVENTS}, ${ctes.join(',\n')} ${selects.join('\nUNION ALL\n')} ORDER BY segment, step`;
}

function userPathsSql(p: Params): string {
  const depth = Number(p.depth);
  const tail = `SELECT path, count(*) AS sessions, CAST(round(${ratioSql('count(*)', 'sum(count(*)) OVER ()')}, 4) AS DOUBLE) AS share
    FROM paths GROUP BY path ORDER BY sessions DESC, path LIMIT CAST(:limit AS INTEGER)`;
  if (p.show === 'exits') {
    return `WITH ${EVENTS},
      paths AS (
        SELECT session, ${valueAtSql('max_by', LABEL, 'sec', [...PAGES, ...ACTIONS])} AS path
        FROM ev GROUP BY session HAVING max(CASE WHEN action = 'PURCHASE' THEN 1 ELSE 0 END) = 0
      ) ${tail}`;
  }
  const cols = Array.from({ length: depth }, (_, i) => depth - i);
  return `WITH ${EVENTS},
    firstp AS (SELECT session, min(sec) AS psec FROM ev WHERE action = 'PURCHASE' GROUP BY session),
    steps AS (
      SELECT e.session, e.sec, CASE WHEN e.action = 'VIEW' THEN e.page ELSE e.action END AS label,
        row_number() OVER (PARTITION BY e.session ORDER BY e.sec, e.action, e.page) AS seq
      FROM ev e JOIN firstp f ON f.session = e.session AND e.sec <= f.psec
    ),
    dedup AS (SELECT session, seq, label, lag(label) OVER (PARTITION BY session ORDER BY seq) AS prev FROM steps),
    kept AS (
      SELECT session, label, row_number() OVER (PARTITION BY session ORDER BY seq DESC) AS back
      FROM dedup WHERE prev IS NULL OR prev <> label
    ),
    wide AS (
      SELECT session, max(back) AS n, ${cols.map((k) => `max(CASE WHEN back = ${k} THEN label END) AS l${k}`).join(', ')}
      FROM kept GROUP BY session
    ),
    paths AS (
      SELECT session, concat_ws(' > ', CASE WHEN n > ${depth} THEN '…' END, ${cols.map((k) => `l${k}`).join(', ')}) AS path
      FROM wide
    ) ${tail}`;
}
