export { chiSquareGoodnessOfFit, chiSquareSurvival, gammaP, logGamma } from './chisq.js';
export { type Exposure, expectedPurchases, fitNbd, type NbdModel, shrunkOrderValue } from './nbd.js';
export { erfc, normalCdf, normalQuantile } from './normal.js';
export {
  type Interval,
  minSampleSize,
  type TwoProportionTest,
  twoProportionTest,
  wilsonInterval,
} from './proportions.js';
export { median, quantileSorted } from './summary.js';
