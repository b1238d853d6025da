import type { z } from 'zod';
import type { EngineKind } from '../engines/index.js';

/** Row schemas are zod objects so that every engine's output is checked against the declared row type. */
export type RowSchema = z.ZodObject;
export type ParamsSchema = z.ZodObject;

/**
 * Something the user must know to read a result right, e.g. how many guest orders a customer analysis
 * left out. `code` is stable for programs; `message` is one line for people.
 */
export interface Note {
  code: string;
  message: string;
  count: number;
}

/** An extra query whose one result row becomes notes (bound with the same parameters as the analysis). */
export interface NotesQuery {
  sql: string;
  read: (row: Record<string, unknown>) => Note[];
}

/**
 * How a parameter that is not bound as `:name` is used: 'shape' picks one of several SQL texts written in
 * the analysis (a split, a ranking column), 'transform' is read by `transform` only.
 */
export type UnboundUse = 'shape' | 'transform';

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
  /**
   * The SQL. `loaded` is the set of lake tables the engine has loaded, given when the analysis declares
   * `optionalTables` (undefined otherwise, or when only the SQL text is wanted: then assume they are).
   */
  sql: (params: z.infer<P>, loaded?: ReadonlySet<string>) => string;
  /**
   * Lake tables the analysis reads when they are loaded and does without otherwise (e.g. stock tables
   * that censor demand): the runner asks the engine which are loaded and hands them to `sql` and `notes`.
   */
  optionalTables?: readonly string[];
  /**
   * Parameters deliberately not bound in the SQL, with how they are used. Every other parameter must
   * appear as `:name` in the SQL of some variant (catalog.test.ts checks both directions).
   */
  unbound?: Readonly<Partial<Record<Extract<keyof z.infer<P>, string>, UnboundUse>>>;
  /**
   * Optional engine-independent step over the SQL rows, for what SQL engines do not share (statistics,
   * model fitting). Its output, not the SQL's, must match `row`.
   */
  transform?: (rows: Record<string, unknown>[], params: z.infer<P>) => Record<string, unknown>[];
  /** Optional query for notes about the result (rows left out and why), run after the analysis. */
  notes?: (params: z.infer<P>, loaded?: ReadonlySet<string>) => NotesQuery;
  /**
   * Engines this analysis cannot run on, each with the reason (shown by `query --list`, and said when
   * the analysis is asked for on that engine). Absent: it runs on every engine.
   */
  unsupportedOn?: Readonly<Partial<Record<EngineKind, string>>>;
  /** Seed-style text lines for `--format table`; a generic table is drawn when absent. */
  render?: (rows: z.infer<R>[]) => string[];
}

/** Declares an analysis with its parameter and row types inferred from the schemas. */
export function defineAnalysis<P extends ParamsSchema, R extends RowSchema>(
  analysis: Analysis<P, R>,
): Analysis<P, R> {
  return analysis;
}
