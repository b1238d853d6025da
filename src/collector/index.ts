export { createApp } from './app.js';
export { Collector, type CollectResult } from './collector.js';
export type { Backlog, CompactionReport } from './compactor.js';
export { type CollectorConfig, collectorConfigSchema, loadCollectorConfig } from './config.js';
export { FraudHook, type FraudOptions } from './fraud-hook.js';
export type { ScoringStatus } from './fraud-scorer.js';
export { COLLECTED_TABLES, type CollectedTable, contentEventId, type Rejection } from './records.js';
export { type RunningCollector, type StartOptions, startCollector } from './server.js';
export { walDirectory, walSegments } from './wal.js';
