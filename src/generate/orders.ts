import type { Calendar } from './calendar.js';
import { TimeFormat } from './calendar.js';
import { complementsOf, PRODUCTS, REGIONS } from './catalog.js';
import { type Customers, idFormatter } from './customers.js';
import { drawFraud, FRAUD_PATTERNS, FraudPlanner, fraudCancelRate } from './fraud.js';
import type { InventoryWorld } from './inventory.js';
import { bulkLine, legitShipRegion, newCustomerProduct, repeatOrders } from './lookalikes.js';
import { BuyerTraits, OrderChecks } from './order-checks.js';
import type { Order } from './order-line.js';
import { pickProduct } from './pick.js';
import { Rng } from './rng.js';
import { type CsvWriter, money } from './writer.js';

export { ORDER_HEADER } from '../seed/index.js';
export type { Order } from './order-line.js';

/** Quantity distributions (P(q = 1..5)) for cheap accessories and for everything else. */
const QTY_CHEAP = Float64Array.from([0.55, 0.8, 0.9, 0.96, 1]);
const QTY_DEFAULT = Float64Array.from([0.85, 0.95, 0.98, 0.995, 1]);
/** Items below this list price (cents) are bought several at a time more often. */
const CHEAP_CENTS = 5000;
/** Complement orders follow after 1 minute plus an exponential delay of this mean (seconds), capped. */
const COMPLEMENT_MEAN_DELAY = 40 * 60;
const COMPLEMENT_MAX_DELAY = 8 * 3600;
/** Status model: PENDING decays with order age in days; CANCELLED is flat. */
const PENDING_FLOOR = 0.03;
const PENDING_FRESH = 0.6;
const PENDING_DECAY_DAYS = 1.0;
const CANCEL_RATE = 0.05;

/**
 * Emits orders hour by hour: exactly `total` orders overall, following the calendar's hourly weights.
 * Complements and burst follow-ups are scheduled into later hours and count against those hours' budget.
 */
export class OrderGenerator {
  private readonly rng: Rng;
  private readonly scheduled = new Map<number, Order[]>();
  private readonly times = new TimeFormat();
  private readonly orderId: (n: number) => string;
  private current: Order[] = [];
  private hourIdx = 0;
  private emittedWritten = 0;
  private readonly traits: BuyerTraits;
  private readonly planner: FraudPlanner;
  private readonly checks: OrderChecks;
  emitted = 0;
  fraudCount = 0;
  /** Lines not placed because the warehouse was out of stock (only with an inventory world). */
  lost = 0;

  constructor(
    private readonly cal: Calendar,
    private readonly customers: Customers,
    private readonly total: number,
    seed: number,
    private readonly out: CsvWriter,
    private readonly labels: CsvWriter,
    checksOut: CsvWriter,
    private readonly inventory?: InventoryWorld,
  ) {
    this.rng = new Rng(seed, 3);
    this.orderId = idFormatter('ORD', total);
    this.traits = new BuyerTraits(customers, seed);
    this.planner = new FraudPlanner(customers, this.traits, (p, at) => cal.priceCents(p, at));
    this.checks = new OrderChecks(customers, this.traits, seed, checksOut);
  }

  /** Generates and writes hour h until `target` orders exist in total; returns the hour's orders by time. */
  hour(h: number, target: number): Order[] {
    this.hourIdx = h;
    this.current = [];
    const pending = this.scheduled.get(h) ?? [];
    this.scheduled.delete(h);
    for (const o of pending) this.add(o);
    const hourStart = this.cal.startSec + h * 3600;
    while (this.emitted < target) this.primary(hourStart + this.rng.int(3600));
    const sorted = sortByTime(this.current, hourStart);
    // Without an inventory world every line is placed; with one, out-of-stock lines are lost demand.
    return sorted.filter((o) => this.write(o));
  }

  private add(o: Order): void {
    if (o.t >= this.cal.endSec || this.emitted >= this.total) return;
    const h = Math.floor((o.t - this.cal.startSec) / 3600);
    if (h === this.hourIdx) {
      this.current.push(o);
      this.emitted++;
      return;
    }
    const list = this.scheduled.get(h);
    if (list) list.push(o);
    else this.scheduled.set(h, [o]);
  }

  private primary(t: number): void {
    const rng = this.rng;
    const cust = this.customers.pick(rng, t);
    const region = this.customers.region[cust] as number;
    const fraud = drawFraud(rng);
    const price = (p: number, at: number) => this.cal.priceCents(p, at);
    if (fraud !== 0) {
      for (const o of this.planner.orders(rng, fraud, t, cust)) this.add(o);
      return;
    }
    const demand = (at: number) => pickProduct(rng, this.cal, at, cust);
    const picked = demand(t);
    const drawn = this.priced(
      picked,
      newCustomerProduct(rng, picked, t - (this.customers.signup[cust] as number)),
      t,
    );
    const bulk = this.traits.business[cust] ? bulkLine(rng, drawn) : null;
    const prod = this.priced(drawn, bulk?.prod ?? drawn, t);
    const shipTo = legitShipRegion(rng, region);
    const first = {
      t,
      cust,
      prod,
      qty: bulk?.qty ?? this.qty(prod),
      priceCents: price(prod, t),
      region: shipTo,
      fraud,
    };
    this.add(first);
    // Repeat orders draw from the first order's day: a later one may fall past the calendar's last day.
    const again = (at: number) => {
      const p = demand(t);
      return { prod: p, qty: this.qty(p), priceCents: price(p, at) };
    };
    for (const o of repeatOrders(rng, first, again)) this.add(o);
    // Disengaging customers (churn, see customers.ts) add fewer complements: smaller baskets.
    const engaged = this.customers.engagement(cust, t);
    for (const c of complementsOf(prod)) {
      if (!rng.chance(c.p * engaged)) continue;
      const to = c.to[rng.pickCumulative(c.cum)] as number;
      const delay = 60 + Math.min(COMPLEMENT_MAX_DELAY, Math.floor(rng.exponential(COMPLEMENT_MEAN_DELAY)));
      const at = t + delay;
      // generate --pricing: a complement responds to its own price too (no draw without it).
      if (this.cal.pricing && !rng.chance(this.cal.priceAcceptance(to, at))) continue;
      this.add({ t: at, cust, prod: to, qty: this.qty(to), priceCents: price(to, at), region, fraud: 0 });
    }
  }

  /**
   * generate --pricing: a look-alike's substitute product (a new customer's big item, a business's office
   * order) goes ahead by the substitute's price response, else the demand-drawn product stays. Without
   * --pricing (or no substitution) it draws nothing, so the default output is unchanged.
   */
  private priced(drawn: number, substitute: number, t: number): number {
    if (!this.cal.pricing || substitute === drawn) return substitute;
    return this.rng.chance(this.cal.priceAcceptance(substitute, t)) ? substitute : drawn;
  }

  private qty(prod: number): number {
    const cheap = (PRODUCTS[prod]?.listCents ?? 0) < CHEAP_CENTS;
    return 1 + this.rng.pickCumulative(cheap ? QTY_CHEAP : QTY_DEFAULT);
  }

  /** Writes one line; false when the inventory world had no stock for it (the line is not placed). */
  private write(o: Order): boolean {
    const rng = this.rng;
    const ageDays = (this.cal.endSec - o.t) / 86400;
    const pPending = PENDING_FLOOR + PENDING_FRESH * Math.exp(-ageDays / PENDING_DECAY_DAYS);
    const pCancel = o.fraud ? fraudCancelRate(o.fraud) : CANCEL_RATE;
    const u = rng.float();
    const status = u < pPending ? 'PENDING' : u < pPending + pCancel ? 'CANCELLED' : 'COMPLETED';
    if (this.inventory && !this.inventory.available(o)) {
      this.lost++;
      return false;
    }
    const id = this.orderId(this.emittedWritten + 1);
    this.emittedWritten++;
    this.inventory?.sold(o, id, status === 'CANCELLED');
    // Integer cents: total is exactly quantity × price.
    const totalCents = o.qty * o.priceCents;
    if (status === 'COMPLETED') {
      const c = this.customers.completedCents;
      c[o.cust] = (c[o.cust] as number) + totalCents;
    }
    const p = PRODUCTS[o.prod] as (typeof PRODUCTS)[number];
    const date = this.times.format(o.t);
    this.out.line(
      `${id},${this.customers.ids[o.cust]},${p.id},${p.name},${o.qty},${money(o.priceCents)},` +
        `${money(totalCents)},${date},${status},${REGIONS[o.region]}`,
    );
    this.checks.write(id, date, o);
    if (o.fraud) {
      this.fraudCount++;
      this.labels.line(`${id},${FRAUD_PATTERNS[o.fraud]}`);
    }
    return true;
  }
}

/** Stable sort by time within one hour: packs (second offset, insertion index) into one float key. */
export function sortByTime<T extends { t: number }>(items: T[], hourStart: number): T[] {
  const keys = new Float64Array(items.length);
  for (let i = 0; i < items.length; i++) keys[i] = ((items[i] as T).t - hourStart) * 4294967296 + i;
  keys.sort();
  const out: T[] = new Array(items.length);
  for (let i = 0; i < keys.length; i++) out[i] = items[(keys[i] as number) % 4294967296] as T;
  return out;
}
