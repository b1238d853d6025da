import { z } from 'zod';
import { dateRangeSql, param } from '../params.js';
import { defineAnalysis } from '../types.js';

/** Scored orders above the alert threshold (or a score you choose), highest first. */
export default defineAnalysis({
  name: 'fraud-alerts',
  description: 'Orders the fraud model flagged (score ≥ its threshold, or ≥ --min-score), with the reasons',
  params: z.object({
    from: param.from,
    to: param.to,
    minScore: z.coerce
      .number()
      .min(0, 'min-score is a probability: 0 to 1')
      .max(1, 'min-score is a probability: 0 to 1')
      .optional()
      .describe("only scores ≥ this (0–1; default: the model's alert threshold)"),
    limit: z.coerce.number().int().min(1).max(100_000).default(100).describe('number of rows (default 100)'),
  }),
  row: z.object({
    order_id: z.string(),
    customer_id: z.string().nullable(),
    order_date: z.string(),
    score: z.number(),
    amount: z.number().nullable(),
    reasons: z.string().nullable(),
  }),
  // Scores sit in fraud_scores (src/fraud); the amount comes from the order's lines.
  sql: () => `
    SELECT s.order_id, s.customer_id, CAST(s.order_date AS STRING) AS order_date,
      CAST(s.score AS DOUBLE) AS score, o.amount, s.reasons
    FROM fraud_scores s
    LEFT JOIN (
      SELECT order_id, CAST(sum(total_amount) AS DOUBLE) AS amount FROM orders GROUP BY order_id
    ) o ON o.order_id = s.order_id
    WHERE ${dateRangeSql('s.order_date')}
      AND (CASE WHEN :minScore IS NULL THEN s.alert = 1 ELSE s.score >= CAST(:minScore AS DOUBLE) END)
    ORDER BY s.score DESC, s.order_date DESC, s.order_id
    LIMIT CAST(:limit AS INTEGER)`,
});
