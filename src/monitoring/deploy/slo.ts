/**
 * The service level objectives the SLO dashboard and the burn-rate alerts share, so a target is written
 * once. Each ratio is "good events / all events" over a window.
 */
export const SLO = {
  /** Write requests (POST /v1/orders, /v1/events) answered without a 5xx. */
  ingestAvailability: 0.999,
  /** Records queryable in the lake within `queryableSeconds` of their acknowledgement. */
  ingestFreshness: 0.99,
  queryableSeconds: 10,
  /** Analyses finishing within `analysisSeconds`. */
  analysisLatency: 0.95,
  analysisSeconds: 5,
} as const;

/** Fraction of write requests answered 5xx over `window`. */
export const ingestErrorRatio = (window: string) =>
  `(sum(rate(shoplake_http_requests_total{route=~"/v1/.*",status=~"5.."}[${window}])) or vector(0)) / sum(rate(shoplake_http_requests_total{route=~"/v1/.*"}[${window}]))`;

/** Fraction of WAL segments whose records became queryable later than the target, over `window`. */
export const freshnessErrorRatio = (window: string) =>
  `1 - sum(rate(shoplake_compaction_lag_seconds_bucket{le="${SLO.queryableSeconds}"}[${window}])) / sum(rate(shoplake_compaction_lag_seconds_count[${window}]))`;

/** Fraction of analyses slower than the target, over `window`. */
export const analysisErrorRatio = (window: string) =>
  `1 - sum(rate(shoplake_analysis_duration_seconds_bucket{le="${SLO.analysisSeconds}"}[${window}])) / sum(rate(shoplake_analysis_duration_seconds_count[${window}]))`;

/** How fast an error ratio spends the error budget (1 = exactly the budget over the SLO period). */
export const burnRate = (errorRatio: string, objective: number) =>
  `(${errorRatio}) / ${round(1 - objective)}`;

function round(x: number): number {
  return Math.round(x * 1e6) / 1e6;
}
