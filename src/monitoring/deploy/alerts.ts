import { FRAUD_ALERTS_METRIC } from '../metrics.js';
import { analysisErrorRatio, burnRate, SLO } from './slo.js';

/** One Prometheus alerting rule. */
export interface AlertRule {
  alert: string;
  expr: string;
  for: string;
  labels: { severity: 'critical' | 'warning' };
  annotations: { summary: string; description: string; runbook_url: string };
}

/** The windows of the ingestion-stalled rule and the group's evaluation interval (shortened in tests). */
export interface AlertTiming {
  interval: string;
  /** No record received for this long counts as stalled… */
  stallWindow: string;
  /** …when records did arrive in this window just before. */
  stallHistory: string;
  stallFor: string;
}

/** The timing deployed in deploy/prometheus/alerts.yml. */
export const PRODUCTION_TIMING: AlertTiming = {
  interval: '30s',
  stallWindow: '10m',
  stallHistory: '1h',
  stallFor: '5m',
};

/** Where each alert's runbook is: a section of docs/MONITORING.md named after the alert. */
export const runbook = (alert: string) => `docs/MONITORING.md#${alert.toLowerCase()}`;

const rule = (
  alert: string,
  severity: 'critical' | 'warning',
  expr: string,
  forDuration: string,
  summary: string,
  description: string,
): AlertRule => ({
  alert,
  expr,
  for: forDuration,
  labels: { severity },
  annotations: { summary, description, runbook_url: runbook(alert) },
});

/** Every alert rule, in the order docs/MONITORING.md documents them. */
export function alertRules(timing: AlertTiming = PRODUCTION_TIMING): AlertRule[] {
  const slowBurn = burnRate(analysisErrorRatio('6h'), SLO.analysisLatency);
  const fastBurn = burnRate(analysisErrorRatio('1h'), SLO.analysisLatency);
  return [
    rule(
      'ShoplakeDown',
      'critical',
      'up{job="shoplake"} == 0',
      '2m',
      'Prometheus cannot scrape shoplake serve at {{ $labels.instance }}',
      'The collector does not answer /metrics: it is stopped, crashed, or unreachable. Nothing is being collected.',
    ),
    rule(
      'ShoplakeIngestionStalled',
      'critical',
      `sum(increase(shoplake_records_total[${timing.stallWindow}])) == 0 and sum(increase(shoplake_records_total[${timing.stallHistory}] offset ${timing.stallWindow})) > 0`,
      timing.stallFor,
      `No records reached the collector in the last ${timing.stallWindow} after steady traffic`,
      `The collector received records in the ${timing.stallHistory} before, and none in the last ${timing.stallWindow}: senders stopped, cannot reach it, or are refused before their body is read.`,
    ),
    rule(
      'ShoplakeRejectionRateHigh',
      'warning',
      'sum by (table) (rate(shoplake_records_total{outcome="rejected"}[10m])) / sum by (table) (rate(shoplake_records_total[10m])) > 0.05',
      '10m',
      'More than 5% of {{ $labels.table }} records are rejected',
      'The collector refuses over 5% of the records it receives for {{ $labels.table }}; see shoplake_collector_rejected_records_total for the reason class and <data>/quarantine/collector/ for the records.',
    ),
    rule(
      'ShoplakeCompactionLagHigh',
      'warning',
      'shoplake_wal_oldest_pending_age_seconds > 120',
      '5m',
      'Acknowledged records wait over 2 minutes before they are queryable',
      'The oldest acknowledged record not yet in the lake was acknowledged over 2 minutes ago; compaction is failing or cannot keep up.',
    ),
    rule(
      'ShoplakeWalGrowing',
      'warning',
      'shoplake_wal_pending_bytes > 64 * 2^20 and deriv(shoplake_wal_pending_bytes[15m]) > 0',
      '15m',
      'The write-ahead log keeps growing',
      'Over 64 MiB of acknowledged records wait in the WAL and the amount kept rising for 15 minutes; the collector answers 503 once it passes maxPendingBytes.',
    ),
    rule(
      'ShoplakeDiskAlmostFull',
      'critical',
      'predict_linear(shoplake_disk_free_bytes[1h], 4 * 3600) < 0',
      '10m',
      'The data directory’s disk will be full within 4 hours',
      'At the last hour’s rate of consumption the file system holding the data directory runs out of space within 4 hours; the WAL then refuses writes (503).',
    ),
    rule(
      'ShoplakeRevenueDrop',
      'warning',
      'sum without (period) (shoplake_business_recent_revenue_dollars{period="last_hour"}) < 0.5 * sum without (period) (shoplake_business_recent_revenue_dollars{period="week_ago"}) and sum without (period) (shoplake_business_recent_revenue_dollars{period="week_ago"}) > 1000',
      '30m',
      'Revenue of the last hour is under half of the same hour last week',
      'Non-cancelled revenue dated in the last hour is under half of the same hour a week earlier (both read from the lake; the week-ago hour had over 1000 dollars).',
    ),
    rule(
      'ShoplakeFraudSpike',
      'critical',
      `sum(increase(${FRAUD_ALERTS_METRIC}[15m])) >= 5 and sum(increase(${FRAUD_ALERTS_METRIC}[15m])) > 3 * sum(increase(${FRAUD_ALERTS_METRIC}[1d] offset 15m)) / 96`,
      '5m',
      'Fraud scoring flags orders at over 3× the usual rate',
      'At least 5 orders were flagged in the last 15 minutes, more than three times the average 15 minutes of the day before.',
    ),
    rule(
      'ShoplakeAnalysisLatencyBudgetBurn',
      'critical',
      `${fastBurn} > 14.4 and ${burnRate(analysisErrorRatio('5m'), SLO.analysisLatency)} > 14.4`,
      '2m',
      `Analyses miss their ${SLO.analysisSeconds} s objective 14× faster than the error budget allows`,
      `Over the last hour and the last 5 minutes more than ${Math.round(14.4 * (1 - SLO.analysisLatency) * 100)}% of analyses took longer than ${SLO.analysisSeconds} s (objective: ${SLO.analysisLatency * 100}% within it).`,
    ),
    rule(
      'ShoplakeAnalysisLatencyBudgetBurnSlow',
      'warning',
      `${slowBurn} > 6 and ${burnRate(analysisErrorRatio('30m'), SLO.analysisLatency)} > 6`,
      '15m',
      `Analyses miss their ${SLO.analysisSeconds} s objective 6× faster than the error budget allows`,
      `Over the last 6 hours and 30 minutes more than ${Math.round(6 * (1 - SLO.analysisLatency) * 100)}% of analyses took longer than ${SLO.analysisSeconds} s.`,
    ),
  ];
}

/** The rule file Prometheus loads, as a plain object ready for YAML. */
export function ruleFile(timing: AlertTiming = PRODUCTION_TIMING): unknown {
  return { groups: [{ name: 'shoplake', interval: timing.interval, rules: alertRules(timing) }] };
}
