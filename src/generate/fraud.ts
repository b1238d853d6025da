import { FRAUD_PRODUCTS, PRODUCTS, REGIONS } from './catalog.js';
import type { Customers } from './customers.js';
import { type BuyerTraits, CARD, GIFT_CARD, PAYPAL } from './order-checks.js';
import type { Order, OrderSignals } from './order-line.js';
import type { Rng } from './rng.js';

/** Fraud pattern codes stored on orders; 0 = legitimate. Index = code. */
export const FRAUD_PATTERNS = [
  '',
  'account_takeover',
  'new_account',
  'card_testing',
  'burst',
  'unusual_amount',
] as const;
export const ACCOUNT_TAKEOVER = 1;
export const NEW_ACCOUNT = 2;
export const CARD_TESTING = 3;
export const BURST = 4;
export const UNUSUAL_AMOUNT = 5;

/** Per primary order: chance it starts each fraud pattern (docs/DATA.md "Fraud"). */
export const FRAUD_RATES = {
  accountTakeover: 0.0035,
  newAccount: 0.0004,
  cardTesting: 0.0008,
  burst: 0.0012,
  unusualAmount: 0.002,
};
/** Per fraudulent order, the chance of each visible signal (before the at-least-two rule). */
export const SIGNAL_RATES: Record<string, { newDevice: number; foreignIp: number; otherRegion: number }> = {
  account_takeover: { newDevice: 0.85, foreignIp: 0.7, otherRegion: 0.55 },
  new_account: { newDevice: 1, foreignIp: 0.45, otherRegion: 0.35 },
  card_testing: { newDevice: 1, foreignIp: 0.5, otherRegion: 0.2 },
  burst: { newDevice: 0.5, foreignIp: 0.4, otherRegion: 0.4 },
  unusual_amount: { newDevice: 0.5, foreignIp: 0.4, otherRegion: 0.4 },
};
/** A new account is one that signed up at most this many days before its fraudulent order. */
export const NEW_ACCOUNT_DAYS = 3;
/** Further orders of a burst, and seconds between them. */
export const BURST_EXTRA = [2, 5] as const;
export const BURST_GAP_SECONDS = [20, 240] as const;
/** Card testing: this many small orders, this many seconds apart. */
export const CARD_TEST_ORDERS = [3, 7] as const;
export const CARD_TEST_GAP_SECONDS = [15, 120] as const;
/** Quantity range of an unusual-amount order (always an expensive product). */
export const UNUSUAL_QTY = [8, 25] as const;
/** Chance that a fraudulent order ends up CANCELLED (card tests are mostly declined); legitimate: orders.ts. */
export const FRAUD_CANCEL_RATE = 0.25;
export const CARD_TEST_CANCEL_RATE = 0.6;

/** Products under $30: what card testers buy to check a stolen card. */
const SMALL_PRODUCTS = PRODUCTS.flatMap((p, i) => (p.listCents < 3000 ? [i] : []));
const DEVICE_SPACE = 255;

/** Draws the fraud pattern of a new primary order (0 for most). */
export function drawFraud(rng: Rng): number {
  let u = rng.float();
  const rates = [
    FRAUD_RATES.accountTakeover,
    FRAUD_RATES.newAccount,
    FRAUD_RATES.cardTesting,
    FRAUD_RATES.burst,
    FRAUD_RATES.unusualAmount,
  ];
  for (let i = 0; i < rates.length; i++) {
    u -= rates[i] as number;
    if (u < 0) return i + 1;
  }
  return 0;
}

/** The chance a fraudulent order of this pattern ends up CANCELLED. */
export function fraudCancelRate(pattern: number): number {
  return pattern === CARD_TESTING ? CARD_TEST_CANCEL_RATE : FRAUD_CANCEL_RATE;
}

/** A region other than the customer's. */
export function otherRegion(rng: Rng, region: number): number {
  return (region + 1 + rng.int(REGIONS.length - 1)) % REGIONS.length;
}

/** Builds the orders of one fraud case; every order carries at least two signals a check could see. */
export class FraudPlanner {
  private nextDevice: number;
  constructor(
    private readonly customers: Customers,
    private readonly traits: BuyerTraits,
    private readonly price: (prod: number, t: number) => number,
  ) {
    // Fraudsters' devices are numbered after every customer's own (see OrderChecks).
    this.nextDevice = customers.count * DEVICE_SPACE;
  }

  /** The orders of fraud `pattern` starting at t, against customer `victim` (or a new account). */
  orders(rng: Rng, pattern: number, t: number, victim: number): Order[] {
    if (pattern === NEW_ACCOUNT) {
      const fresh = this.newAccount(rng, t);
      if (fresh < 0) return this.orders(rng, ACCOUNT_TAKEOVER, t, victim);
      return this.series(rng, pattern, t, fresh, rng.range(1, 2), [60, 900], () => ({
        prod: expensive(rng),
        qty: rng.range(1, 2),
      }));
    }
    if (pattern === CARD_TESTING) {
      const n = rng.range(CARD_TEST_ORDERS[0], CARD_TEST_ORDERS[1]);
      return this.series(rng, pattern, t, victim, n, CARD_TEST_GAP_SECONDS, () => ({
        prod: SMALL_PRODUCTS[rng.int(SMALL_PRODUCTS.length)] ?? 0,
        qty: 1,
      }));
    }
    if (pattern === BURST) {
      const n = 1 + rng.range(BURST_EXTRA[0], BURST_EXTRA[1]);
      return this.series(rng, pattern, t, victim, n, BURST_GAP_SECONDS, () => ({
        prod: expensive(rng),
        qty: rng.range(1, 2),
      }));
    }
    if (pattern === UNUSUAL_AMOUNT) {
      return this.series(rng, pattern, t, victim, 1, [0, 0], () => ({
        prod: expensive(rng),
        qty: rng.range(UNUSUAL_QTY[0], UNUSUAL_QTY[1]),
      }));
    }
    // Account takeover: one to three orders, mostly expensive items.
    const n = rng.chance(0.6) ? 1 : rng.chance(0.75) ? 2 : 3;
    return this.series(rng, ACCOUNT_TAKEOVER, t, victim, n, [60, 900], () => {
      const prod = rng.chance(0.8) ? expensive(rng) : anyArrived(rng, t);
      return { prod, qty: rng.range(1, 3) };
    });
  }

  private series(
    rng: Rng,
    pattern: number,
    t0: number,
    cust: number,
    n: number,
    gap: readonly [number, number],
    item: () => { prod: number; qty: number },
  ): Order[] {
    const rates = SIGNAL_RATES[FRAUD_PATTERNS[pattern] ?? ''] ?? {
      newDevice: 1,
      foreignIp: 1,
      otherRegion: 1,
    };
    // A burst counts as one signal already; the others need two of their own.
    const needed = pattern === BURST || pattern === CARD_TESTING || pattern === UNUSUAL_AMOUNT ? 1 : 2;
    const flags = [rng.chance(rates.newDevice), rng.chance(rates.foreignIp), rng.chance(rates.otherRegion)];
    while (flags.filter(Boolean).length < needed) flags[rng.int(3)] = true;
    const home = this.customers.region[cust] as number;
    const region = flags[2] ? otherRegion(rng, home) : home;
    const signals: OrderSignals = {
      foreignIp: flags[1] === true,
      payment: this.payment(rng, cust),
      ...(flags[0] ? { device: this.nextDevice++ } : {}),
    };
    const out: Order[] = [];
    let t = t0;
    for (let i = 0; i < n; i++) {
      if (i > 0) t += rng.range(gap[0], gap[1]);
      const { prod, qty } = item();
      out.push({ t, cust, prod, qty, priceCents: this.price(prod, t), region, fraud: pattern, signals });
    }
    return out;
  }

  // Stolen cards mostly, some gift cards bought with them, a few hijacked wallets.
  private payment(rng: Rng, cust: number): number {
    const u = rng.float();
    if (u < 0.3) return this.traits.payment[cust] as number;
    return u < 0.75 ? CARD : u < 0.9 ? GIFT_CARD : PAYPAL;
  }

  /** A customer who signed up at most NEW_ACCOUNT_DAYS before t, or -1 if there is none. */
  private newAccount(rng: Rng, t: number): number {
    const signup = this.customers.signup;
    const lo = lowerBound(signup, t - NEW_ACCOUNT_DAYS * 86400);
    const hi = lowerBound(signup, t + 1);
    return hi > lo ? lo + rng.int(hi - lo) : -1;
  }
}

function expensive(rng: Rng): number {
  return FRAUD_PRODUCTS[rng.int(FRAUD_PRODUCTS.length)] ?? 0;
}

/** First index whose value is ≥ x in a sorted array. */
function lowerBound(a: Float64Array, x: number): number {
  let lo = 0;
  let hi = a.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if ((a[mid] as number) < x) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/**
 * Any product of the catalog already on sale at `t`: in a long-tail catalog some arrive during the window
 * (the seed's all exist from the start, so it draws exactly as before there).
 */
function anyArrived(rng: Rng, t: number): number {
  for (;;) {
    const p = rng.int(PRODUCTS.length);
    if ((PRODUCTS[p]?.arrivalSec ?? 0) <= t) return p;
  }
}
