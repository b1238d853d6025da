import { type DashboardSpec, TABLE } from './panel-spec.js';

const q = (expr: string, legend: string) => ({ expr, legend });

/** How shoplake itself is doing: ingest, WAL, compaction, lake, analyses, engines, disk and process. */
export const platformDashboard: DashboardSpec = {
  file: 'platform.json',
  uid: 'shoplake-platform',
  title: 'shoplake — platform',
  description: 'Ingest, write-ahead log, compaction, lake size, analyses, engines, disk and process',
  panels: [
    {
      title: 'Records received by table and outcome',
      description:
        'Records per second the collector answered, by table and outcome (accepted, duplicate, rejected).',
      kind: 'timeseries',
      unit: 'short',
      queries: [
        q(`sum by (table, outcome) (rate(shoplake_records_total{${TABLE}}[1m]))`, '{{table}} {{outcome}}'),
      ],
    },
    {
      title: 'Rows committed by table, source and outcome',
      description:
        'Rows per second committed to the lake from the batch logs (every process): loaded, duplicate or quarantined, by source.',
      kind: 'timeseries',
      unit: 'short',
      queries: [
        q(
          `sum by (table, source, outcome) (rate(shoplake_ingest_rows_total{${TABLE}}[5m]))`,
          '{{table}} {{source}} {{outcome}}',
        ),
      ],
    },
    {
      title: 'Acknowledgement latency',
      description: 'Time from request start to durable acknowledgement (fsync) per route: p50, p99.',
      kind: 'timeseries',
      unit: 's',
      queries: [
        q(
          'histogram_quantile(0.5, sum by (le, route) (rate(shoplake_ingest_latency_seconds_bucket[5m])))',
          'p50 {{route}}',
        ),
        q(
          'histogram_quantile(0.99, sum by (le, route) (rate(shoplake_ingest_latency_seconds_bucket[5m])))',
          'p99 {{route}}',
        ),
      ],
    },
    {
      title: 'Rejected records by reason class',
      description:
        'Records refused by the collector per second: unparsable JSON, an invalid field, or a failed row check; and records ingest quarantined at compaction.',
      kind: 'timeseries',
      unit: 'short',
      queries: [
        q(
          `sum by (table, reason) (rate(shoplake_collector_rejected_records_total{${TABLE}}[5m]))`,
          '{{table}} {{reason}}',
        ),
        q(
          `sum by (table) (rate(shoplake_compaction_quarantined_records_total{${TABLE}}[5m]))`,
          '{{table}} quarantined at compaction',
        ),
      ],
    },
    {
      title: 'HTTP requests by status',
      description: 'Requests per second by route and status code.',
      kind: 'timeseries',
      unit: 'reqps',
      queries: [q('sum by (route, status) (rate(shoplake_http_requests_total[1m]))', '{{route}} {{status}}')],
    },
    {
      title: 'WAL waiting',
      description: 'Acknowledged bytes and segments in the write-ahead log not yet in the lake.',
      kind: 'timeseries',
      unit: 'short',
      queries: [q('shoplake_wal_pending_bytes', 'bytes'), q('shoplake_wal_pending_segments', 'segments')],
    },
    {
      title: 'WAL fsync p99',
      description: 'Duration of one WAL write + fsync (one group commit), 99th percentile.',
      kind: 'timeseries',
      unit: 's',
      queries: [
        q('histogram_quantile(0.99, sum by (le) (rate(shoplake_wal_fsync_seconds_bucket[5m])))', 'fsync p99'),
      ],
    },
    {
      title: 'Compaction duration and lag',
      description:
        'p95 time to move one WAL segment into the lake, p95 ack→queryable lag per table, and the age of the oldest record waiting.',
      kind: 'timeseries',
      unit: 's',
      queries: [
        q(
          `histogram_quantile(0.95, sum by (le, table) (rate(shoplake_compaction_duration_seconds_bucket{${TABLE}}[5m])))`,
          'duration p95 {{table}}',
        ),
        q(
          `histogram_quantile(0.95, sum by (le, table) (rate(shoplake_compaction_lag_seconds_bucket{${TABLE}}[5m])))`,
          'lag p95 {{table}}',
        ),
        q('shoplake_wal_oldest_pending_age_seconds', 'oldest waiting'),
      ],
    },
    {
      title: 'Lake rows per table',
      description: 'Rows in the live Parquet files of each table (from file footers).',
      kind: 'timeseries',
      unit: 'short',
      queries: [q(`shoplake_lake_rows{${TABLE}}`, '{{table}}')],
    },
    {
      title: 'Lake bytes per table',
      description: 'Parquet bytes of the live files of each table.',
      kind: 'timeseries',
      unit: 'bytes',
      queries: [q(`shoplake_lake_bytes{${TABLE}}`, '{{table}}')],
    },
    {
      title: 'Lake files and partitions per table',
      description: 'Live files and partitions per table; many small files mean compaction should merge.',
      kind: 'timeseries',
      unit: 'short',
      queries: [
        q(`shoplake_lake_files{${TABLE}}`, 'files {{table}}'),
        q(`shoplake_lake_partitions{${TABLE}}`, 'partitions {{table}}'),
      ],
    },
    {
      title: 'Analyses run',
      description: 'Analyses per second by name, engine and outcome.',
      kind: 'timeseries',
      unit: 'short',
      queries: [
        q(
          'sum by (analysis, engine, outcome) (rate(shoplake_analyses_total[5m]))',
          '{{analysis}} {{engine}} {{outcome}}',
        ),
      ],
    },
    {
      title: 'Analysis duration p95',
      description: '95th percentile duration per analysis and engine.',
      kind: 'timeseries',
      unit: 's',
      queries: [
        q(
          'histogram_quantile(0.95, sum by (le, analysis, engine) (rate(shoplake_analysis_duration_seconds_bucket[5m])))',
          '{{analysis}} {{engine}}',
        ),
      ],
    },
    {
      title: 'Analyses running and queued',
      description: 'Analyses running now and waiting for a slot.',
      kind: 'timeseries',
      unit: 'short',
      queries: [q('shoplake_analyses_running', 'running'), q('shoplake_analyses_queued', 'queued')],
    },
    {
      title: 'Engines available',
      description: '1 when the engine answers (DuckDB runs a query; Spark Connect accepts connections).',
      kind: 'stat',
      unit: 'short',
      queries: [q('shoplake_engine_up', '{{engine}}')],
    },
    {
      title: 'Disk free under the data directory',
      description: 'Bytes free now and the free space predicted in 4 hours from the last hour’s trend.',
      kind: 'timeseries',
      unit: 'bytes',
      queries: [
        q('shoplake_disk_free_bytes', 'free'),
        q('predict_linear(shoplake_disk_free_bytes[1h], 4 * 3600)', 'predicted in 4 h'),
      ],
    },
    {
      title: 'Process CPU, memory and event loop',
      description:
        'CPU cores used, resident memory in GiB, V8 heap in GiB and event-loop delay p99 in seconds.',
      kind: 'timeseries',
      unit: 'short',
      queries: [
        q('rate(process_cpu_seconds_total{job="shoplake"}[1m])', 'CPU cores'),
        q('process_resident_memory_bytes{job="shoplake"} / 2^30', 'RSS GiB'),
        q('nodejs_heap_size_used_bytes{job="shoplake"} / 2^30', 'heap GiB'),
        q('nodejs_eventloop_lag_p99_seconds{job="shoplake"}', 'event loop p99 s'),
      ],
    },
    {
      title: 'Metrics refresh',
      description: 'Time to recompute the lake and business metrics after the lake changed (p95).',
      kind: 'timeseries',
      unit: 's',
      queries: [
        q(
          'histogram_quantile(0.95, sum by (le) (rate(shoplake_monitoring_refresh_seconds_bucket[5m])))',
          'refresh p95',
        ),
      ],
    },
  ],
};
