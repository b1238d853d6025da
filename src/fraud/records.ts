import type { FraudScore } from './model.js';

/** epoch ms as the lake's timestamp text (UTC, seconds). */
export function lakeTimestamp(ms: number): string {
  return new Date(ms).toISOString().slice(0, 19).replace('T', ' ');
}

/** Reasons are stored as one text: plain sentences joined by '; '. */
export const REASON_SEPARATOR = '; ';

/**
 * A score as a fraud_scores row (what both write paths, the collector's WAL and ingest, store).
 * `scoredAt`: epoch ms, or its lakeTimestamp already (a batch scored at once formats it once).
 */
export function scoreRecord(
  s: FraudScore,
  version: string,
  scoredAt: number | string,
): Record<string, string | number> {
  return {
    order_id: s.orderId,
    ...(s.customerId !== null ? { customer_id: s.customerId } : {}),
    order_date: lakeTimestamp(s.t),
    scored_at: typeof scoredAt === 'string' ? scoredAt : lakeTimestamp(scoredAt),
    score: Math.round(s.score * 10_000) / 10_000,
    alert: s.alert ? 1 : 0,
    reasons: s.reasons.join(REASON_SEPARATOR).slice(0, 2000),
    model: version,
  };
}
