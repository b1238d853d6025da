import { z } from 'zod';
import { UserError } from '../../errors/index.js';
import { ASSIGNMENT_SEPARATOR, VARIANT_SEPARATOR } from '../../lake/index.js';
import { param } from '../params.js';
import { chiSquareGoodnessOfFit, minSampleSize, twoProportionTest } from '../stats/index.js';
import { defineAnalysis } from '../types.js';
import { sessionsTableSql } from './parts/sql.js';

/** SRM is flagged below this p-value (a common, deliberately strict threshold). */
const SRM_ALPHA = 0.001;
// `+ 0` turns −0 (a zero lift or z) into 0, which tables would otherwise print as "-0".
const r6 = (x: number) => (Number.isFinite(x) ? Math.round(x * 1e6) / 1e6 + 0 : null);

const row = z.object({
  experiment: z.string(),
  sessions_a: z.number().int(),
  sessions_b: z.number().int(),
  conversions_a: z.number().int(),
  conversions_b: z.number().int(),
  rate_a: z.number().nullable(),
  rate_b: z.number().nullable(),
  absolute_lift: z.number().nullable(),
  absolute_ci_low: z.number().nullable(),
  absolute_ci_high: z.number().nullable(),
  relative_lift: z.number().nullable(),
  relative_ci_low: z.number().nullable(),
  relative_ci_high: z.number().nullable(),
  z: z.number().nullable(),
  p_value: z.number().nullable(),
  significant: z.boolean(),
  srm_chi_square: z.number(),
  srm_p_value: z.number(),
  srm_detected: z.boolean(),
  min_sample_per_variant: z.number().int().nullable(),
  sample_size_reached: z.boolean(),
});

/** A/B test on session conversion: lift with interval, two-proportion z test, SRM check, sample size. */
export default defineAnalysis({
  name: 'ab-test',
  description:
    'Session conversion per variant (A control, B treatment): lift, CI, p-value, sample-ratio check, minimum sample size',
  params: z.object({
    experiment: z
      .string()
      .regex(/^[A-Za-z0-9_.:-]{1,64}$/, 'use the experiment name from the experiments table')
      .optional()
      .describe('experiment name (default: every experiment)'),
    from: param.from,
    to: param.to,
    alpha: z.coerce.number().gt(0).lt(0.5).default(0.05).describe('significance level (default 0.05)'),
    power: z.coerce
      .number()
      .gt(0.5)
      .lt(1)
      .default(0.8)
      .describe('power for the minimum sample size (default 0.8)'),
    mde: z.coerce
      .number()
      .gt(0)
      .max(10)
      .default(0.1)
      .describe('minimum detectable relative lift for the sample size (default 0.1)'),
    split: z.coerce
      .number()
      .gt(0)
      .lt(1)
      .default(0.5)
      .describe('planned share of sessions in B (default 0.5)'),
  }),
  row,
  unbound: { alpha: 'transform', power: 'transform', mde: 'transform', split: 'transform' },
  // Each session carries its assignments (the sessions table's `assignments` column), so this is a scan
  // and a group-by over the few distinct assignment texts, not a join of every assignment with every
  // session (4.3 s at 10M orders, docs/BENCHMARKS.md). The texts are split per experiment below. A NULL
  // text is a session row written before the column existed (see countsByVariant).
  sql: () => `
    WITH ${sessionsTableSql({ assignments: true })}
    SELECT assignments, count(*) AS sessions, CAST(sum(purchased) AS BIGINT) AS conversions
    FROM sess
    WHERE assignments IS NULL OR (assignments <> '' AND (:experiment IS NULL
      OR instr(concat('${ASSIGNMENT_SEPARATOR}', assignments), concat('${ASSIGNMENT_SEPARATOR}', :experiment, '${VARIANT_SEPARATOR}')) > 0))
    GROUP BY assignments`,
  transform: (rows, p) => {
    const counts = countsByVariant(rows, p.experiment);
    const names = [...counts.keys()].sort();
    if (p.experiment !== undefined && names.length === 0) throw new NoSuchExperiment(p.experiment);
    return names.map((experiment) => {
      const get = (v: 'A' | 'B') => counts.get(experiment)?.[v];
      const nA = get('A')?.sessions ?? 0;
      const xA = get('A')?.conversions ?? 0;
      const nB = get('B')?.sessions ?? 0;
      const xB = get('B')?.conversions ?? 0;
      const t = twoProportionTest(xA, nA, xB, nB, 1 - p.alpha);
      // With a variant that has no session there is no rate to compare: its rate, the lifts, the interval
      // and the test are empty (twoProportionTest would give 0 for the missing rate and 0/1 for z and p,
      // e.g. a lift of −100 % with an interval [0, 0] for an experiment whose B never ran).
      const compared = nA > 0 && nB > 0;
      const cmp = (x: number) => (compared ? r6(x) : null);
      const srm = chiSquareGoodnessOfFit([nA, nB], [1 - p.split, p.split]);
      const rateA = nA > 0 ? t.rateA : 0;
      const target = Math.min(1, rateA * (1 + p.mde));
      const need = rateA > 0 && target > rateA ? minSampleSize(rateA, target, p.alpha, p.power) : null;
      return {
        experiment,
        sessions_a: nA,
        sessions_b: nB,
        conversions_a: xA,
        conversions_b: xB,
        rate_a: nA > 0 ? r6(t.rateA) : null,
        rate_b: nB > 0 ? r6(t.rateB) : null,
        absolute_lift: cmp(t.absoluteLift),
        absolute_ci_low: cmp(t.absoluteCi.low),
        absolute_ci_high: cmp(t.absoluteCi.high),
        relative_lift: cmp(t.relativeLift),
        relative_ci_low: cmp(t.relativeCi.low),
        relative_ci_high: cmp(t.relativeCi.high),
        z: cmp(t.z),
        p_value: cmp(t.pValue),
        significant: compared && t.pValue < p.alpha,
        srm_chi_square: r6(srm.statistic) ?? 0,
        srm_p_value: r6(srm.pValue) ?? 1,
        srm_detected: srm.pValue < SRM_ALPHA,
        min_sample_per_variant: need,
        sample_size_reached: need !== null && Math.min(nA, nB) >= need,
      };
    });
  },
});

interface VariantCounts {
  sessions: number;
  conversions: number;
}

/**
 * Sessions and converting sessions per experiment and variant (A or B), from rows of (assignments text,
 * sessions, conversions): a session in several experiments counts in each, as when the experiments
 * table is joined with the sessions. Experiments with no session in A or B are absent.
 */
function countsByVariant(
  rows: readonly Record<string, unknown>[],
  only: string | undefined,
): Map<string, Partial<Record<'A' | 'B', VariantCounts>>> {
  const counts = new Map<string, Partial<Record<'A' | 'B', VariantCounts>>>();
  for (const r of rows) {
    if (r.assignments === null || r.assignments === undefined) throw new OutdatedSessionsTable();
    for (const pair of String(r.assignments).split(ASSIGNMENT_SEPARATOR)) {
      const at = pair.indexOf(VARIANT_SEPARATOR);
      if (at < 0) throw new Error(`the sessions table holds a malformed assignment '${pair}'`);
      const experiment = pair.slice(0, at);
      const variant = pair.slice(at + 1);
      if ((only !== undefined && experiment !== only) || (variant !== 'A' && variant !== 'B')) continue;
      const byVariant = counts.get(experiment) ?? {};
      const c = byVariant[variant] ?? { sessions: 0, conversions: 0 };
      c.sessions += Number(r.sessions);
      c.conversions += Number(r.conversions);
      byVariant[variant] = c;
      counts.set(experiment, byVariant);
    }
  }
  return counts;
}

/**
 * The sessions table was computed before it carried assignments (a lake of an older shoplake): its
 * rows cannot say which sessions are in which experiment until it is computed again, which the next
 * load of one of its sources does by itself, or build-lake now (it reloads nothing unchanged). Said
 * instead of answering from the old join, which would be silently 2-3x slower until then.
 */
class OutdatedSessionsTable extends UserError {
  constructor() {
    super(
      'the sessions table was computed before it carried experiment assignments: ' +
        "run 'shoplake build-lake' or load a clickstream, orders or experiments batch to compute it again",
      { code: 'sessions_outdated' },
    );
  }
}

/** `--experiment` names no experiment with a session in A or B (a misspelt name answered nothing). */
class NoSuchExperiment extends UserError {
  constructor(name: string) {
    super(
      `experiment '${name}' has no session in variant A or B (in the --from/--to range when given); ` +
        'list the experiments with: shoplake sql "SELECT experiment, variant, count(*) FROM experiments GROUP BY ALL"',
      { code: 'unknown_experiment' },
    );
  }
}
