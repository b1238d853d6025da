import { z } from 'zod';
import { backtestDemand, dateOf } from '../models/forecast/index.js';
import { defineAnalysis } from '../types.js';
import { demandNotes, demandParams, demandSql, toHistory } from './parts/demand.js';
import { hasStockTables, STOCK_TABLES } from './parts/stockouts.js';

const r4 = (x: number | null) => (x === null || !Number.isFinite(x) ? null : Math.round(x * 10000) / 10000);
/** Cut-offs tried when --origins is not given (as many of them as the history holds, at least one). */
const DEFAULT_ORIGINS = 3;

/** Rolling-origin check of `forecast` against seasonal naive on the same cut-offs, series and days. */
export default defineAnalysis({
  name: 'forecast-backtest',
  description:
    'Backtest of forecast on rolling origins (cut-offs --step days apart, each forecasting --horizon days): WAPE and MASE against seasonal naive (same weekday last week), and the coverage of the prediction intervals next to the probability the model gave them (whole units cannot hold exactly --interval)',
  params: z.object({
    ...demandParams,
    asOf: demandParams.asOf.describe(
      'end of the history, exclusive (default: the day after the last order); the last cut-off is --horizon days before it',
    ),
    origins: z.coerce
      .number()
      .int()
      .min(1)
      .max(52)
      .optional()
      .describe(`number of cut-offs (default: up to ${DEFAULT_ORIGINS}, as many as the history holds)`),
    step: z.coerce.number().int().min(1).max(365).default(7).describe('days between cut-offs (default 7)'),
  }),
  row: z.object({
    method: z.string(),
    origins: z.number().int(),
    first_cutoff: z.string(),
    last_cutoff: z.string(),
    horizon: z.number().int(),
    series: z.number().int(),
    actual_units: z.number(),
    wape: z.number().nullable(),
    wape_vs_naive: z.number().nullable(),
    mase: z.number().nullable(),
    coverage: z.number().nullable().meta({ format: 'percent' }),
    interval_probability: z.number().nullable().meta({ format: 'percent' }),
  }),
  unbound: { horizon: 'transform', interval: 'transform', origins: 'transform', step: 'transform' },
  optionalTables: STOCK_TABLES,
  sql: (_p, loaded) => demandSql(hasStockTables(loaded)),
  notes: () => demandNotes(),
  transform: (rows, p) => {
    const history = toHistory(rows, p.asOf);
    const { cutoffs, scores } = backtestDemand(history, {
      horizon: p.horizon,
      origins: p.origins ?? DEFAULT_ORIGINS,
      step: p.step,
      level: p.interval,
      strict: p.origins !== undefined,
    });
    const naive = scores.find((s) => s.method === 'seasonal-naive')?.wape ?? Number.NaN;
    return scores.map((s) => ({
      method: s.method,
      origins: cutoffs.length,
      first_cutoff: dateOf(Math.min(...cutoffs)),
      last_cutoff: dateOf(Math.max(...cutoffs)),
      horizon: p.horizon,
      series: s.series,
      actual_units: s.actualUnits,
      wape: r4(s.wape),
      wape_vs_naive: r4(s.wape / naive),
      mase: r4(s.mase),
      coverage: r4(s.coverage),
      interval_probability: r4(s.intervalProbability),
    }));
  },
});
