import { type EngineKind, engineKindSchema } from '../engines/index.js';
import { UserError } from '../errors/index.js';
import type { Analysis } from './types.js';

/** The engines an analysis runs on, in the order shoplake lists engines. */
export function enginesFor(analysis: Analysis): EngineKind[] {
  return engineKindSchema.options.filter((kind) => analysis.unsupportedOn?.[kind] === undefined);
}

/**
 * Where an analysis runs, for `query --list`: "duckdb, spark", or with each engine it cannot run on
 * and why, e.g. "duckdb (not on spark: needs …)".
 */
export function engineSupport(analysis: Analysis): string {
  const not = Object.entries(analysis.unsupportedOn ?? {}).map(([kind, why]) => `not on ${kind}: ${why}`);
  const runs = enginesFor(analysis).join(', ') || 'no engine';
  return not.length > 0 ? `${runs} (${not.join('; ')})` : runs;
}

/** Refuses, as the user's mistake with the reason, to run an analysis on an engine it cannot run on. */
export function assertRunsOn(analysis: Analysis, kind: EngineKind): void {
  const why = analysis.unsupportedOn?.[kind];
  if (why === undefined) return;
  const others = enginesFor(analysis);
  const instead = others.length > 0 ? `; run it with --engine ${others.join(' or ')}` : '';
  throw new UserError(`${analysis.name} cannot run on ${kind}: ${why}${instead}`, {
    code: 'unsupported_on_engine',
  });
}
