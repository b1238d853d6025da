import type { CustomerProfile, OrderFacts } from './order-facts.js';

/** The model's features, in vector order; docs/FRAUD.md says what each measures. */
export const FEATURES = [
  'orders_10m',
  'orders_1h',
  'orders_24h_vs_usual',
  'amount_vs_customer',
  'amount_vs_product',
  'quantity_vs_customer',
  'no_history',
  'ships_away_from_home',
  'new_ship_region',
  'new_device',
  'foreign_ip',
  'new_ip_country',
  'new_account_large_basket',
  'payment_change',
  'gift_card',
  'prior_cancel_rate',
  'small_order_burst',
  'expensive_burst',
  'amount_vs_all',
  'new_device_and_foreign_ip',
] as const;
export type FeatureName = (typeof FEATURES)[number];
const F = Object.fromEntries(FEATURES.map((f, i) => [f, i])) as Record<FeatureName, number>;

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;
/** Timestamps kept per customer for the velocity windows. */
const RECENT = 32;
/** A device or IP country first seen this recently still counts as new (a burst from one new device). */
export const NEW_FOR_MS = DAY;
/** A new account: at most this many days old. */
export const NEW_ACCOUNT_DAYS = 7;

/** Running mean and variance (Welford) of a log amount. */
class Moments {
  n = 0;
  mean = 0;
  m2 = 0;
  add(v: number): void {
    this.n++;
    const d = v - this.mean;
    this.mean += d / this.n;
    this.m2 += d * (v - this.mean);
  }
  std(floor: number): number {
    return this.n > 1 ? Math.max(floor, Math.sqrt(this.m2 / (this.n - 1))) : floor;
  }
}

/** What the model remembers of one customer. */
export interface CustomerState {
  n: number;
  firstT: number;
  recent: number[];
  /** Amounts of the recent orders (same order as `recent`). */
  recentAmounts: number[];
  amount: Moments;
  quantity: Moments;
  regions: Map<string, number>;
  devices: Map<string, number>;
  ips: Map<string, number>;
  payments: Map<string, number>;
  /** How often each IP country was seen (the usual one is the most frequent). */
  ipCounts: Map<string, number>;
  /** The most frequent IP country and payment method, kept as their counts change (`count`). */
  topIp: Top;
  topPayment: Top;
  cancelled: number;
}

/** The key with the highest count of a counting map, the first inserted of those tied; null while empty. */
interface Top {
  key: string | null;
  n: number;
}

/** The context a score's reasons are worded from. */
export interface FeatureContext {
  customer: CustomerState | undefined;
  profile: CustomerProfile | undefined;
  customerMedian: number | null;
  productMedian: number | null;
  usualPerDay: number;
  topIp: string | null;
  topPayment: string | null;
  accountAgeDays: number | null;
}

/** A context to fill (`featuresInto`), its fields in the order they are written. */
export const emptyContext = (): FeatureContext => ({
  customer: undefined,
  profile: undefined,
  customerMedian: null,
  productMedian: null,
  usualPerDay: 0,
  topIp: null,
  topPayment: null,
  accountAgeDays: null,
});

const log = (amount: number) => Math.log(Math.max(amount, 0.01));
/**
 * Adds one to `key`'s count in `m` and keeps `top` the key with the highest count, the first inserted of
 * those tied (what a scan of the map in insertion order picks). Scanning both maps for every order cost
 * more than keeping the answer: counts only grow by one, so only a tie needs the insertion order.
 */
function count(m: Map<string, number>, key: string, top: Top): void {
  const n = (m.get(key) ?? 0) + 1;
  m.set(key, n);
  if (top.key === null || key === top.key || n > top.n) {
    top.key = key;
    top.n = n;
  } else if (n === top.n) {
    // A tie: whichever of the two the map holds first.
    for (const k of m.keys()) {
      if (k === key) {
        top.key = key;
        break;
      }
      if (k === top.key) break;
    }
  }
}

/**
 * Per-customer, per-product and global behaviour, updated order by order. `features` reads the state
 * as it was before the order; `update` then adds the order. Rebuilt from the lake at start (load.ts).
 */
export class FraudState {
  readonly customers = new Map<string, CustomerState>();
  private readonly products = new Map<string, Moments>();
  private readonly all = new Moments();
  orders = 0;

  constructor(readonly profiles: Map<string, CustomerProfile> = new Map()) {}

  /**
   * The feature vector of an order against the state before it, with what its reasons need. Every element of
   * `x` is written: a caller that does not keep the vector passes one to reuse (a fresh Float64Array per
   * order was a third of this function's time).
   */
  features(
    o: OrderFacts,
    x = new Float64Array(FEATURES.length),
  ): { x: Float64Array; context: FeatureContext } {
    const context = emptyContext();
    this.featuresInto(o, x, context);
    return { x, context };
  }

  /**
   * `features` into a vector and a context the caller owns and reuses: every field of both is written. The
   * live scorer words reasons before the next order, so one of each serves every order (two objects per
   * order were most of what scoring allocated once the vector was reused).
   */
  featuresInto(o: OrderFacts, x: Float64Array, context: FeatureContext): void {
    const c = o.customerId === null ? undefined : this.customers.get(o.customerId);
    const profile = o.customerId === null ? undefined : this.profiles.get(o.customerId);
    const product = this.products.get(o.productId);
    const la = log(o.amount);
    let in10m = 0;
    let in1h = 0;
    let in24h = 0;
    let smallRecent = 0;
    if (c) {
      for (let i = 0; i < c.recent.length; i++) {
        const dt = o.t - (c.recent[i] as number);
        if (dt < 0) continue;
        if (dt <= 10 * MINUTE) {
          in10m++;
          if ((c.recentAmounts[i] as number) < 60) smallRecent++;
        }
        if (dt <= HOUR) in1h++;
        if (dt <= DAY) in24h++;
      }
    }
    const spanDays = c ? Math.max(1, (o.t - c.firstT) / DAY) : 1;
    const usualPerDay = c ? c.n / spanDays : 0;
    x[F.orders_10m] = Math.log1p(in10m);
    x[F.orders_1h] = Math.log1p(in1h);
    x[F.orders_24h_vs_usual] = c ? Math.log((in24h + 1) / (usualPerDay + 0.2)) : 0;
    const history = c !== undefined && c.n > 0;
    x[F.amount_vs_customer] = history ? clamp((la - c.amount.mean) / c.amount.std(0.5), -4, 6) : 0;
    x[F.quantity_vs_customer] = history
      ? clamp(Math.log(Math.max(1, o.quantity)) - c.quantity.mean, -2, 4)
      : 0;
    x[F.amount_vs_product] =
      product && product.n > 10 ? clamp((la - product.mean) / product.std(0.3), -4, 8) : 0;
    const vsAll = this.all.n > 10 ? clamp((la - this.all.mean) / this.all.std(0.5), -4, 6) : 0;
    x[F.amount_vs_all] = vsAll;
    x[F.no_history] = history ? 0 : 1;
    const home = profile?.region ?? null;
    x[F.ships_away_from_home] = home !== null && o.region !== null && o.region !== home ? 1 : 0;
    x[F.new_ship_region] = history && o.region !== null && !c.regions.has(o.region) ? 1 : 0;
    const deviceSeen = o.deviceId !== null && c ? c.devices.get(o.deviceId) : undefined;
    const newDevice =
      history && o.deviceId !== null && (deviceSeen === undefined || o.t - deviceSeen < NEW_FOR_MS);
    x[F.new_device] = newDevice ? 1 : 0;
    const topIp = c ? c.topIp.key : null;
    const foreign = history && o.ipCountry !== null && topIp !== null && o.ipCountry !== topIp;
    x[F.foreign_ip] = foreign ? 1 : 0;
    const ipSeen = o.ipCountry !== null && c ? c.ips.get(o.ipCountry) : undefined;
    x[F.new_ip_country] =
      history && o.ipCountry !== null && (ipSeen === undefined || o.t - ipSeen < NEW_FOR_MS) ? 1 : 0;
    const age =
      o.accountAgeDays ?? (profile?.signupMs != null ? Math.max(0, (o.t - profile.signupMs) / DAY) : null);
    x[F.new_account_large_basket] = age !== null && age <= NEW_ACCOUNT_DAYS ? Math.max(0, vsAll) : 0;
    const topPayment = c ? c.topPayment.key : null;
    x[F.payment_change] =
      c && c.n >= 2 && o.payment !== null && topPayment !== null && o.payment !== topPayment ? 1 : 0;
    x[F.gift_card] = o.payment === 'gift_card' ? 1 : 0;
    x[F.prior_cancel_rate] = c && c.n > 0 ? c.cancelled / c.n : 0;
    x[F.small_order_burst] = o.amount < 60 ? Math.log1p(smallRecent) : 0;
    x[F.expensive_burst] = Math.log1p(in1h) * Math.max(0, x[F.amount_vs_product] as number);
    x[F.new_device_and_foreign_ip] = newDevice && (foreign || (x[F.new_ip_country] as number) > 0) ? 1 : 0;
    context.customer = c;
    context.profile = profile;
    context.customerMedian = history ? Math.exp(c.amount.mean) : null;
    context.productMedian = product && product.n > 10 ? Math.exp(product.mean) : null;
    context.usualPerDay = usualPerDay;
    context.topIp = topIp;
    context.topPayment = topPayment;
    context.accountAgeDays = age;
  }

  /** Adds an order to the state (after it was scored). */
  update(o: OrderFacts): void {
    this.orders++;
    const la = log(o.amount);
    this.all.add(la);
    let p = this.products.get(o.productId);
    if (!p) {
      p = new Moments();
      this.products.set(o.productId, p);
    }
    p.add(la);
    if (o.customerId === null) return;
    let c = this.customers.get(o.customerId);
    if (!c) {
      c = {
        n: 0,
        firstT: o.t,
        recent: [],
        recentAmounts: [],
        amount: new Moments(),
        quantity: new Moments(),
        regions: new Map(),
        devices: new Map(),
        ips: new Map(),
        payments: new Map(),
        ipCounts: new Map(),
        topIp: { key: null, n: 0 },
        topPayment: { key: null, n: 0 },
        cancelled: 0,
      };
      this.customers.set(o.customerId, c);
    }
    c.n++;
    c.firstT = Math.min(c.firstT, o.t);
    c.recent.push(o.t);
    c.recentAmounts.push(o.amount);
    if (c.recent.length > RECENT) {
      c.recent.shift();
      c.recentAmounts.shift();
    }
    c.amount.add(la);
    c.quantity.add(Math.log(Math.max(1, o.quantity)));
    if (o.region !== null) c.regions.set(o.region, (c.regions.get(o.region) ?? 0) + 1);
    if (o.deviceId !== null && !c.devices.has(o.deviceId)) c.devices.set(o.deviceId, o.t);
    if (o.ipCountry !== null) {
      if (!c.ips.has(o.ipCountry)) c.ips.set(o.ipCountry, o.t);
      count(c.ipCounts, o.ipCountry, c.topIp);
    }
    if (o.payment !== null) count(c.payments, o.payment, c.topPayment);
    if (o.status === 'CANCELLED') c.cancelled++;
  }
}

function clamp(v: number, lo: number, hi: number): number {
  return v < lo ? lo : Math.min(v, hi);
}
