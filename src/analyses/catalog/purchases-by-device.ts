import { z } from 'zod';
import { formatNumber } from '../number-format.js';
import { param } from '../params.js';
import { defineAnalysis } from '../types.js';
import { sessionizedEventsSql } from './parts/sql.js';

/**
 * Seed scenario 4: PURCHASE events per device. Its sessions are the catalog's sessions: events without a
 * session_id are grouped per customer as everywhere else (sessionizedEventsSql). Counting distinct
 * session_id values left those purchases out: an export without session ids showed 0 sessions.
 */
export default defineAnalysis({
  name: 'purchases-by-device',
  description: 'PURCHASE events per device, most first (seed scenario 4)',
  params: z.object({ from: param.from, to: param.to }),
  row: z.object({ device: z.string(), purchases: z.number().int(), sessions: z.number().int() }),
  sql: () => `
    WITH ${sessionizedEventsSql()}
    SELECT device, count(*) AS purchases, count(DISTINCT session) AS sessions
    FROM ev
    WHERE action = 'PURCHASE'
    GROUP BY device
    ORDER BY purchases DESC, device`,
  render: (rows) => rows.map((r) => `${r.device}: ${formatNumber(r.purchases)} purchases`),
});
