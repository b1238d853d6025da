import { z } from 'zod';
import { param } from '../params.js';
import { wilsonInterval } from '../stats/index.js';
import { defineAnalysis } from '../types.js';
import { sessionsTableSql } from './parts/sql.js';

const round = (x: number) => Math.round(x * 1e6) / 1e6;

/** Session conversion rate per device with a Wilson score interval. */
export default defineAnalysis({
  name: 'conversion-by-device',
  description: 'Sessions with a PURCHASE / sessions, per device, with a Wilson confidence interval',
  params: z.object({
    from: param.from,
    to: param.to,
    confidence: z.coerce.number().gt(0.5).lt(1).default(0.95).describe('confidence level (default 0.95)'),
  }),
  row: z.object({
    device: z.string(),
    sessions: z.number().int(),
    purchasing_sessions: z.number().int(),
    conversion_rate: z.number(),
    ci_low: z.number(),
    ci_high: z.number(),
  }),
  unbound: { confidence: 'transform' },
  sql: () => `
    WITH ${sessionsTableSql()}
    SELECT device, count(*) AS sessions, CAST(sum(purchased) AS BIGINT) AS purchasing_sessions
    FROM sess
    GROUP BY device
    ORDER BY device`,
  transform: (rows, p) =>
    rows
      .map((r) => {
        const n = Number(r.sessions);
        const x = Number(r.purchasing_sessions);
        const ci = wilsonInterval(x, n, p.confidence);
        return {
          device: String(r.device),
          sessions: n,
          purchasing_sessions: x,
          conversion_rate: round(n > 0 ? x / n : 0),
          ci_low: round(ci.low),
          ci_high: round(ci.high),
        };
      })
      .sort((a, b) => b.conversion_rate - a.conversion_rate || a.device.localeCompare(b.device)),
});
