import { z } from 'zod';
import { isoDate } from '../params.js';
import { defineAnalysis } from '../types.js';
import { rfmCustomersSql, rfmNotes } from './parts/rfm.js';
import { ratioSql } from './parts/sql.js';

/** Recency, frequency and monetary scores per customer, grouped into named segments (and tiers). */
export default defineAnalysis({
  name: 'rfm',
  description:
    'RFM quintile scores of customers with completed orders, grouped into named segments (and tiers)',
  params: z.object({
    asOf: isoDate.optional().describe('reference day (default: the day after the last order)'),
    by: z.enum(['segment', 'segment-tier']).default('segment').describe('segment (default) or segment-tier'),
  }),
  row: z.object({
    segment: z.string(),
    tier: z.string(),
    customers: z.number().int(),
    share: z.number(),
    revenue: z.number(),
    avg_recency_days: z.number(),
    avg_frequency: z.number(),
    avg_monetary: z.number(),
  }),
  unbound: { by: 'shape' },
  notes: () => rfmNotes(),
  sql: (p) => `
    ${rfmCustomersSql(p.by === 'segment-tier')}
    SELECT segment, tier, count(*) AS customers,
      CAST(round(${ratioSql('count(*)', 'sum(count(*)) OVER ()')}, 4) AS DOUBLE) AS share,
      CAST(round(sum(monetary), 2) AS DOUBLE) AS revenue,
      CAST(round(avg(recency_days), 2) AS DOUBLE) AS avg_recency_days,
      CAST(round(avg(frequency), 2) AS DOUBLE) AS avg_frequency,
      CAST(round(avg(monetary), 2) AS DOUBLE) AS avg_monetary
    FROM seg
    GROUP BY segment, tier
    ORDER BY revenue DESC, segment, tier`,
});
