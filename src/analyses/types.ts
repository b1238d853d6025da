import type { z } from 'zod';

/** Row schemas are zod objects so that every engine's output is checked against the declared row type. */
export type RowSchema = z.ZodObject;
export type ParamsSchema = z.ZodObject;

/**
 * One analysis of the catalog: a name, a description, a parameter schema, engine-neutral SQL and the
 * schema of its result rows. SQL uses `:name` placeholders bound from the parsed parameters and only
 * functions that DuckDB and Spark SQL share (plus `local_time(ts, tz)`, which every engine defines).
 */
export interface Analysis<P extends ParamsSchema = ParamsSchema, R extends RowSchema = RowSchema> {
  name: string;
  description: string;
  params: P;
  row: R;
  sql: (params: z.infer<P>) => string;
  /**
   * Optional engine-independent step over the SQL rows, for what SQL engines do not share (statistics,
   * model fitting). Its output, not the SQL's, must match `row`.
   */
  transform?: (rows: Record<string, unknown>[], params: z.infer<P>) => Record<string, unknown>[];
  /** Seed-style text lines for `--format table`; a generic table is drawn when absent. */
  render?: (rows: z.infer<R>[]) => string[];
}

/** Declares an analysis with its parameter and row types inferred from the schemas. */
export function defineAnalysis<P extends ParamsSchema, R extends RowSchema>(
  analysis: Analysis<P, R>,
): Analysis<P, R> {
  return analysis;
}
