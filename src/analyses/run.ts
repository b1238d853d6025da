import type { z } from 'zod';
import { type Engine, placeholderNames, type Row, type SqlParams } from '../engines/index.js';
import { UserError } from '../errors/index.js';
import { assertRunsOn } from './engine-support.js';
import type { Analysis, Note } from './types.js';

/** Parses raw parameters (CLI strings, query strings, JSON) against an analysis's schema. */
export function parseParams(analysis: Analysis, raw: Record<string, unknown>): Record<string, unknown> {
  const result = analysis.params.strict().safeParse(raw);
  if (!result.success) {
    const issues = result.error.issues.map((i) => {
      const at = i.path.join('.');
      if (i.code === 'unrecognized_keys') return `unknown parameter ${i.keys.map(flag).join(', ')}`;
      // zod says "expected string, received undefined" for a parameter that was not given.
      if (i.code === 'invalid_type' && raw[at] === undefined) return `${flag(at)} is required`;
      // A number parameter given text: zod says "expected number, received NaN".
      if (i.code === 'invalid_type' && i.expected === 'number')
        return `${flag(at)}: not a number: '${String(raw[at])}'`;
      return `${flag(at)}: ${i.message}`;
    });
    throw new UserError(`${analysis.name}: ${issues.join('; ')}`, { code: 'bad_params' });
  }
  const { from, to } = result.data as { from?: unknown; to?: unknown };
  // A reversed range holds no day: an empty answer would read as "no sales", so it is refused.
  if (typeof from === 'string' && typeof to === 'string' && from > to) {
    throw new UserError(`${analysis.name}: --from ${from} is after --to ${to}: give the earlier day first`, {
      code: 'bad_params',
    });
  }
  return result.data as Record<string, unknown>;
}

function flag(name: string): string {
  return `--${name.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}`;
}

/**
 * The values bound to an SQL text's placeholders. A placeholder that the parameter schema does not define
 * is a bug in the analysis (it would silently bind NULL), so it fails as an internal error.
 */
export function bindParams(analysis: Analysis, sql: string, params: Record<string, unknown>): SqlParams {
  const defined = Object.keys(analysis.params.shape);
  const binds: SqlParams = {};
  for (const name of placeholderNames(sql)) {
    if (!defined.includes(name)) {
      throw new Error(
        `${analysis.name}: its SQL uses :${name}, which its parameter schema does not define (${defined.join(', ')})`,
      );
    }
    const value = params[name];
    if (value !== undefined && value !== null && typeof value === 'object') {
      throw new Error(`${analysis.name}: parameter ${name} is not a scalar and cannot be bound`);
    }
    binds[name] = (value ?? null) as SqlParams[string];
  }
  return binds;
}

/** What an analysis answers: its rows and the notes that say what it left out. */
export interface AnalysisResult<R> {
  rows: R[];
  notes: Note[];
}

/** The lake tables loaded now, when the analysis has optional ones (its SQL depends on them). */
async function loadedTables(engine: Engine, analysis: Analysis): Promise<ReadonlySet<string> | undefined> {
  if (!analysis.optionalTables) return undefined;
  return new Set((await engine.tables()).filter((t) => t.state === 'loaded').map((t) => t.table));
}

async function rowsOf(
  engine: Engine,
  analysis: Analysis,
  params: Record<string, unknown>,
  loaded: ReadonlySet<string> | undefined,
): Promise<Row[]> {
  assertRunsOn(analysis, engine.name);
  const sql = analysis.sql(params as never, loaded);
  let rows: Row[] = await engine.query(sql, bindParams(analysis, sql, params));
  if (analysis.transform) rows = analysis.transform(rows, params as never);
  return rows.map((row) => analysis.row.parse(row));
}

/** Runs an analysis on an engine: parse parameters, bind them, run, and check rows against the row schema. */
export async function runAnalysis<A extends Analysis>(
  engine: Engine,
  analysis: A,
  raw: Record<string, unknown>,
): Promise<z.infer<A['row']>[]> {
  const params = parseParams(analysis, raw);
  return (await rowsOf(engine, analysis, params, await loadedTables(engine, analysis))) as z.infer<
    A['row']
  >[];
}

/** Runs an analysis like runAnalysis, plus its notes query when it has one (for what users read). */
export async function runAnalysisWithNotes<A extends Analysis>(
  engine: Engine,
  analysis: A,
  raw: Record<string, unknown>,
): Promise<AnalysisResult<z.infer<A['row']>>> {
  const params = parseParams(analysis, raw);
  const loaded = await loadedTables(engine, analysis);
  const rows = (await rowsOf(engine, analysis, params, loaded)) as z.infer<A['row']>[];
  const query = analysis.notes?.(params as never, loaded);
  if (!query) return { rows, notes: [] };
  const [row] = await engine.query(query.sql, bindParams(analysis, query.sql, params));
  return { rows, notes: row ? query.read(row) : [] };
}
