export { AnalysisTracker } from './analysis-tracker.js';
export { BusinessAggregates, type BusinessTotals, RECENT_WINDOW_MS } from './business.js';
export { boundedRegions, MAX_REGIONS, OTHER } from './labels.js';
export { LakeStats, type TableStats } from './lake-stats.js';
export { FRAUD_ALERTS_METRIC, MonitoringMetrics } from './metrics.js';
export { LakeMonitor, type MonitorOptions } from './monitor.js';
