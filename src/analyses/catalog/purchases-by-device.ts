import { z } from 'zod';
import { formatNumber } from '../number-format.js';
import { dateRangeSql, param } from '../params.js';
import { defineAnalysis } from '../types.js';

/** Seed scenario 4: PURCHASE events per device. */
export default defineAnalysis({
  name: 'purchases-by-device',
  description: 'PURCHASE events per device, most first (seed scenario 4)',
  params: z.object({ from: param.from, to: param.to }),
  row: z.object({ device: z.string(), purchases: z.number().int(), sessions: z.number().int() }),
  sql: () => `
    SELECT device, count(*) AS purchases, count(DISTINCT session_id) AS sessions
    FROM clickstream
    WHERE action = 'PURCHASE' AND ${dateRangeSql('"timestamp"')}
    GROUP BY device
    ORDER BY purchases DESC, device`,
  render: (rows) => rows.map((r) => `${r.device}: ${formatNumber(r.purchases)} purchases`),
});
