import { z } from 'zod';
import { formatNumber } from './number-format.js';

/** A calendar day written YYYY-MM-DD. */
export const isoDate = z
  .string()
  .regex(/^\d{4}-\d{2}-\d{2}$/, 'use YYYY-MM-DD')
  // Date.parse takes 2026-02-30 for March 2nd (and the query then failed inside DuckDB as an internal
  // error): a day must read back as written.
  .refine((s) => {
    const t = Date.parse(`${s}T00:00:00Z`);
    return !Number.isNaN(t) && new Date(t).toISOString().slice(0, 10) === s;
  }, 'not a calendar date');

/** Shared parameter pieces; analyses compose the ones they need. */
export const param = {
  from: isoDate.optional().describe('first day included (YYYY-MM-DD, UTC)'),
  to: isoDate.optional().describe('last day included (YYYY-MM-DD, UTC)'),
  // Regions are the shop's own labels, so any non-empty text goes (the seed's are US-EAST, EU-WEST, …).
  region: z.string().min(1).optional().describe('only this region, as the data names it (e.g. US-EAST)'),
  limit: z.coerce.number().int().min(1).max(10_000).default(10).describe('number of rows (default 10)'),
  tz: z
    .string()
    .default('UTC')
    .refine(isTimeZone, 'unknown time zone: use an IANA name such as Europe/Paris')
    .describe('IANA time zone for day buckets (default UTC)'),
};

function isTimeZone(tz: string): boolean {
  try {
    new Intl.DateTimeFormat('en', { timeZone: tz });
    return true;
  } catch {
    return false;
  }
}

/** SQL condition keeping rows of `column` inside the optional [from, to] day range. */
export function dateRangeSql(column: string): string {
  return `(:from IS NULL OR ${column} >= CAST(:from AS TIMESTAMP))
    AND (:to IS NULL OR ${column} < CAST(:to AS TIMESTAMP) + INTERVAL 1 DAY)`;
}

/** Formats an amount the way the seed's demo shows it: $8,234,567.89. */
export function dollars(amount: number): string {
  return `$${formatNumber(amount, 2, 2)}`;
}
