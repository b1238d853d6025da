import { type DashboardSpec, REGION, TABLE } from './panel-spec.js';

const CUSTOMER_ANALYSES = 'customer-tiers|rfm|rfm-customers|clv|clv-backtest|cohort-retention';

/**
 * The seed's business dashboard made honest: each of its eleven panel titles gets a panel that means
 * something in shoplake (the title says what replaced a Hadoop notion), then the business figures the
 * seed's dashboard promised but never showed.
 */
export const businessDashboard: DashboardSpec = {
  file: 'business.json',
  uid: 'shoplake-business',
  title: 'shoplake — business',
  description:
    'Orders, revenue and shoppers from the lake, and the seed dashboard panels with a true meaning',
  panels: [
    {
      seedTitle: 'Total Orders Storage',
      title: 'Total Orders Storage: orders in the lake',
      description:
        'Distinct orders stored in the lake (all statuses, selected regions) and the Parquet bytes holding the orders table.',
      kind: 'stat',
      unit: 'short',
      queries: [
        { expr: `sum(shoplake_business_orders{${REGION}})`, legend: 'orders' },
        { expr: 'sum(shoplake_lake_bytes{table="orders"})', legend: 'bytes of Parquet' },
      ],
    },
    {
      seedTitle: 'Active Data Nodes',
      title: 'Active Data Nodes → engines answering',
      description:
        'shoplake has no data nodes: the lake is plain files. What must be up to answer questions is the query engines: 1 per engine that answers (DuckDB always; Spark when configured).',
      kind: 'stat',
      unit: 'short',
      queries: [{ expr: 'sum by (engine) (shoplake_engine_up)', legend: '{{engine}}' }],
    },
    {
      seedTitle: 'Order Processing Capacity',
      title: 'Order Processing Capacity: orders accepted per second',
      description:
        'Order lines the collector acknowledged per second, and whether it takes writes (1) or refuses them because its WAL cannot be written (0).',
      kind: 'timeseries',
      unit: 'short',
      queries: [
        {
          expr: 'sum(rate(shoplake_records_total{table="orders",outcome="accepted"}[1m]))',
          legend: 'order lines/s',
        },
        { expr: 'min(shoplake_wal_writable)', legend: 'WAL writable' },
      ],
    },
    {
      seedTitle: 'Analytics Jobs Running',
      title: 'Analytics Jobs Running',
      description: 'Analyses running now and waiting for a slot in shoplake serve.',
      kind: 'timeseries',
      unit: 'short',
      queries: [
        { expr: 'sum(shoplake_analyses_running)', legend: 'running' },
        { expr: 'sum(shoplake_analyses_queued)', legend: 'queued' },
      ],
    },
    {
      seedTitle: 'Data Ingestion Rate',
      title: 'Data Ingestion Rate: rows loaded per second',
      description:
        'Rows committed to the lake per second by table and source (http = collector, file = shoplake ingest, build = build-lake), from the batch logs.',
      kind: 'timeseries',
      unit: 'short',
      queries: [
        {
          expr: `sum by (table, source) (rate(shoplake_ingest_rows_total{outcome="loaded",${TABLE}}[5m]))`,
          legend: '{{table}} {{source}}',
        },
      ],
    },
    {
      seedTitle: 'Customer Analytics Processing',
      title: 'Customer Analytics Processing: customer analyses',
      description: `Runs per second and 95th percentile duration of the customer analyses (${CUSTOMER_ANALYSES.replaceAll('|', ', ')}).`,
      kind: 'timeseries',
      unit: 'short',
      queries: [
        {
          expr: `sum by (analysis) (rate(shoplake_analyses_total{analysis=~"${CUSTOMER_ANALYSES}"}[5m]))`,
          legend: '{{analysis}} runs/s',
        },
        {
          expr: `histogram_quantile(0.95, sum by (le) (rate(shoplake_analysis_duration_seconds_bucket{analysis=~"${CUSTOMER_ANALYSES}"}[5m])))`,
          legend: 'p95 seconds',
        },
      ],
    },
    {
      seedTitle: 'Order Data Replication',
      title: 'Order Data Replication → orders durable, not yet queryable',
      description:
        'shoplake does not replicate (a replicated file system such as HDFS does that below it). What matters instead: acknowledged orders are fsynced to the WAL before the answer, and this shows how long they wait there before they are queryable in the lake (p95) and how many bytes wait.',
      kind: 'timeseries',
      unit: 's',
      queries: [
        {
          expr: 'histogram_quantile(0.95, sum by (le) (rate(shoplake_compaction_lag_seconds_bucket{table="orders"}[5m])))',
          legend: 'ack→queryable p95',
        },
        { expr: 'shoplake_wal_oldest_pending_age_seconds', legend: 'oldest waiting' },
      ],
    },
    {
      seedTitle: 'Data Warehouse Capacity',
      title: 'Data Warehouse Capacity: lake size and disk free',
      description: 'Parquet bytes in the lake per table and bytes still free on the data directory’s disk.',
      kind: 'timeseries',
      unit: 'bytes',
      queries: [
        { expr: `sum by (table) (shoplake_lake_bytes{${TABLE}})`, legend: '{{table}}' },
        { expr: 'shoplake_disk_free_bytes', legend: 'disk free' },
      ],
    },
    {
      seedTitle: 'NameNode Health',
      title: 'NameNode Health → lake metadata readable',
      description:
        'shoplake has no NameNode: each table’s _manifest.json lists its files. Seconds since the manifests and batch logs were last read successfully (low = healthy) and failed reads.',
      kind: 'timeseries',
      unit: 's',
      queries: [
        { expr: 'time() - shoplake_monitoring_last_refresh_timestamp_seconds', legend: 'seconds since read' },
        { expr: 'increase(shoplake_monitoring_refresh_failures_total[15m])', legend: 'failed reads (15m)' },
      ],
    },
    {
      seedTitle: 'Worker Nodes Status',
      title: 'Worker Nodes Status → collector and compaction process',
      description:
        'Instead of Hadoop workers: the collector answering scrapes (1 = up) and restarts of its compaction process in the last hour.',
      kind: 'timeseries',
      unit: 'short',
      queries: [
        { expr: 'up{job="shoplake"}', legend: 'collector up' },
        {
          expr: 'increase(shoplake_compaction_process_restarts_total[1h])',
          legend: 'compaction restarts (1h)',
        },
      ],
    },
    {
      seedTitle: 'Resource Allocation',
      title: 'Resource Allocation: CPU and memory of shoplake serve',
      description: 'CPU cores used and resident memory of the shoplake serve process (no YARN queues here).',
      kind: 'timeseries',
      unit: 'short',
      queries: [
        { expr: 'rate(process_cpu_seconds_total{job="shoplake"}[1m])', legend: 'CPU cores' },
        { expr: 'process_resident_memory_bytes{job="shoplake"} / 2^30', legend: 'memory GiB' },
      ],
    },
    {
      title: 'Revenue by region',
      description:
        'Sum of total_amount of the non-cancelled order lines in the lake, per region (the 20 largest; the rest as "other").',
      kind: 'timeseries',
      unit: 'currencyUSD',
      queries: [
        {
          expr: `sum by (region) (shoplake_business_revenue_dollars{status!="CANCELLED",${REGION}})`,
          legend: '{{region}}',
        },
      ],
    },
    {
      title: 'Orders by status',
      description: 'Distinct orders in the lake per status, in the selected regions.',
      kind: 'timeseries',
      unit: 'short',
      queries: [{ expr: `sum by (status) (shoplake_business_orders{${REGION}})`, legend: '{{status}}' }],
    },
    {
      title: 'Events by action and device',
      description: 'Clickstream events in the lake per action and device.',
      kind: 'timeseries',
      unit: 'short',
      queries: [
        { expr: 'sum by (action, device) (shoplake_business_events)', legend: '{{action}} {{device}}' },
      ],
    },
    {
      title: 'Conversion rate (last hour)',
      description:
        'Sessions with a PURCHASE among sessions with any event, over the last hour of event time.',
      kind: 'stat',
      unit: 'percentunit',
      queries: [{ expr: 'shoplake_business_recent_conversion_ratio', legend: 'conversion' }],
    },
    {
      title: 'Average order value (last hour)',
      description: 'Revenue of completed orders dated in the last hour divided by their number.',
      kind: 'stat',
      unit: 'currencyUSD',
      queries: [{ expr: 'shoplake_business_recent_aov_dollars', legend: 'AOV' }],
    },
    {
      title: 'Revenue: last hour against the same hour last week',
      description:
        'Revenue of non-cancelled lines dated in the last hour and in the same hour a week earlier, both read from the lake.',
      kind: 'timeseries',
      unit: 'currencyUSD',
      queries: [{ expr: 'sum by (period) (shoplake_business_recent_revenue_dollars)', legend: '{{period}}' }],
    },
    {
      title: 'Fraud alerts',
      description: 'Orders fraud scoring flagged per hour (0 until fraud scoring reports to shoplake serve).',
      kind: 'timeseries',
      unit: 'short',
      queries: [{ expr: 'sum(increase(shoplake_fraud_alerts_total[1h]))', legend: 'flagged (1h)' }],
    },
  ],
};
