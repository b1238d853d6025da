import type { Calendar } from './calendar.js';
import { TimeFormat } from './calendar.js';
import { PRODUCTS } from './catalog.js';
import type { Customers } from './customers.js';
import { EventBucket } from './events.js';
import {
  ABANDON_STAGE_CUM,
  ACTIONS,
  BROWSE_DEVICE_CUM,
  DEVICES,
  Journey,
  PAGES,
  PURCHASE_DEVICE_CUM,
  STAGE_PURCHASE,
} from './journey.js';
import type { Order } from './order-line.js';
import { pickProduct } from './pick.js';
import { Rng } from './rng.js';
import type { CsvWriter } from './writer.js';

export { CLICK_HEADER } from '../seed/index.js';
/** Share of non-purchasing sessions made by visitors who are not logged in. */
export const GUEST_SHARE = 0.35;

/**
 * Writes clickstream.csv with exactly `total` events: purchasing sessions built backwards from orders,
 * then browsing sessions filling each hour up to its share of the event budget. Events are held per hour
 * and written in time order once no later session can reach back into that hour (journeys span < 1 hour).
 */
export class ClickstreamGenerator {
  private readonly rng: Rng;
  private readonly journey = new Journey();
  private readonly times = new TimeFormat();
  private readonly buckets = new Map<number, EventBucket>();
  private readonly sessionWidth: number;
  private nextFlush = 0;
  committed = 0;
  sessions = 0;
  purchaseSessions = 0;
  /** Per session (index = number − 1): 1 if it purchased; kept only when an experiment needs it. */
  readonly purchased: Uint8Array | undefined;

  constructor(
    private readonly cal: Calendar,
    private readonly customers: Customers,
    private readonly total: number,
    private readonly clickStart: number,
    /** Chance that an order inside the clickstream window gets a purchasing session. */
    readonly sessionShare: number,
    seed: number,
    private readonly out: CsvWriter,
    trackPurchases: boolean,
  ) {
    this.rng = new Rng(seed, 4);
    this.sessionWidth = Math.max(6, String(total).length);
    this.purchased = trackPurchases ? new Uint8Array(total) : undefined;
    this.nextFlush = Math.floor((clickStart - cal.startSec) / 3600);
  }

  /** Adds the purchasing session that ends with this order, if the order has one. */
  purchaseSession(o: Order): void {
    const rng = this.rng;
    if (o.t < this.clickStart || !rng.chance(this.sessionShare)) return;
    const j = this.journey;
    j.build(rng, STAGE_PURCHASE, o.prod, true);
    if (this.committed + j.length > this.total) j.minimalPurchase(rng, o.prod);
    if (this.committed + j.length > this.total) return;
    const start = o.t - j.span();
    // The session must lie inside the clickstream window and after the customer signed up.
    if (start < this.clickStart || start < (this.customers.signup[o.cust] as number)) return;
    const device = rng.pickCumulative(PURCHASE_DEVICE_CUM);
    this.emit(start, o.cust, device, j.length, true);
    this.purchaseSessions++;
  }

  /** Adds browsing sessions starting in hour h until `target` events are committed overall. */
  fill(h: number, target: number): void {
    const rng = this.rng;
    const j = this.journey;
    const hourStart = this.cal.startSec + h * 3600;
    while (this.committed < target) {
      const device = rng.pickCumulative(BROWSE_DEVICE_CUM);
      let stage = rng.pickCumulative(ABANDON_STAGE_CUM[device] as Float64Array);
      let start = hourStart + rng.int(3600);
      const guest = rng.chance(GUEST_SHARE);
      const cust = guest ? -1 : this.customers.pick(rng, start);
      if (cust >= 0) stage = this.customers.abandonStage(rng, cust, start, stage);
      j.build(rng, stage, pickProduct(rng, this.cal, start, cust), !guest);
      // The last session may be cut short so the file holds exactly `total` events.
      j.length = Math.min(j.length, this.total - this.committed);
      if (start + j.span() >= this.cal.endSec) start = this.cal.endSec - 1 - j.span();
      this.emit(start, cust, device, j.length, false);
    }
  }

  private emit(start: number, customer: number, device: number, length: number, purchase: boolean): void {
    const j = this.journey;
    const session = ++this.sessions;
    if (purchase && this.purchased) this.purchased[session - 1] = 1;
    let t = start;
    for (let i = 0; i < length; i++) {
      const packed =
        (j.action[i] as number) |
        ((j.page[i] as number) << 4) |
        (((j.product[i] as number) + 1) << 8) |
        (device << 28);
      const h = Math.floor((t - this.cal.startSec) / 3600);
      let b = this.buckets.get(h);
      if (!b) {
        b = new EventBucket();
        this.buckets.set(h, b);
      }
      b.push(t - this.cal.startSec - h * 3600, session, customer, packed, j.seconds[i] as number);
      t += j.seconds[i] as number;
    }
    this.committed += length;
  }

  /** Writes every hour before `h` in time order (ties keep creation order). */
  flushBefore(h: number): void {
    for (; this.nextFlush < h; this.nextFlush++) {
      const b = this.buckets.get(this.nextFlush);
      if (!b) continue;
      this.buckets.delete(this.nextFlush);
      const hourStart = this.cal.startSec + this.nextFlush * 3600;
      const ids = this.customers.ids;
      b.forEachSorted((i, offset) => {
        const p = b.packed[i] as number;
        const c = b.customer[i] as number;
        const prod = (p >> 8) & 0xfffff;
        this.out.line(
          `${this.times.format(hourStart + offset)},SESSION${String(b.session[i]).padStart(this.sessionWidth, '0')},` +
            `${c < 0 ? 'GUEST' : ids[c]},${ACTIONS[p & 15]},${PAGES[(p >> 4) & 15]},` +
            `${prod === 0 ? '' : PRODUCTS[prod - 1]?.id},${DEVICES[p >> 28]},${b.seconds[i]}`,
        );
      });
    }
  }
}
