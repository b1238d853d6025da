import { z } from 'zod';
import { UserError } from '../../errors/index.js';
import { TIERS } from '../../lake/index.js';
import { isoDate } from '../params.js';
import { defineAnalysis } from '../types.js';
import {
  type CustomerHistory,
  clvNotes,
  customerHistorySql,
  fitClv,
  predictValue,
  toHistory,
} from './parts/clv.js';

const r2 = (x: number) => Math.round(x * 100) / 100;

/** Historic and predicted customer value per tier, from the NBD purchase model with shrunk order values. */
export default defineAnalysis({
  name: 'clv',
  description:
    'Customer value per tier: lifetime value, value in the lake, and predicted value of the next N days',
  params: z.object({
    asOf: isoDate
      .optional()
      .describe('fit on orders before this day (default: the day after the last order)'),
    horizon: z.coerce.number().int().min(1).max(3650).default(90).describe('days to predict (default 90)'),
  }),
  row: z.object({
    tier: z.string(),
    customers: z.number().int(),
    avg_lifetime_value: z.number(),
    orders_in_lake: z.number().int(),
    value_in_lake: z.number(),
    avg_predicted_value: z.number(),
    predicted_value: z.number(),
  }),
  unbound: { horizon: 'transform' },
  sql: () => customerHistorySql(false),
  notes: () => clvNotes(),
  transform: (rows, p) => {
    const history = toHistory(rows);
    // No customer with any exposure before the end (no completed order at all, or an --as-of before the
    // first one): averages over nobody were NaN, an internal error.
    if (history.length === 0)
      throw new UserError(
        `clv: no customer has a history before ${p.asOf ?? 'the end'}: there is no completed order before it` +
          (p.asOf ? ' (or every signup is later); use a later --as-of' : ''),
      );
    const model = fitClv(history);
    const groups = new Map<string, CustomerHistory[]>([['ALL', history]]);
    for (const h of history) {
      if (!groups.has(h.tier)) groups.set(h.tier, []);
      groups.get(h.tier)?.push(h);
    }
    const order = ['ALL', ...TIERS];
    return [...groups.entries()]
      .sort(([a], [b]) => order.indexOf(a) - order.indexOf(b))
      .map(([tier, hs]) => {
        const predicted = hs.reduce((s, h) => s + predictValue(model, h, p.horizon), 0);
        return {
          tier,
          customers: hs.length,
          avg_lifetime_value: r2(hs.reduce((s, h) => s + h.lifetimeValue, 0) / hs.length),
          orders_in_lake: hs.reduce((s, h) => s + h.x, 0),
          value_in_lake: r2(hs.reduce((s, h) => s + h.value, 0)),
          avg_predicted_value: r2(predicted / hs.length),
          predicted_value: r2(predicted),
        };
      });
  },
});
