import { Counter, Gauge, Histogram, type Registry } from 'prom-client';

/** Name of the fraud alert counter that fraud scoring increments and the fraud-spike rule reads. */
export const FRAUD_ALERTS_METRIC = 'shoplake_fraud_alerts_total';

/**
 * The metrics that describe the lake, the business and the machine rather than one collector's
 * requests: computed from the lake's files and batch logs, so a file ingest by another process or a
 * restart shows too. They register into the registry `/metrics` serves.
 */
export class MonitoringMetrics {
  readonly lakeRows: Gauge<'table'>;
  readonly lakeBytes: Gauge<'table'>;
  readonly lakeFiles: Gauge<'table'>;
  readonly lakePartitions: Gauge<'table'>;
  readonly ingestRows: Counter<'table' | 'source' | 'outcome'>;
  readonly lastBatch: Gauge<'table' | 'source'>;
  readonly orders: Gauge<'region' | 'status'>;
  readonly revenue: Gauge<'region' | 'status'>;
  readonly orderLines: Gauge<'region' | 'status'>;
  readonly events: Gauge<'action' | 'device'>;
  readonly recentRevenue: Gauge<'period'>;
  readonly recentOrders: Gauge<'period'>;
  readonly recentAov: Gauge;
  readonly recentConversion: Gauge;
  readonly refreshSeconds: Histogram;
  readonly refreshFailures: Counter;
  readonly lastRefresh: Gauge;
  readonly fraudAlerts: Counter;

  constructor(readonly registry: Registry) {
    const registers = [registry];
    const gauge = <L extends string>(name: string, help: string, labelNames: readonly L[]) =>
      new Gauge<L>({ name, help, labelNames, registers });
    this.lakeRows = gauge('shoplake_lake_rows', 'Rows in the lake by table (live files)', ['table']);
    this.lakeBytes = gauge('shoplake_lake_bytes', 'Parquet bytes in the lake by table (live files)', [
      'table',
    ]);
    this.lakeFiles = gauge('shoplake_lake_files', 'Live Parquet files by table', ['table']);
    this.lakePartitions = gauge('shoplake_lake_partitions', 'Partitions holding live files by table', [
      'table',
    ]);
    this.ingestRows = new Counter({
      name: 'shoplake_ingest_rows_total',
      help: 'Rows committed to the lake by table, source (http, file, build) and outcome (loaded, duplicate, quarantined), from the batch logs',
      labelNames: ['table', 'source', 'outcome'],
      registers,
    });
    this.lastBatch = gauge(
      'shoplake_ingest_last_batch_timestamp_seconds',
      'Unix time of the newest batch committed to the table from the source',
      ['table', 'source'],
    );
    this.orders = gauge(
      'shoplake_business_orders',
      'Distinct orders in the lake by region and status (an order counts once per partition it has lines in)',
      ['region', 'status'],
    );
    this.revenue = gauge(
      'shoplake_business_revenue_dollars',
      'Sum of total_amount of the order lines in the lake by region and status',
      ['region', 'status'],
    );
    this.orderLines = gauge('shoplake_business_order_lines', 'Order lines in the lake by region and status', [
      'region',
      'status',
    ]);
    this.events = gauge('shoplake_business_events', 'Clickstream events in the lake by action and device', [
      'action',
      'device',
    ]);
    this.recentRevenue = gauge(
      'shoplake_business_recent_revenue_dollars',
      'Revenue of non-cancelled lines dated in the last hour (period=last_hour) or the same hour a week earlier (period=week_ago)',
      ['period'],
    );
    this.recentOrders = gauge(
      'shoplake_business_recent_orders',
      'Distinct non-cancelled orders dated in the last hour or the same hour a week earlier',
      ['period'],
    );
    this.recentAov = gauge(
      'shoplake_business_recent_aov_dollars',
      'Average order value over the last hour: completed revenue / distinct completed orders (0 without orders)',
      [],
    );
    this.recentConversion = gauge(
      'shoplake_business_recent_conversion_ratio',
      'Sessions with a PURCHASE / sessions with any event, over the last hour (0 without sessions)',
      [],
    );
    this.refreshSeconds = new Histogram({
      name: 'shoplake_monitoring_refresh_seconds',
      help: 'Time to recompute the lake and business metrics after the lake changed',
      buckets: [0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
      registers,
    });
    this.refreshFailures = new Counter({
      name: 'shoplake_monitoring_refresh_failures_total',
      help: 'Refreshes of the lake and business metrics that failed (the previous values stay)',
      registers,
    });
    this.lastRefresh = gauge(
      'shoplake_monitoring_last_refresh_timestamp_seconds',
      'Unix time of the last successful refresh of the lake and business metrics',
      [],
    );
    this.fraudAlerts = new Counter({
      name: FRAUD_ALERTS_METRIC,
      help: 'Orders scored at or above the fraud alert threshold',
      registers,
    });
  }
}
