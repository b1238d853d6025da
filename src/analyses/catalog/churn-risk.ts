import { z } from 'zod';
import { UserError } from '../../errors/index.js';
import { isoDate } from '../params.js';
import { defineAnalysis } from '../types.js';
import {
  churnParams,
  churnReasons,
  fitChurn,
  predictChurn,
  predictedValues,
  toCases,
} from './parts/churn.js';
import { churnFeaturesSql } from './parts/churn-features.js';

const r4 = (x: number) => Math.round(x * 10000) / 10000;
const r2 = (x: number) => Math.round(x * 100) / 100;

/**
 * Each active customer's probability of no order in the next N days (and of leaving: no order and no
 * visit), why, and the value at risk.
 */
export default defineAnalysis({
  name: 'churn-risk',
  description:
    'Probability that each active customer places no order in the next N days (--target activity: no order and no visit) and that they leave (no order and no visit), by logistic models, with the top three reasons and value at risk (probability × clv prediction)',
  params: z.object({
    asOf: isoDate.optional().describe('predict from this day (default: the day after the last order)'),
    ...churnParams,
    customer: z.string().min(1).optional().describe('only this customer'),
    by: z
      .enum(['probability', 'value'])
      .default('probability')
      .describe('sort by probability or value_at_risk'),
    limit: z.coerce.number().int().min(1).max(1_000_000).default(20).describe('number of rows (default 20)'),
  }),
  row: z.object({
    customer_id: z.string(),
    tier: z.string(),
    churn_probability: z.number().meta({ format: 'percent' }),
    leave_probability: z.number().meta({ format: 'percent' }),
    predicted_value: z.number().meta({ format: 'money' }),
    value_at_risk: z.number().meta({ format: 'money' }),
    reason_1: z.string(),
    reason_2: z.string(),
    reason_3: z.string(),
  }),
  unbound: { customer: 'transform', by: 'transform', limit: 'transform', target: 'transform' },
  sql: () => churnFeaturesSql(false),
  transform: (rows, p) => {
    const cases = toCases(rows, p.target);
    const models = fitChurn(cases, p.horizon, p.target);
    let apply = cases.filter((k) => k.role === 'apply');
    if (p.customer !== undefined) {
      apply = apply.filter((k) => k.customerId === p.customer);
      if (apply.length === 0)
        throw new UserError(
          `customer '${p.customer}' is not an active customer (no completed order in the ${p.activeDays} days before the cut-off, or unknown)`,
          { code: 'unknown_customer' },
        );
    }
    const values = predictedValues(cases.filter((k) => k.role === 'apply'));
    const out = apply.map((k) => {
      const { p: prob, pLeave } = predictChurn(models, k);
      const value = values.get(k.customerId) ?? 0;
      const [a = '', b = '', c = ''] = churnReasons(models, k);
      return {
        customer_id: k.customerId,
        tier: k.tier,
        churn_probability: r4(prob),
        leave_probability: r4(pLeave),
        predicted_value: r2(value),
        value_at_risk: r2(prob * value),
        reason_1: a,
        reason_2: b,
        reason_3: c,
      };
    });
    const key = p.by === 'value' ? 'value_at_risk' : 'churn_probability';
    return out.sort((x, y) => y[key] - x[key] || (x.customer_id < y.customer_id ? -1 : 1)).slice(0, p.limit);
  },
});
