export { type AlertBody, AlertDispatcher, type AlertOptions, type AlertOrder, alertOrder } from './alerts.js';
export { type BacktestReport, backtest, type ScorerFigures } from './backtest.js';
export { FEATURES, type FeatureName, FraudState } from './features.js';
export { averagePath, IsolationForest } from './isolation-forest.js';
export { LiveQueue, type OrderChecks } from './live-queue.js';
export {
  countOrders,
  type FactsBatch,
  LAKE_MEMORY,
  loadLabels,
  loadOrderFacts,
  loadProfiles,
  openLake,
  scoredOrders,
  streamOrderFacts,
} from './load.js';
export { fitLogistic, fitLogisticPacked, type PackedRows, sigmoid } from './logistic.js';
export { atThreshold, averagePrecision, prCurve, recallAtPrecision } from './metrics.js';
export {
  DEFAULT_THRESHOLD,
  FraudModel,
  type FraudScore,
  type ModelWeights,
  modelWeightsSchema,
} from './model.js';
export { blankFacts, type CustomerProfile, type OrderFacts, orderFactsSchema } from './order-facts.js';
export { OrderIdList } from './order-ids.js';
export { lakeTimestamp, REASON_SEPARATOR, scoreRecord } from './records.js';
export { labelOrder, type ScoreOptions, type ScoreReport, scoreUnscored } from './score-lake.js';
export { SHIPPED_THRESHOLD, SHIPPED_WEIGHTS } from './shipped-weights.js';
export { loadFraudRows, loadWeights, modelFile, saveWeights } from './store.js';
export {
  FOREST_SAMPLE,
  fitWeights,
  growForest,
  KEEP_UNSCORED,
  type LakeScored,
  type LakeScoring,
  type RebuildOptions,
  type Rebuilt,
  type ReplayProgress,
  rebuildFromLake,
  replayFeatures,
  SCORE_BATCH,
  scoreLake,
  trainWeights,
} from './train.js';
