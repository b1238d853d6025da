import { z } from 'zod';
import type { Analysis } from '../../analyses/index.js';

/** One run of an analysis to compare across engines. */
export interface ParityCase {
  label: string;
  params: Record<string, unknown>;
}

// Parameters whose variants cannot be read off the schema (free text, numbers) but change the SQL.
const EXTRA: Record<string, Record<string, unknown>[]> = {
  funnel: [{ windowMinutes: 60, stepWindowMinutes: 30 }, { steps: 'VIEW,PURCHASE' }, { from: '2025-02-27' }],
  // A range that cuts sessions: those come from events, the others from the sessions table.
  sessions: [{ from: '2025-02-27', to: '2025-03-01' }],
  'conversion-by-device': [{ to: '2025-02-28' }],
  'user-paths': [
    { from: '2025-02-27', to: '2025-03-01' },
    { show: 'exits', from: '2025-02-27' },
  ],
  'ab-test': [{ experiment: 'parity-test' }],
  'clv-backtest': [{ holdoutDays: 7 }],
};
// Parameters the defaults run needs: a required id, or a horizon that fits the parity lake's 35 days.
const BASE: Record<string, Record<string, unknown>> = {
  'price-backtest': { holdoutDays: 7 },
  'also-bought': { product: 'PHONE001', minBaskets: 1 },
  recommend: { customer: 'CUST00002' },
  'churn-risk': { horizon: 7, limit: 100 },
  'churn-backtest': { horizon: 7 },
  reorder: { holdoutDays: 14, demandDays: 7 },
};
// Time zones go through each engine's own local_time: always compared, though the SQL is the same.
const OTHER_ZONE = 'America/New_York';

/**
 * The runs of an analysis the parity test compares: its defaults; every value of each enum parameter
 * that changes the SQL (splits such as `--by`, `--period`, `--show`); one value of each enum that is
 * only bound as a parameter (filters such as `--region`, `--segment`); another time zone where it takes
 * one; and the extras above. A run whose SQL text an earlier run already covered is dropped, except the
 * first run of each parameter.
 */
export function parityCases(analysis: Analysis): ParityCase[] {
  const base = BASE[analysis.name] ?? {};
  const candidates: (ParityCase & { always: boolean })[] = [
    { label: 'defaults', params: base, always: true },
  ];
  for (const [name, schema] of Object.entries(analysis.params.shape)) {
    const inner = unwrap(schema);
    if (inner instanceof z.ZodEnum) {
      inner.options.forEach((value, i) => {
        candidates.push({
          label: `${name}=${String(value)}`,
          params: { ...base, [name]: value },
          always: i === 0,
        });
      });
    }
    if (name === 'tz')
      candidates.push({ label: `tz=${OTHER_ZONE}`, params: { tz: OTHER_ZONE }, always: true });
  }
  for (const params of EXTRA[analysis.name] ?? []) {
    if (Object.keys(params).every((k) => k in analysis.params.shape)) {
      // A date range does not change the SQL text, only what it reads: always run.
      const always = 'from' in params || 'to' in params;
      candidates.push({ label: JSON.stringify(params), params, always });
    }
  }
  const seen = new Set<string>();
  const cases: ParityCase[] = [];
  for (const { always, ...c } of candidates) {
    const parsed = analysis.params.safeParse(c.params);
    if (!parsed.success) continue;
    const sql = analysis.sql(parsed.data);
    if (seen.has(sql) && !always) continue;
    seen.add(sql);
    cases.push(c);
  }
  return cases;
}

function unwrap(schema: unknown): unknown {
  let current = schema;
  while (current instanceof z.ZodOptional || current instanceof z.ZodDefault) current = current.unwrap();
  return current;
}
