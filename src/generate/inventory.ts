import { PRODUCTS, REGION_WEIGHTS, REGIONS } from './catalog.js';
import type { Order } from './order-line.js';
import { Rng } from './rng.js';
import type { CsvWriter } from './writer.js';

/** Headers of the inventory world's files (docs/DATA.md, "Inventory"). */
export const WAREHOUSE_HEADER = 'warehouse_id,warehouse_name,region';
export const STOCK_LEVEL_HEADER =
  'warehouse_id,product_id,counted_at,on_hand,reorder_point,order_quantity,lead_time_days';
export const MOVEMENT_HEADER =
  'movement_id,warehouse_id,product_id,moved_at,movement_type,quantity,reference';
export const LOST_DEMAND_HEADER = 'order_time,warehouse_id,product_id,customer_id,quantity';
export const REPLENISHMENT_HEADER =
  'replenishment_id,warehouse_id,product_id,ordered_at,quantity,due_at,received';
export const FINAL_STOCK_HEADER = 'warehouse_id,product_id,on_hand';

const DAY = 86400;
/** Mean units per order line, only to size the policy (as products.ts sizes stock). */
const MEAN_QTY = 1.3;
/** Today's policy orders this many days of expected demand at a time. */
export const POLICY_ORDER_DAYS = 14;
/** Today's reorder point covers this multiple of expected lead-time demand (no real safety stock). */
export const POLICY_COVER = 1.0;
/** Chance per day and stocked product × warehouse of a shrinkage adjustment (one unit lost or found). */
const SHRINK_CHANCE = 0.03;
/** Sales movements stop this long before the end: the warehouse system's export lags the shop. */
export const SALES_EXPORT_LAG = DAY;

/** The warehouse of region r: one per region, id WH-<region>. */
export function warehouseId(r: number): string {
  return `WH-${REGIONS[r]}`;
}

/** The files the inventory world writes to. */
export interface InventoryWriters {
  warehouses: CsvWriter;
  levels: CsvWriter;
  movements: CsvWriter;
  lost: CsvWriter;
  replenishments: CsvWriter;
  finalStock: CsvWriter;
}

interface Receipt {
  at: number;
  qty: number;
  id: string;
}

/**
 * Stock per product × region warehouse under today's (s, Q) policy: a sale that the warehouse cannot
 * fill is lost demand (censored), a sale that takes the inventory position to s or below orders Q units
 * that arrive exactly lead_time_days later. Orders reach it in time order (OrderGenerator writes hour by
 * hour, sorted), so stock is simulated exactly as the order lines are decided.
 */
export class InventoryWorld {
  private readonly np = PRODUCTS.length;
  private readonly onHand: Int32Array;
  private readonly onOrder: Int32Array;
  private readonly reorderPoint: Int32Array;
  private readonly orderQty: Int32Array;
  private readonly lead: Int32Array;
  private readonly pending: Receipt[][];
  private readonly rng: Rng;
  private readonly salesUntil: number;
  private movementNo = 0;
  private poNo = 0;
  lost = 0;

  constructor(
    private readonly startSec: number,
    private readonly endSec: number,
    ordersPerDay: number,
    seed: number,
    private readonly out: InventoryWriters,
    private readonly times: { format(t: number): string },
    private readonly customerId: (cust: number) => string,
  ) {
    this.rng = new Rng(seed, 21);
    this.salesUntil = endSec - SALES_EXPORT_LAG;
    const n = REGIONS.length * this.np;
    this.onHand = new Int32Array(n);
    this.onOrder = new Int32Array(n);
    this.reorderPoint = new Int32Array(n);
    this.orderQty = new Int32Array(n);
    this.lead = new Int32Array(n);
    this.pending = Array.from({ length: n }, () => []);
    const totalPop = PRODUCTS.reduce((s, p) => s + p.popularity, 0);
    const counted = times.format(startSec);
    for (let r = 0; r < REGIONS.length; r++) {
      out.warehouses.line(`${warehouseId(r)},${REGIONS[r]} fulfilment centre,${REGIONS[r]}`);
      for (let p = 0; p < this.np; p++) {
        const prod = PRODUCTS[p] as (typeof PRODUCTS)[number];
        const slot = r * this.np + p;
        const daily = (ordersPerDay * prod.popularity * (REGION_WEIGHTS[r] as number) * MEAN_QTY) / totalPop;
        const lead = Math.max(1, prod.leadTimeDays + this.rng.range(-2, 2));
        const s = Math.ceil(daily * lead * POLICY_COVER);
        const q = Math.max(1, Math.ceil(daily * POLICY_ORDER_DAYS));
        this.lead[slot] = lead;
        this.reorderPoint[slot] = s;
        this.orderQty[slot] = q;
        this.onHand[slot] = s + this.rng.int(q + 1);
        out.levels.line(`${warehouseId(r)},${prod.id},${counted},${this.onHand[slot]},${s},${q},${lead}`);
      }
    }
  }

  private slotOf(o: Order): number {
    return o.region * this.np + o.prod;
  }

  private movement(slot: number, t: number, type: string, qty: number, ref: string): void {
    this.movementNo++;
    const r = Math.floor(slot / this.np);
    const prod = PRODUCTS[slot % this.np] as (typeof PRODUCTS)[number];
    this.out.movements.line(
      `MV${this.movementNo},${warehouseId(r)},${prod.id},${this.times.format(t)},${type},${qty},${ref}`,
    );
  }

  /** Receives every replenishment of a slot that has arrived by time t (inclusive). */
  private settle(slot: number, t: number): void {
    const queue = this.pending[slot] as Receipt[];
    while (queue.length > 0 && (queue[0] as Receipt).at <= t) {
      const rc = queue.shift() as Receipt;
      this.onHand[slot] = (this.onHand[slot] as number) + rc.qty;
      this.onOrder[slot] = (this.onOrder[slot] as number) - rc.qty;
      this.movement(slot, rc.at, 'RECEIPT', rc.qty, rc.id);
    }
  }

  /** Whether the region's warehouse can fill the line at its time; if not, records it as lost demand. */
  available(o: Order): boolean {
    const slot = this.slotOf(o);
    this.settle(slot, o.t);
    if ((this.onHand[slot] as number) >= o.qty) return true;
    this.lost++;
    const prod = PRODUCTS[o.prod] as (typeof PRODUCTS)[number];
    this.out.lost.line(
      `${this.times.format(o.t)},${warehouseId(o.region)},${prod.id},${this.customerId(o.cust)},${o.qty}`,
    );
    return false;
  }

  /** Takes a placed line's units (a cancelled line takes none) and reorders at the reorder point. */
  sold(o: Order, orderId: string, cancelled: boolean): void {
    if (cancelled) return;
    const slot = this.slotOf(o);
    this.onHand[slot] = (this.onHand[slot] as number) - o.qty;
    if (o.t < this.salesUntil) this.movement(slot, o.t, 'SALE', -o.qty, orderId);
    const position = (this.onHand[slot] as number) + (this.onOrder[slot] as number);
    if (position > (this.reorderPoint[slot] as number)) return;
    const q = this.orderQty[slot] as number;
    const due = o.t + (this.lead[slot] as number) * DAY;
    const id = `PO${++this.poNo}`;
    this.onOrder[slot] = (this.onOrder[slot] as number) + q;
    (this.pending[slot] as Receipt[]).push({ at: due, qty: q, id });
    const prod = PRODUCTS[o.prod] as (typeof PRODUCTS)[number];
    this.out.replenishments.line(
      `${id},${warehouseId(o.region)},${prod.id},${this.times.format(o.t)},${q},${this.times.format(due)},${due < this.endSec ? 1 : 0}`,
    );
  }

  /** After hour h: at each midnight inside the window, receipts due and a few shrinkage adjustments. */
  endOfHour(h: number): void {
    const t = this.startSec + (h + 1) * 3600;
    if ((h + 1) % 24 !== 0 || t >= this.endSec) return;
    for (let slot = 0; slot < this.onHand.length; slot++) {
      this.settle(slot, t);
      if (!this.rng.chance(SHRINK_CHANCE)) continue;
      // Mostly shrinkage (damaged, stolen); sometimes a recount finds a unit.
      const delta = this.rng.chance(0.8) ? -1 : 1;
      if ((this.onHand[slot] as number) + delta < 0) continue;
      this.onHand[slot] = (this.onHand[slot] as number) + delta;
      this.movement(slot, t, 'ADJUSTMENT', delta, 'COUNT');
    }
  }

  /** Receives what arrives before the end and writes the true stock at the end (labels/). */
  finish(): void {
    for (let slot = 0; slot < this.onHand.length; slot++) {
      this.settle(slot, this.endSec - 1);
      const r = Math.floor(slot / this.np);
      const prod = PRODUCTS[slot % this.np] as (typeof PRODUCTS)[number];
      this.out.finalStock.line(`${warehouseId(r)},${prod.id},${this.onHand[slot]}`);
    }
  }
}
