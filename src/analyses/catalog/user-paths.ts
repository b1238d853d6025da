import { z } from 'zod';
import { ACTIONS, PAGES } from '../../lake/index.js';
import { param } from '../params.js';
import { defineAnalysis } from '../types.js';
import {
  INSIDE_RANGE_SQL,
  ratioSql,
  sessionizedEventsSql,
  sessionsEdgeSql,
  valueAtSql,
} from './parts/sql.js';

/**
 * A step's label: the page for page views, the action name for everything else. Events of one second are
 * ordered by action, then page; a session's exit is the label of its last event, and when several events
 * share the last second, the last of their labels in code-point order (upper case sorts before lower).
 */
const LABEL = "CASE WHEN action = 'VIEW' THEN page ELSE action END";

/** Most common step paths into a purchase, or the steps where non-purchasing sessions end. */
export default defineAnalysis({
  name: 'user-paths',
  description:
    'Most common paths (pages and actions) ending in a purchase, or where non-purchasing sessions leave',
  params: z.object({
    from: param.from,
    to: param.to,
    show: z
      .enum(['purchase-paths', 'exits'])
      .default('purchase-paths')
      .describe('purchase-paths (default) or exits'),
    depth: z.coerce
      .number()
      .int()
      .min(2)
      .max(10)
      .default(5)
      .describe('last steps kept in a path (default 5)'),
    limit: param.limit,
  }),
  row: z.object({ path: z.string(), sessions: z.number().int(), share: z.number() }),
  unbound: { show: 'shape', depth: 'shape' },
  sql: (p) => {
    const tail = `
    SELECT path, count(*) AS sessions, CAST(round(${ratioSql('count(*)', 'sum(count(*)) OVER ()')}, 4) AS DOUBLE) AS share
    FROM paths GROUP BY path
    ORDER BY sessions DESC, path
    LIMIT CAST(:limit AS INTEGER)`;
    // Sessions wholly in the range read their exit or purchase path from the sessions table; the ones
    // the range cuts are recomputed from their events in it (`edge`).
    const events = `${sessionsEdgeSql()}, ${sessionizedEventsSql({ edge: true })}`;
    if (p.show === 'exits') {
      return `
    WITH ${events},
    edge_paths AS (
      SELECT session, ${valueAtSql('max_by', LABEL, 'sec', [...PAGES, ...ACTIONS])} AS path
      FROM ev GROUP BY session
      HAVING max(CASE WHEN action = 'PURCHASE' THEN 1 ELSE 0 END) = 0
    ),
    paths AS (
      SELECT session_id AS session, exit_label AS path FROM sessions WHERE ${INSIDE_RANGE_SQL} AND purchased = 0
      UNION ALL SELECT session, path FROM edge_paths
    )${tail}`;
    }
    const cols = Array.from({ length: p.depth }, (_, i) => p.depth - i);
    return `
    WITH ${events},
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
      SELECT session, max(back) AS n,
        ${cols.map((k) => `max(CASE WHEN back = ${k} THEN label END) AS l${k}`).join(', ')}
      FROM kept GROUP BY session
    ),
    paths AS (
      SELECT session_id AS session,
        concat_ws(' > ', CASE WHEN path_steps > ${p.depth} THEN '…' END, ${cols.map((k) => `path_${k}`).join(', ')}) AS path
      FROM sessions WHERE ${INSIDE_RANGE_SQL} AND purchased = 1
      UNION ALL
      SELECT session,
        concat_ws(' > ', CASE WHEN n > ${p.depth} THEN '…' END, ${cols.map((k) => `l${k}`).join(', ')}) AS path
      FROM wide
    )${tail}`;
  },
});
