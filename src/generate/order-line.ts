// Its own module so that orders.ts and the modules it draws from (fraud, clickstream) share the type
// without importing each other.
/** One order line before it gets its id (ids follow time order, assigned when the hour is written). */
export interface Order {
  t: number;
  cust: number;
  prod: number;
  qty: number;
  priceCents: number;
  region: number;
  fraud: number;
  /** Fraud-check fields a fraudulent order fixes when drawn; absent = drawn as a legitimate order's. */
  signals?: OrderSignals;
}

/** What a fraudster controls in an order's check fields (see order-checks.ts). */
export interface OrderSignals {
  /** Device number (a fresh one for a fraudster's own device). */
  device?: number;
  foreignIp: boolean;
  payment: number;
}
