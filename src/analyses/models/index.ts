export { type Interaction, ItemKnn } from './item-knn.js';
export { contributions, fitLogistic, type LogisticModel, predictLogistic } from './logistic.js';
export {
  averagePrecision,
  brierScore,
  calibrationError,
  precisionAtTop,
  rankingAtK,
  rocAuc,
} from './metrics.js';
