import { FEATURES } from './features.js';
import type { ModelWeights } from './model.js';

/** Default alert threshold: the best F1 of the shipped weights on a generated dataset they were not fitted on. */
export const SHIPPED_THRESHOLD = 0.3;

// Fitted by `shoplake fraud train` on `shoplake generate --seed 1 --as-of 2026-11-25` (50,000 orders,
// 5,000 customers, labels/fraud.csv) and checked on --seed 42 (docs/FRAUD.md "Weights"). Refit on your
// own labels with `shoplake fraud train`, which writes <data>/fraud/model.json; that file, when present,
// replaces these.
const BY_FEATURE: Record<(typeof FEATURES)[number], number> = {
  orders_10m: 1.3255,
  orders_1h: -0.192,
  orders_24h_vs_usual: 0.317,
  amount_vs_customer: -0.1184,
  amount_vs_product: -0.674,
  quantity_vs_customer: 0.9724,
  no_history: 2.6565,
  ships_away_from_home: 4.2141,
  new_ship_region: -0.7771,
  new_device: 3.5919,
  foreign_ip: 4.7082,
  new_ip_country: -0.8419,
  new_account_large_basket: 1.1309,
  payment_change: 1.5744,
  gift_card: 0.8693,
  prior_cancel_rate: 1.0632,
  small_order_burst: 2.51,
  expensive_burst: -0.3848,
  amount_vs_all: 1.341,
  new_device_and_foreign_ip: -1.3061,
};

/** The weights shoplake ships with. */
export const SHIPPED_WEIGHTS: ModelWeights = {
  version: 'generated-seed1-50k',
  features: [...FEATURES],
  weights: FEATURES.map((f) => BY_FEATURE[f]),
  anomalyWeight: 2.8603,
  bias: -10.3713,
  threshold: SHIPPED_THRESHOLD,
};
