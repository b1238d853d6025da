import { z } from 'zod';
import { isoDate, param } from '../params.js';
import { defineAnalysis } from '../types.js';
import { RFM_SEGMENTS, rfmCustomersSql, rfmNotes } from './parts/rfm.js';

const SEGMENT_NAMES = RFM_SEGMENTS.map(([name]) => name) as [string, ...string[]];

/** Customers with their RFM scores and segment, largest spenders first. */
export default defineAnalysis({
  name: 'rfm-customers',
  description: 'Customers with recency, frequency, monetary value, RFM scores and segment (see rfm)',
  params: z.object({
    asOf: isoDate.optional().describe('reference day (default: the day after the last order)'),
    segment: z.enum(SEGMENT_NAMES).optional().describe('only this segment, e.g. "At Risk"'),
    limit: param.limit,
  }),
  row: z.object({
    customer_id: z.string(),
    tier: z.string(),
    segment: z.string(),
    recency_days: z.number(),
    frequency: z.number().int(),
    monetary: z.number(),
    r: z.number().int(),
    f: z.number().int(),
    m: z.number().int(),
  }),
  notes: () => rfmNotes(),
  sql: () => `
    ${rfmCustomersSql(true)}
    SELECT customer_id, tier, segment, CAST(recency_days AS DOUBLE) AS recency_days, frequency,
      CAST(round(monetary, 2) AS DOUBLE) AS monetary, r, f, m
    FROM seg
    WHERE :segment IS NULL OR segment = :segment
    ORDER BY monetary DESC, customer_id
    LIMIT CAST(:limit AS INTEGER)`,
});
