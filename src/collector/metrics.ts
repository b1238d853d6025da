import { Counter, Gauge, Histogram, Registry } from 'prom-client';
import { MonitoringMetrics } from '../monitoring/index.js';

/** Every metric the collector exports on /metrics, in one registry per server (tests run several). */
export class CollectorMetrics {
  readonly registry = new Registry();
  readonly requests = new Counter({
    name: 'shoplake_http_requests_total',
    help: 'HTTP requests by route and status code',
    labelNames: ['route', 'status'] as const,
    registers: [this.registry],
  });
  readonly records = new Counter({
    name: 'shoplake_records_total',
    help: 'Records received by table and outcome (accepted, duplicate, rejected)',
    labelNames: ['table', 'outcome'] as const,
    registers: [this.registry],
  });
  readonly latency = new Histogram({
    name: 'shoplake_ingest_latency_seconds',
    help: 'Time from request start to durable acknowledgement',
    labelNames: ['route'] as const,
    buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
    registers: [this.registry],
  });
  readonly fsync = new Histogram({
    name: 'shoplake_wal_fsync_seconds',
    help: 'Duration of one WAL write + fsync (one group commit)',
    buckets: [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1],
    registers: [this.registry],
  });
  readonly groupSize = new Histogram({
    name: 'shoplake_wal_group_commit_requests',
    help: 'Requests made durable by one fsync',
    buckets: [1, 2, 4, 8, 16, 32, 64, 128, 256],
    registers: [this.registry],
  });
  readonly pendingBytes = new Gauge({
    name: 'shoplake_wal_pending_bytes',
    help: 'Acknowledged bytes in the WAL not yet compacted into the lake',
    registers: [this.registry],
  });
  readonly compaction = new Histogram({
    name: 'shoplake_compaction_duration_seconds',
    help: 'Time to move one sealed WAL segment into the lake',
    labelNames: ['table'] as const,
    buckets: [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
    registers: [this.registry],
  });
  readonly lag = new Histogram({
    name: 'shoplake_compaction_lag_seconds',
    help: 'Seconds from the first acknowledgement in a segment until its records are queryable',
    labelNames: ['table'] as const,
    buckets: [0.5, 1, 2, 3, 5, 7.5, 10, 20, 60],
    registers: [this.registry],
  });
  /** The lake, business and machine metrics, in the same registry (src/monitoring). */
  readonly monitoring = new MonitoringMetrics(this.registry);
  /** Kept current by each compaction between the monitor's refreshes. */
  readonly lakeRows = this.monitoring.lakeRows;
  readonly lakeBytes = this.monitoring.lakeBytes;
  readonly rejectedByReason = new Counter({
    name: 'shoplake_collector_rejected_records_total',
    help: 'Records the collector refused by table and reason class (unparsable, invalid_field, row_check)',
    labelNames: ['table', 'reason'] as const,
    registers: [this.registry],
  });
  /** Set by the collector: segments waiting and when the oldest of their records was acknowledged. */
  walState: () => { segments: number; oldestAckAt: number | null } = () => ({
    segments: 0,
    oldestAckAt: null,
  });
  readonly pendingSegments = new Gauge({
    name: 'shoplake_wal_pending_segments',
    help: 'WAL segments (sealed or being written) holding acknowledged records not yet in the lake',
    registers: [this.registry],
    collect: () => {
      this.pendingSegments.set(this.walState().segments);
    },
  });
  readonly oldestPending = new Gauge({
    name: 'shoplake_wal_oldest_pending_age_seconds',
    help: 'Seconds since the oldest acknowledged record not yet in the lake was acknowledged (0: none waiting)',
    registers: [this.registry],
    collect: () => {
      const at = this.walState().oldestAckAt;
      this.oldestPending.set(at === null ? 0 : Math.max(0, (Date.now() - at) / 1000));
    },
  });
  readonly compactionRestarts = new Counter({
    name: 'shoplake_compaction_process_restarts_total',
    help: 'Times the compaction process died or could not be reached and was started again',
    registers: [this.registry],
  });
  readonly mergeFailures = new Counter({
    name: 'shoplake_compaction_merge_failures_total',
    help: 'Failed merges of small lake files after a compaction (the segment was stored; retried later)',
    labelNames: ['table'] as const,
    registers: [this.registry],
  });
  readonly compactionQuarantined = new Counter({
    name: 'shoplake_compaction_quarantined_records_total',
    help: 'Acknowledged records that ingest refused at compaction (their keys are forgotten so a retry is stored)',
    labelNames: ['table'] as const,
    registers: [this.registry],
  });
  readonly walWriteFailures = new Counter({
    name: 'shoplake_wal_write_failures_total',
    help: 'WAL writes that failed or came up short (full disk, I/O error); their requests got 503',
    labelNames: ['code'] as const,
    registers: [this.registry],
  });
  readonly walWritable = new Gauge({
    name: 'shoplake_wal_writable',
    help: '1 while the WAL takes writes, 0 after a failed write until a probe write succeeds',
    registers: [this.registry],
  });
  readonly quarantineWriteFailures = new Counter({
    name: 'shoplake_quarantine_write_failures_total',
    help: 'Rejected records whose copy could not be written to the collector quarantine (the client got its answer)',
    registers: [this.registry],
  });
  // prom-client's default Node metrics are left out: three of them fail `promtool check metrics`.
  readonly memory = new Gauge({
    name: 'shoplake_process_resident_memory_bytes',
    help: 'Resident memory of the collector process',
    registers: [this.registry],
    collect() {
      this.set(process.memoryUsage.rss());
    },
  });
}
