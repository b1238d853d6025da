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
}
