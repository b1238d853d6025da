import { z } from 'zod';
import { UserError } from '../../errors/index.js';
import { isoDate } from '../params.js';
import { defineAnalysis } from '../types.js';
import {
  type CustomerHistory,
  clvNotes,
  customerHistorySql,
  fitClv,
  naiveValue,
  predictValue,
  toHistory,
} from './parts/clv.js';

const r2 = (x: number) => Math.round(x * 100) / 100;

function score(
  method: string,
  hs: readonly CustomerHistory[],
  predict: (h: CustomerHistory) => number,
  days: number,
) {
  let abs = 0;
  let sq = 0;
  let predicted = 0;
  let actual = 0;
  for (const h of hs) {
    const p = predict(h);
    abs += Math.abs(p - h.future);
    sq += (p - h.future) ** 2;
    predicted += p;
    actual += h.future;
  }
  const n = Math.max(1, hs.length);
  return {
    method,
    customers: hs.length,
    holdout_days: days,
    predicted_total: r2(predicted),
    actual_total: r2(actual),
    // No actual value in the holdout: an error in % of nothing is undefined (it said 0 %, a perfect score).
    total_error_pct: actual > 0 ? r2(((predicted - actual) / actual) * 100) : null,
    mae: r2(abs / n),
    rmse: r2(Math.sqrt(sq / n)),
  };
}

/** Time-split check of the clv model: fit before a cutoff, predict the holdout, compare with a naive baseline. */
export default defineAnalysis({
  name: 'clv-backtest',
  description:
    'Backtest of the clv model: fit before a cutoff, predict the holdout days, error vs a naive baseline',
  params: z.object({
    asOf: isoDate.optional().describe('end of the holdout (default: the day after the last order)'),
    holdoutDays: z.coerce
      .number()
      .int()
      .min(1)
      .max(3650)
      .default(10)
      .describe('days after the cutoff (default 10)'),
  }),
  row: z.object({
    method: z.string(),
    customers: z.number().int(),
    holdout_days: z.number().int(),
    predicted_total: z.number(),
    actual_total: z.number(),
    total_error_pct: z.number().nullable(),
    mae: z.number(),
    rmse: z.number(),
  }),
  sql: () => customerHistorySql(true),
  notes: () => clvNotes(),
  transform: (rows, p) => {
    const history = toHistory(rows);
    // Without a customer known before the cut-off there is nothing to backtest; said instead of a row of
    // zeros (0 customers, 0 predicted, 0 actual, 0 % error) that reads like a perfect score.
    if (history.length === 0)
      throw new UserError(
        `clv-backtest: no customer has a history before the cut-off (${p.holdoutDays} day(s) before the end): ` +
          'it falls before the first completed order or every signup; use a smaller --holdout-days',
      );
    const model = fitClv(history);
    const days = p.holdoutDays;
    return [
      score('nbd-model', history, (h) => predictValue(model, h, days), days),
      score('naive-run-rate', history, (h) => naiveValue(h, days), days),
    ];
  },
});
