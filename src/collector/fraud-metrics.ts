import { Counter, Gauge, type Registry } from 'prom-client';
import { BatchHistogram } from './batch-histogram.js';

/** Buckets of the fraud score histogram (the worker counts its scores into them). */
export const SCORE_BUCKETS = [0.05, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 0.95, 0.99];

/** The fraud scorer's metrics on the collector's /metrics (the monitoring rules read the alerts counter). */
export class FraudMetrics {
  readonly scores: BatchHistogram;
  readonly alerts: Counter;
  readonly webhook: Counter<'outcome'>;
  readonly queue: Gauge;
  readonly startup: Gauge;
  readonly startupScored: Counter;

  /** `alerts` is the monitoring's counter (src/monitoring), which the fraud-spike alert rule reads. */
  constructor(registry: Registry, alerts: Counter) {
    this.scores = new BatchHistogram({
      name: 'shoplake_fraud_score',
      help: 'Fraud scores of the orders the collector scored (calibrated probability of fraud)',
      buckets: SCORE_BUCKETS,
      registers: [registry],
    });
    this.alerts = alerts;
    this.webhook = new Counter({
      name: 'shoplake_fraud_webhook_deliveries_total',
      help: 'Alert webhook calls by outcome (delivered, retried, failed, dropped)',
      labelNames: ['outcome'] as const,
      registers: [registry],
    });
    this.queue = new Gauge({
      name: 'shoplake_fraud_scoring_queue',
      help: 'Acknowledged orders waiting to be scored',
      registers: [registry],
    });
    this.startup = new Gauge({
      name: 'shoplake_fraud_startup_progress',
      help: "Share of the start-up's read of the lake done (0 to 1; 1 once scoring is live)",
      registers: [registry],
    });
    this.startupScored = new Counter({
      name: 'shoplake_fraud_startup_scored_total',
      help: 'Orders the lake held without a score, scored since this server started',
      registers: [registry],
    });
  }
}
