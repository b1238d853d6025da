import { dateRangeSql } from '../../params.js';

/** Minutes of inactivity that end a derived session (for events without a session_id). */
export const SESSION_GAP_MINUTES = 30;

/**
 * Seconds since 1970-01-01 of a TIMESTAMP column. `epoch_seconds` is defined by every engine (DuckDB:
 * epoch(), Spark: unix_seconds()), since the engines share no function for it; computing it from
 * calendar parts instead cost several seconds on 40M events.
 */
export function epochSecondsSql(col: string): string {
  return `epoch_seconds(${col})`;
}

/**
 * CTEs `ev0` and `ev`: clickstream events inside the optional [:from, :to] range, each with a `session`
 * key and `sec` (epoch seconds). Events with a session_id keep it; the others are grouped per
 * customer_id into sessions that end after 30 minutes of inactivity, keyed `<customer_id>~<n>`.
 */
export function sessionizedEventsSql(): string {
  const gap = SESSION_GAP_MINUTES * 60;
  return `ev0 AS (
    SELECT "timestamp" AS ts, session_id, customer_id, action, page, product_id, device, duration_seconds,
      ${epochSecondsSql('"timestamp"')} AS sec
    FROM clickstream
    WHERE ${dateRangeSql('"timestamp"')}
  ),
  derived AS (
    SELECT ev0.*,
      CASE WHEN sec - lag(sec) OVER (PARTITION BY customer_id ORDER BY ts) <= ${gap} THEN 0 ELSE 1 END AS starts
    FROM ev0 WHERE session_id IS NULL
  ),
  ev AS (
    SELECT ts, session_id AS session, customer_id, action, page, product_id, device, duration_seconds, sec
    FROM ev0 WHERE session_id IS NOT NULL
    UNION ALL
    SELECT ts, concat(customer_id, '~', CAST(sum(starts) OVER (PARTITION BY customer_id ORDER BY ts
        ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW) AS STRING)) AS session,
      customer_id, action, page, product_id, device, duration_seconds, sec
    FROM derived
  )`;
}

/**
 * CTE `sess`: one row per session with its device (of the first event), customer, first event time,
 * length in seconds (first event to the end of the last one), event and page-view counts, and whether
 * it purchased. Needs the CTEs of sessionizedEventsSql().
 */
export function sessionsSql(): string {
  return `sess AS (
    SELECT session,
      min_by(device, sec) AS device,
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
