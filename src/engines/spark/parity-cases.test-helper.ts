import { z } from 'zod';
import type { Analysis } from '../../analyses/index.js';

/** One run of an analysis to compare across engines. */
export interface ParityCase {
  label: string;
  params: Record<string, unknown>;
}

// Parameters whose variants cannot be read off the schema (free text, numbers) but change the SQL or
// exercise an engine-specific path (time zones go through each engine's local_time).
const EXTRA: Record<string, Record<string, unknown>[]> = {
  funnel: [{ windowMinutes: 60, stepWindowMinutes: 30 }, { steps: 'VIEW,PURCHASE' }],
  'ab-test': [{ experiment: 'parity-test' }],
  'clv-backtest': [{ holdoutDays: 7 }],
};
const OTHER_ZONE = 'America/New_York';
const BOUND_FILTERS = new Set(['region', 'status']);

/**
 * The runs of an analysis the parity test compares: its defaults, each value of every enum parameter
 * that shapes the SQL (splits such as `--by`, `--period`, `--show`), one value of each bound filter,
 * another time zone where it takes one, and the extras above; a run identical to an earlier one (same
 * SQL, same parameters) is dropped.
 */
export function parityCases(analysis: Analysis): ParityCase[] {
  const cases: ParityCase[] = [{ label: 'defaults', params: {} }];
  for (const [name, schema] of Object.entries(analysis.params.shape)) {
    const inner = unwrap(schema);
    if (inner instanceof z.ZodEnum) {
      // Filters bound as parameters (region, status) leave the SQL alone: one value of each is enough.
      const values = BOUND_FILTERS.has(name) ? inner.options.slice(0, 1) : inner.options;
      for (const value of values)
        cases.push({ label: `${name}=${String(value)}`, params: { [name]: value } });
    }
    if (name === 'tz') cases.push({ label: `tz=${OTHER_ZONE}`, params: { tz: OTHER_ZONE } });
  }
  for (const params of EXTRA[analysis.name] ?? []) {
    if (Object.keys(params).every((k) => k in analysis.params.shape)) {
      cases.push({ label: JSON.stringify(params), params });
    }
  }
  const seen = new Set<string>();
  return cases.filter((c) => {
    const parsed = analysis.params.safeParse(c.params);
    if (!parsed.success) return false;
    const key = `${analysis.sql(parsed.data)}\n${JSON.stringify(parsed.data)}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

function unwrap(schema: unknown): unknown {
  let current = schema;
  while (current instanceof z.ZodOptional || current instanceof z.ZodDefault) current = current.unwrap();
  return current;
}
