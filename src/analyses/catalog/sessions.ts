import { z } from 'zod';
import { param } from '../params.js';
import { defineAnalysis } from '../types.js';
import { sessionsTableSql } from './parts/sql.js';

const GROUPS = {
  'day-device': ['day', 'device'],
  day: ['day'],
  device: ['device'],
  total: [],
} as const;

/** Sessions per local day and device with their length, depth, bounce and purchase rates. */
export default defineAnalysis({
  name: 'sessions',
  description:
    'Sessions (session_id, or 30 min of inactivity per customer) per day and device: length, pages, bounce, purchase rate',
  params: z.object({
    from: param.from,
    to: param.to,
    tz: param.tz,
    by: z
      .enum(Object.keys(GROUPS) as [keyof typeof GROUPS, ...(keyof typeof GROUPS)[]])
      .default('day-device')
      .describe('group by day-device (default), day, device or total'),
  }),
  row: z.object({
    day: z.string(),
    device: z.string(),
    sessions: z.number().int(),
    avg_seconds: z.number(),
    median_seconds: z.number(),
    avg_page_views: z.number(),
    bounce_rate: z.number(),
    purchase_rate: z.number(),
  }),
  unbound: { by: 'shape' },
  sql: (p) => {
    const keys: readonly string[] = GROUPS[p.by];
    // Grouped by the DATE and made text only for the few groups: text per session (10.8M at 10M orders)
    // cost a third of the query.
    const day = keys.includes('day') ? 'CAST(local_time(started, :tz) AS DATE)' : "'all'";
    const device = keys.includes('device') ? 'device' : "'all'";
    return `
    WITH ${sessionsTableSql()},
    grouped AS (
      SELECT ${day} AS day, ${device} AS device, count(*) AS sessions,
        CAST(round(avg(seconds), 1) AS DOUBLE) AS avg_seconds,
        CAST(percentile_cont(0.5) WITHIN GROUP (ORDER BY seconds) AS DOUBLE) AS median_seconds,
        CAST(round(avg(page_views), 2) AS DOUBLE) AS avg_page_views,
        CAST(round(avg(CAST(CASE WHEN events = 1 THEN 1 ELSE 0 END AS DOUBLE)), 4) AS DOUBLE) AS bounce_rate,
        CAST(round(avg(CAST(purchased AS DOUBLE)), 4) AS DOUBLE) AS purchase_rate
      FROM sess
      GROUP BY 1, 2
    )
    SELECT CAST(day AS STRING) AS day, device, sessions, avg_seconds, median_seconds, avg_page_views,
      bounce_rate, purchase_rate
    FROM grouped
    ORDER BY 1, 2`;
  },
});
