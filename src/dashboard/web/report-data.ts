import { z } from 'zod';
import { columnSchema } from './types.js';

/** One section of a report: an analysis's rows, how to read them in one line, and how to chart them. */
export const reportSectionSchema = z.object({
  id: z.string(),
  title: z.string(),
  analysis: z.string(),
  params: z.record(z.string(), z.string()),
  reading: z.string(),
  columns: z.array(columnSchema),
  rows: z.array(z.record(z.string(), z.unknown())),
  chart: z.enum(['auto', 'pie']).default('auto'),
  measure: z.string().optional(),
  /** Why the section has no rows (a table not loaded yet), in one line. */
  problem: z.string().nullable().default(null),
});
export type ReportSection = z.infer<typeof reportSectionSchema>;

/** Everything a report shows; embedded as JSON in the HTML file, drawn by report.ts. */
export const reportDataSchema = z.object({
  title: z.string(),
  generatedAt: z.string(),
  filters: z.string(),
  sections: z.array(reportSectionSchema),
});
export type ReportData = z.infer<typeof reportDataSchema>;
