import { z } from 'zod';
import { UserError } from '../../errors/index.js';
import { averagePrecision, brierScore, calibrationError, precisionAtTop, rocAuc } from '../models/index.js';
import { isoDate } from '../params.js';
import { defineAnalysis } from '../types.js';
import {
  type ChurnCase,
  type ChurnTarget,
  churnParams,
  fitChurn,
  predictChurn,
  toCases,
} from './parts/churn.js';
import { churnFeaturesSql } from './parts/churn-features.js';

const r4 = (x: number) => (Number.isFinite(x) ? Math.round(x * 10000) / 10000 : null);

/** Scores for the test cut-off of churn-backtest: each case with its model and recency-only probability. */
export function backtestScores(
  rows: readonly Record<string, unknown>[],
  horizon: number,
  target: ChurnTarget,
) {
  const cases = toCases(rows, target);
  const models = fitChurn(cases, horizon, target);
  return {
    models,
    test: cases
      .filter((k) => k.role === 'test')
      .map((k: ChurnCase) => ({ case: k, ...predictChurn(models, k) })),
  };
}

/** Time-split check of churn-risk: train at end − 2N, predict at end − N, score against what happened. */
export default defineAnalysis({
  name: 'churn-backtest',
  description:
    'Backtest of churn-risk: ROC AUC, average precision, precision in the top 10 % and calibration for churn (no order; --target activity: no order and no visit) in the N days after a cut-off, vs recency alone',
  params: z.object({
    asOf: isoDate.optional().describe('end of the test window (default: the day after the last order)'),
    ...churnParams,
  }),
  row: z.object({
    method: z.string(),
    customers: z.number().int(),
    churned: z.number().int(),
    roc_auc: z.number().nullable(),
    average_precision: z.number().nullable(),
    precision_top10: z.number().nullable().meta({ format: 'percent' }),
    brier: z.number().nullable(),
    calibration_error: z.number().nullable(),
  }),
  unbound: { target: 'transform' },
  sql: () => churnFeaturesSql(true),
  transform: (rows, p) => {
    const { test } = backtestScores(rows, p.horizon, p.target);
    if (test.length === 0)
      throw new UserError('churn-backtest: no active customer at the test cut-off', {
        code: 'too_little_history',
      });
    const y = test.map((t) => t.case.y);
    const score = (method: string, probs: number[]) => ({
      method,
      customers: test.length,
      churned: y.filter((v) => v === 1).length,
      roc_auc: r4(rocAuc(probs, y)),
      average_precision: r4(averagePrecision(probs, y)),
      precision_top10: r4(precisionAtTop(probs, y, 0.1)),
      brier: r4(brierScore(probs, y)),
      calibration_error: r4(calibrationError(probs, y)),
    });
    return [
      score(
        'logistic-model',
        test.map((t) => t.p),
      ),
      score(
        'recency-only',
        test.map((t) => t.pRecency),
      ),
    ];
  },
});
