import { z } from 'zod';
import { param } from '../params.js';
import { chiSquareGoodnessOfFit, minSampleSize, twoProportionTest } from '../stats/index.js';
import { defineAnalysis } from '../types.js';
import { sessionsTableSql } from './parts/sql.js';

/** SRM is flagged below this p-value (a common, deliberately strict threshold). */
const SRM_ALPHA = 0.001;
const r6 = (x: number) => (Number.isFinite(x) ? Math.round(x * 1e6) / 1e6 : null);

const row = z.object({
  experiment: z.string(),
  sessions_a: z.number().int(),
  sessions_b: z.number().int(),
  conversions_a: z.number().int(),
  conversions_b: z.number().int(),
  rate_a: z.number(),
  rate_b: z.number(),
  absolute_lift: z.number(),
  absolute_ci_low: z.number(),
  absolute_ci_high: z.number(),
  relative_lift: z.number().nullable(),
  relative_ci_low: z.number().nullable(),
  relative_ci_high: z.number().nullable(),
  z: z.number(),
  p_value: z.number(),
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
  sql: () => `
    WITH ${sessionsTableSql()}
    SELECT x.experiment, x.variant, count(*) AS sessions, CAST(sum(s.purchased) AS BIGINT) AS conversions
    FROM experiments x JOIN sess s ON s.session = x.session_id
    WHERE (:experiment IS NULL OR x.experiment = :experiment) AND x.variant IN ('A', 'B')
    GROUP BY x.experiment, x.variant
    ORDER BY x.experiment, x.variant`,
  transform: (rows, p) => {
    const names = [...new Set(rows.map((r) => String(r.experiment)))].sort();
    return names.map((experiment) => {
      const get = (v: string) => rows.find((r) => r.experiment === experiment && r.variant === v);
      const nA = Number(get('A')?.sessions ?? 0);
      const xA = Number(get('A')?.conversions ?? 0);
      const nB = Number(get('B')?.sessions ?? 0);
      const xB = Number(get('B')?.conversions ?? 0);
      const t = twoProportionTest(xA, nA, xB, nB, 1 - p.alpha);
      const srm = chiSquareGoodnessOfFit([nA, nB], [1 - p.split, p.split]);
      const rateA = t.rateA;
      const target = Math.min(1, rateA * (1 + p.mde));
      const need = rateA > 0 && target > rateA ? minSampleSize(rateA, target, p.alpha, p.power) : null;
      return {
        experiment,
        sessions_a: nA,
        sessions_b: nB,
        conversions_a: xA,
        conversions_b: xB,
        rate_a: r6(t.rateA) ?? 0,
        rate_b: r6(t.rateB) ?? 0,
        absolute_lift: r6(t.absoluteLift) ?? 0,
        absolute_ci_low: r6(t.absoluteCi.low) ?? 0,
        absolute_ci_high: r6(t.absoluteCi.high) ?? 0,
        relative_lift: r6(t.relativeLift),
        relative_ci_low: r6(t.relativeCi.low),
        relative_ci_high: r6(t.relativeCi.high),
        z: r6(t.z) ?? 0,
        p_value: r6(t.pValue) ?? 1,
        significant: t.pValue < p.alpha,
        srm_chi_square: r6(srm.statistic) ?? 0,
        srm_p_value: r6(srm.pValue) ?? 1,
        srm_detected: srm.pValue < SRM_ALPHA,
        min_sample_per_variant: need,
        sample_size_reached: need !== null && Math.min(nA, nB) >= need,
      };
    });
  },
});
