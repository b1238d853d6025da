import { z } from 'zod';
import { ACTIONS, TABLE_FUNNEL } from '../../lake/index.js';
import { param } from '../params.js';
import { defineAnalysis } from '../types.js';
import {
  constantSql,
  firstDeviceSql,
  INSIDE_RANGE_SQL,
  sessionizedEventsSql,
  sessionsEdgeSql,
} from './parts/sql.js';

const DEFAULT_STEPS = TABLE_FUNNEL.map(([action]) => action);

const steps = z
  .string()
  .default(DEFAULT_STEPS.join(','))
  .transform((s) => s.split(',').map((x) => x.trim().toUpperCase()))
  .pipe(z.array(z.enum(ACTIONS)).min(2, 'give at least two steps').max(8, 'give at most eight steps'))
  .describe(`comma-separated actions in order (default ${DEFAULT_STEPS.join(',')})`);

const minutes = (what: string) => z.coerce.number().positive().max(525_600).optional().describe(what);

/**
 * Segment expression and unit key per split; a product split follows each (session, product) pair. The
 * device is the session's (its first event's, ties broken as in sessions), taken before events of other
 * actions are dropped.
 */
const SPLITS = {
  none: { unit: 'ev.session', segment: "'all'" },
  device: {
    unit: 'ev.session',
    segment: firstDeviceSql('ev.device', 'ev.sec', ' OVER (PARTITION BY ev.session)'),
  },
  region: {
    unit: 'ev.session',
    segment: "coalesce(c.region, CASE WHEN ev.customer_id = 'GUEST' THEN 'GUEST' ELSE 'UNKNOWN' END)",
  },
  product: { unit: "concat(ev.session, '|', ev.product_id)", segment: 'ev.product_id' },
} as const;
type Split = keyof typeof SPLITS;

const row = z.object({
  segment: z.string(),
  step: z.number().int(),
  action: z.string(),
  sessions: z.number().int(),
  conversion_from_previous: z.number().nullable(),
  conversion_from_first: z.number().nullable(),
  median_seconds_from_previous: z.number().nullable(),
});

/** Ordered conversion funnel over sessions, optionally within conversion windows and split by a dimension. */
export default defineAnalysis({
  name: 'funnel',
  description:
    'Sessions reaching each step in order (default VIEW → ADD_TO_CART → CHECKOUT → PURCHASE), by segment',
  params: z.object({
    from: param.from,
    to: param.to,
    steps,
    windowMinutes: minutes('maximum minutes from the first step to any later step (default: no limit)'),
    stepWindowMinutes: minutes('maximum minutes between consecutive steps (default: no limit)'),
    by: z
      .enum(Object.keys(SPLITS) as [Split, ...Split[]])
      .default('none')
      .describe('split by device, region or product (default none)'),
  }),
  row,
  unbound: { steps: 'shape', by: 'shape' },
  sql: (p) => {
    const split = SPLITS[p.by];
    const join = p.by === 'region' ? 'LEFT JOIN customers c ON c.customer_id = ev.customer_id' : '';
    // Steps are actions (the schema checks them); constantSql writes them as literals of that closed set.
    const step = (k: number) => constantSql(ACTIONS, p.steps[k] ?? '');
    const inSteps = [...new Set(p.steps)].map((s) => constantSql(ACTIONS, s)).join(', ');
    // Events of other actions cannot be a step: drop them before the joins (after the segment is known).
    const where = `WHERE action IN (${inSteps})${p.by === 'product' ? ' AND product_id IS NOT NULL' : ''}`;
    const table = fromTable(p);
    const ctes = [
      `u AS (SELECT unit, segment, action, sec FROM (
          SELECT ${split.unit} AS unit, ${split.segment} AS segment, ev.action, ev.product_id, ev.sec
          FROM ev ${join}) x
        ${where})`,
      `s1 AS (SELECT unit, min(segment) AS segment, min(sec) AS t1, min(sec) AS t, CAST(NULL AS DOUBLE) AS dt
        FROM u WHERE action = ${step(0)} GROUP BY unit)`,
    ];
    for (let k = 1; k < p.steps.length; k++) {
      const after = p.steps[k] === p.steps[k - 1] ? '>' : '>=';
      ctes.push(`s${k + 1} AS (
        SELECT q.unit, min(q.segment) AS segment, min(q.t1) AS t1, min(u.sec) AS t,
          CAST(min(u.sec) - min(q.t) AS DOUBLE) AS dt
        FROM s${k} q JOIN u ON u.unit = q.unit AND u.action = ${step(k)} AND u.sec ${after} q.t
          AND (:stepWindowMinutes IS NULL OR u.sec - q.t <= :stepWindowMinutes * 60)
          AND (:windowMinutes IS NULL OR u.sec - q.t1 <= :windowMinutes * 60)
        GROUP BY q.unit)`);
    }
    const events = table
      ? `${sessionsEdgeSql()}, ${sessionizedEventsSql({ edge: true })}`
      : sessionizedEventsSql();
    if (table) {
      // The sessions table holds each session's default-funnel step times: sessions wholly in the range
      // come from it, the ones the range cuts from their events (the chain above, over `edge` only).
      // One row per unit with the seconds from each step to the next (NULL once a step is not reached),
      // so a single pass counts every step and takes every median.
      const segment = p.by === 'device' ? 'device' : "'all'";
      const at = TABLE_FUNNEL.map(([, col]) => col);
      const gaps = at.slice(1).map((col, k) => `CAST(${col} - ${at[k]} AS DOUBLE) AS dt${k + 2}`);
      const edgeGaps = at.slice(1).map((_, k) => `s${k + 2}.dt AS dt${k + 2}`);
      const edgeJoins = at
        .slice(1)
        .map((_, k) => `LEFT JOIN s${k + 2} ON s${k + 2}.unit = s1.unit`)
        .join(' ');
      ctes.push(`units AS (
        SELECT ${segment} AS segment, ${gaps.join(', ')}
        FROM sessions WHERE ${INSIDE_RANGE_SQL} AND ${at[0]} IS NOT NULL
        UNION ALL
        SELECT s1.segment, ${edgeGaps.join(', ')} FROM s1 ${edgeJoins}
      )`);
      ctes.push(`agg AS (SELECT segment, count(*) AS n1,
        ${at
          .slice(1)
          .map(
            (_, k) =>
              `count(dt${k + 2}) AS n${k + 2}, percentile_cont(0.5) WITHIN GROUP (ORDER BY dt${k + 2}) AS m${k + 2}`,
          )
          .join(', ')}
        FROM units GROUP BY segment)`);
      const selects = at.map(
        (_, k) => `SELECT ${k + 1} AS step, ${step(k)} AS action, segment, n${k + 1} AS sessions,
        ${k === 0 ? 'CAST(NULL AS DOUBLE)' : `m${k + 1}`} AS median_dt FROM agg`,
      );
      return `
    WITH ${events}, ${ctes.join(',\n')}
    ${selects.join('\nUNION ALL\n')}
    ORDER BY segment, step`;
    }
    const selects = p.steps.map(
      (_, k) => `SELECT ${k + 1} AS step, ${step(k)} AS action, segment, count(*) AS sessions,
        percentile_cont(0.5) WITHIN GROUP (ORDER BY dt) AS median_dt FROM s${k + 1} GROUP BY segment`,
    );
    return `
    WITH ${events}, ${ctes.join(',\n')}
    ${selects.join('\nUNION ALL\n')}
    ORDER BY segment, step`;
  },
  transform: (rows, p) => {
    const bySegment = new Map<string, Map<number, Record<string, unknown>>>();
    for (const r of rows) {
      const seg = String(r.segment);
      if (!bySegment.has(seg)) bySegment.set(seg, new Map());
      bySegment.get(seg)?.set(Number(r.step), r);
    }
    const out: z.infer<typeof row>[] = [];
    const segments = [...bySegment.keys()].sort((a, b) => {
      const na = Number(bySegment.get(a)?.get(1)?.sessions ?? 0);
      const nb = Number(bySegment.get(b)?.get(1)?.sessions ?? 0);
      return nb - na || a.localeCompare(b);
    });
    for (const segment of segments) {
      const steps = bySegment.get(segment) as Map<number, Record<string, unknown>>;
      const first = Number(steps.get(1)?.sessions ?? 0);
      let previous = first;
      p.steps.forEach((action, k) => {
        const r = steps.get(k + 1);
        const n = Number(r?.sessions ?? 0);
        const dt = r?.median_dt;
        out.push({
          segment,
          step: k + 1,
          action,
          sessions: n,
          conversion_from_previous: k === 0 ? null : ratio(n, previous),
          conversion_from_first: ratio(n, first),
          median_seconds_from_previous: k === 0 || dt === null || dt === undefined ? null : Number(dt),
        });
        previous = n;
      });
    }
    return out;
  },
});

/**
 * Whether the sessions table answers: it holds the default steps' times, per session, without windows.
 * Other step lists, conversion windows, and the region and product splits stay event-level: a window
 * changes which occurrence of a step counts, a product split follows (session, product) pairs, and a
 * region is taken per event's customer (a session_id shared by customers has several), none of which a
 * session's row holds.
 */
function fromTable(p: {
  steps: string[];
  windowMinutes?: number | undefined;
  stepWindowMinutes?: number | undefined;
  by: Split;
}): boolean {
  const defaults = TABLE_FUNNEL.map(([action]) => action);
  return (
    p.steps.length === defaults.length &&
    p.steps.every((s, i) => s === defaults[i]) &&
    p.windowMinutes === undefined &&
    p.stepWindowMinutes === undefined &&
    (p.by === 'none' || p.by === 'device')
  );
}

function ratio(a: number, b: number): number | null {
  return b > 0 ? Math.round((a / b) * 10000) / 10000 : null;
}
