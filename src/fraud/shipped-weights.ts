import { FEATURES } from './features.js';
import type { ModelWeights } from './model.js';

/** Default alert threshold: the best F1 of the shipped weights on a generated dataset they were not fitted on. */
export const SHIPPED_THRESHOLD = 0.3;

// Fitted by `shoplake fraud train` on `shoplake generate --seed 1 --as-of 2026-11-25` (50,000 orders,
// 5,000 customers, labels/fraud.csv) and checked on --seed 42 (docs/FRAUD.md "Weights"). Refit on your
// own labels with `shoplake fraud train`, which writes <data>/fraud/model.json; that file, when present,
// replaces these.
const BY_FEATURE: Record<(typeof FEATURES)[number], number> = {
  orders_10m: 0.7938,
  orders_1h: 0.4924,
  orders_24h_vs_usual: 0.149,
  amount_vs_customer: -0.1235,
  amount_vs_product: -0.5749,
  quantity_vs_customer: 0.9957,
  no_history: 2.6254,
  ships_away_from_home: 4.8515,
  new_ship_region: -1.2476,
  new_device: 3.9308,
  foreign_ip: 5.0411,
  new_ip_country: -0.8172,
  new_account_large_basket: 0.4313,
  payment_change: 1.8277,
  gift_card: 1.0231,
  prior_cancel_rate: 1.461,
  small_order_burst: 2.4119,
  expensive_burst: -0.3733,
  amount_vs_all: 1.367,
  new_device_and_foreign_ip: -1.4561,
};

/** The weights shoplake ships with. */
export const SHIPPED_WEIGHTS: ModelWeights = {
  version: 'generated-seed1-50k-v2',
  features: [...FEATURES],
  weights: FEATURES.map((f) => BY_FEATURE[f]),
  anomalyWeight: 2.4634,
  bias: -10.7553,
  threshold: SHIPPED_THRESHOLD,
};
