import type { DashboardSpec } from './panel-spec.js';
import { analysisErrorRatio, burnRate, freshnessErrorRatio, ingestErrorRatio, SLO } from './slo.js';

const pct = (x: number) => `${Math.round(x * 1000) / 10}%`;

/** The objectives against their targets: ingest availability, ack→queryable latency, analysis latency. */
export const sloDashboard: DashboardSpec = {
  file: 'slo.json',
  uid: 'shoplake-slo',
  title: 'shoplake — SLOs',
  description:
    'Service level objectives: measured ratios against targets, and how fast the error budget burns',
  panels: [
    {
      title: `Ingest availability (target ${pct(SLO.ingestAvailability)})`,
      description:
        'Share of write requests (POST /v1/orders, /v1/events) answered without a 5xx over the last hour, with the target.',
      kind: 'timeseries',
      unit: 'percentunit',
      queries: [
        { expr: `1 - (${ingestErrorRatio('1h')})`, legend: 'measured (1h)' },
        { expr: `vector(${SLO.ingestAvailability})`, legend: 'target' },
      ],
    },
    {
      title: 'Ingest availability burn rate',
      description:
        'Error-budget burn rate of ingest availability over 5 minutes and 1 hour: 1 spends the budget exactly over 30 days; 14.4 spends 2% of it in an hour.',
      kind: 'timeseries',
      unit: 'short',
      queries: [
        { expr: burnRate(ingestErrorRatio('5m'), SLO.ingestAvailability), legend: 'burn 5m' },
        { expr: burnRate(ingestErrorRatio('1h'), SLO.ingestAvailability), legend: 'burn 1h' },
      ],
    },
    {
      title: `Ack→queryable within ${SLO.queryableSeconds} s (target ${pct(SLO.ingestFreshness)})`,
      description: `Share of WAL segments whose records were queryable in the lake within ${SLO.queryableSeconds} s of the first acknowledgement, over the last hour, with the target; and the p95 lag.`,
      kind: 'timeseries',
      unit: 'percentunit',
      queries: [
        { expr: `1 - (${freshnessErrorRatio('1h')})`, legend: 'measured (1h)' },
        { expr: `vector(${SLO.ingestFreshness})`, legend: 'target' },
      ],
    },
    {
      title: 'Ack→queryable latency p95 and p99',
      description: 'Lag from acknowledgement to queryable, per table.',
      kind: 'timeseries',
      unit: 's',
      queries: [
        {
          expr: 'histogram_quantile(0.95, sum by (le, table) (rate(shoplake_compaction_lag_seconds_bucket[5m])))',
          legend: 'p95 {{table}}',
        },
        {
          expr: 'histogram_quantile(0.99, sum by (le, table) (rate(shoplake_compaction_lag_seconds_bucket[5m])))',
          legend: 'p99 {{table}}',
        },
      ],
    },
    {
      title: 'Ack→queryable burn rate',
      description: 'Error-budget burn rate of the freshness objective over 5 minutes and 1 hour.',
      kind: 'timeseries',
      unit: 'short',
      queries: [
        { expr: burnRate(freshnessErrorRatio('5m'), SLO.ingestFreshness), legend: 'burn 5m' },
        { expr: burnRate(freshnessErrorRatio('1h'), SLO.ingestFreshness), legend: 'burn 1h' },
      ],
    },
    {
      title: `Analyses within ${SLO.analysisSeconds} s (target ${pct(SLO.analysisLatency)})`,
      description: `Share of analyses finishing within ${SLO.analysisSeconds} s over the last hour (no value while none ran), with the target.`,
      kind: 'timeseries',
      unit: 'percentunit',
      queries: [
        { expr: `1 - (${analysisErrorRatio('1h')})`, legend: 'measured (1h)' },
        { expr: `vector(${SLO.analysisLatency})`, legend: 'target' },
      ],
    },
    {
      title: 'Analysis latency burn rate',
      description: 'Error-budget burn rate of the analysis latency objective over 5 minutes and 1 hour.',
      kind: 'timeseries',
      unit: 'short',
      queries: [
        { expr: burnRate(analysisErrorRatio('5m'), SLO.analysisLatency), legend: 'burn 5m' },
        { expr: burnRate(analysisErrorRatio('1h'), SLO.analysisLatency), legend: 'burn 1h' },
      ],
    },
  ],
};
