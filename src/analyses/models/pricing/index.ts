export {
  type DailySales,
  type DesignSpec,
  designMatrix,
  designRow,
  designSpec,
  type ElasticityEstimate,
  type ElasticityStatus,
  estimateElasticity,
  isBlackFriday,
  MIN_DAY_SHARE,
  MIN_DAYS,
  predictLines,
} from './elasticity.js';
export { confidenceInterval, fitOls, type OlsFit, tQuantile } from './ols.js';
export { expectedChange, marginChange, optimalPrice, type PriceObjective } from './recommend.js';
