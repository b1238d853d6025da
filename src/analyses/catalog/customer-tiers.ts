import { z } from 'zod';
import { formatNumber } from '../number-format.js';
import { param } from '../params.js';
import { defineAnalysis } from '../types.js';
import { ratioSql } from './parts/sql.js';

/** Seed scenario 2: how many customers each tier has, highest tier first. */
export default defineAnalysis({
  name: 'customer-tiers',
  description: 'Customers per tier with their lifetime value (seed scenario 2)',
  params: z.object({ region: param.region }),
  row: z.object({
    tier: z.string(),
    customers: z.number().int(),
    share: z.number(),
    lifetime_value: z.number(),
  }),
  sql: () => `
    SELECT tier, count(*) AS customers,
      CAST(round(${ratioSql('count(*)', 'sum(count(*)) OVER ()')}, 4) AS DOUBLE) AS share,
      CAST(round(sum(lifetime_value), 2) AS DOUBLE) AS lifetime_value
    FROM customers
    WHERE :region IS NULL OR region = :region
    GROUP BY tier
    ORDER BY CASE tier WHEN 'PLATINUM' THEN 1 WHEN 'GOLD' THEN 2 WHEN 'SILVER' THEN 3 ELSE 4 END`,
  render: (rows) => rows.map((r) => `${r.tier}: ${formatNumber(r.customers)} customers`),
});
