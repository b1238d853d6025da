import { blankFacts, type OrderFacts } from './order-facts.js';

const FREE = 0;
/** In the arrival ring, its checks not in yet. */
const WAITING = 1;
/** Its checks are in: in the early ring (and maybe, stale, in the arrival ring). */
const EARLY = 2;

/** `to` (a longer array of the same kind) with `from` copied into its start. */
function widened<T extends Float64Array | Uint8Array | Int32Array>(from: T, to: T): T {
  to.set(from);
  return to;
}

/** FNV-1a over a text's UTF-16 code units. */
function hashOf(key: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < key.length; i++) h = Math.imul(h ^ key.charCodeAt(i), 0x01000193);
  return h | 0;
}

/**
 * A first-in first-out ring of slot numbers, each with the stamp its slot had when it was put in (a slot
 * freed and taken again gets a new stamp, so an entry left behind for it is known stale). Grows by doubling,
 * never shrinks: once it reached the worker's peak it allocates nothing.
 */
class SlotRing {
  private slots: Int32Array;
  private stamps: Int32Array;
  private head = 0;
  length = 0;

  constructor(capacity: number) {
    this.slots = new Int32Array(capacity);
    this.stamps = new Int32Array(capacity);
  }

  push(slot: number, stamp: number): void {
    if (this.length === this.slots.length) this.grow();
    const at = (this.head + this.length) & (this.slots.length - 1);
    this.slots[at] = slot;
    this.stamps[at] = stamp;
    this.length++;
  }

  /** The first entry's slot and stamp (length > 0). */
  firstSlot(): number {
    return this.slots[this.head] as number;
  }
  firstStamp(): number {
    return this.stamps[this.head] as number;
  }

  shift(): void {
    this.head = (this.head + 1) & (this.slots.length - 1);
    this.length--;
  }

  /** The i-th entry from the front (i < length). */
  slotAt(i: number): number {
    return this.slots[(this.head + i) & (this.slots.length - 1)] as number;
  }

  private grow(): void {
    const n = this.slots.length;
    const slots = new Int32Array(n * 2);
    const stamps = new Int32Array(n * 2);
    for (let i = 0; i < this.length; i++) {
      slots[i] = this.slots[(this.head + i) & (n - 1)] as number;
      stamps[i] = this.stamps[(this.head + i) & (n - 1)] as number;
    }
    this.slots = slots;
    this.stamps = stamps;
    this.head = 0;
  }
}

/**
 * The orders a live scorer holds until they are scored, in reused slots: each slot's facts object is the
 * pool's own (the order's fields are copied in), slots are found by order id through an open-addressing
 * table of slot numbers (linear probing, at most half full, deletion by shifting back), and the arrival
 * and early orders are rings of slot numbers. Nothing of it is made per order, and nothing is re-hashed as
 * the orders waiting fill and empty every batch: a new object, a queue entry and a Map's growth per order
 * were most of what the scoring worker allocated (docs/BENCHMARKS.md, "The scoring worker without garbage
 * per order"). Grows by doubling when full, never shrinks. Written here because no package pools objects
 * behind a string-keyed table that does not allocate per entry.
 */
export class WaitingOrders {
  private facts: OrderFacts[] = [];
  private arrived: Float64Array;
  private state: Uint8Array;
  private stamps: Int32Array;
  private hashes: Int32Array;
  /** Free slot numbers, a stack. */
  private free: Int32Array;
  private freeCount = 0;
  /** Slot + 1 per entry, 0 empty; twice the slots, a power of two. */
  private index: Int32Array;
  private mask: number;
  private nextStamp = 1;
  private readonly arrival: SlotRing;
  private readonly early: SlotRing;
  /** Orders held. */
  size = 0;

  constructor(capacity = 1024) {
    let n = 16;
    while (n < capacity) n *= 2;
    this.arrived = new Float64Array(n);
    this.state = new Uint8Array(n);
    this.stamps = new Int32Array(n);
    this.hashes = new Int32Array(n);
    this.free = new Int32Array(n);
    this.index = new Int32Array(n * 2);
    this.mask = n * 2 - 1;
    for (let s = n - 1; s >= 0; s--) this.free[this.freeCount++] = s;
    for (let s = 0; s < n; s++) this.facts.push(blankFacts());
    this.arrival = new SlotRing(n);
    this.early = new SlotRing(n);
  }

  /** Slots the pool has (grows by doubling as more orders wait at once). */
  get capacity(): number {
    return this.facts.length;
  }

  /** The slot of a held order, or −1. */
  find(orderId: string): number {
    return this.findHashed(orderId, hashOf(orderId));
  }

  /**
   * Holds a copy of `o` (an id not held: the caller checks), arrived at `now`; `early`: its checks are in
   * already (it goes to the early ring). Returns its slot, whose facts (`factsOf`) the caller may complete.
   */
  add(o: OrderFacts, now: number, early: boolean): number {
    if (this.freeCount === 0) this.grow();
    const slot = this.free[--this.freeCount] as number;
    copyFacts(this.facts[slot] as OrderFacts, o);
    const h = hashOf(o.orderId);
    this.hashes[slot] = h;
    this.arrived[slot] = now;
    const stamp = this.nextStamp;
    this.nextStamp = (this.nextStamp + 1) | 0;
    this.stamps[slot] = stamp;
    this.state[slot] = early ? EARLY : WAITING;
    (early ? this.early : this.arrival).push(slot, stamp);
    let i = h & this.mask;
    while (this.index[i] !== 0) i = (i + 1) & this.mask;
    this.index[i] = slot + 1;
    this.size++;
    return slot;
  }

  /** The facts of a held slot (the pool's object: valid until the slot is taken again). */
  factsOf(slot: number): OrderFacts {
    return this.facts[slot] as OrderFacts;
  }

  /** Whether a held slot's checks are in. */
  isEarly(slot: number): boolean {
    return this.state[slot] === EARLY;
  }

  /** A waiting slot's checks came: it goes to the end of the early ring. */
  markEarly(slot: number): void {
    if (this.state[slot] !== WAITING) return;
    this.state[slot] = EARLY;
    this.early.push(slot, this.stamps[slot] as number);
  }

  /** Frees a held slot (its facts stay readable until the next `add`). */
  remove(slot: number): void {
    if (this.state[slot] === FREE) return;
    this.state[slot] = FREE;
    this.size--;
    this.free[this.freeCount++] = slot;
    this.unindex(slot);
  }

  /** The first slot of the early ring still held early, taken out of the ring; −1 when none. */
  takeEarly(): number {
    const r = this.early;
    while (r.length > 0) {
      const slot = r.firstSlot();
      const live = this.state[slot] === EARLY && this.stamps[slot] === r.firstStamp();
      r.shift();
      if (live) return slot;
    }
    return -1;
  }

  /**
   * Whether any slot of the early ring is still held early. No stamp compared: a slot held early now is in
   * the ring under its present stamp too (an order is freed as soon as it is taken out).
   */
  hasEarly(): boolean {
    const r = this.early;
    for (let i = 0; i < r.length; i++) if (this.state[r.slotAt(i)] === EARLY) return true;
    return false;
  }

  /**
   * The oldest slot still waiting in the arrival ring (stale entries before it dropped), not taken out;
   * −1 when none.
   */
  oldestWaiting(): number {
    const r = this.arrival;
    while (r.length > 0) {
      const slot = r.firstSlot();
      if (this.state[slot] === WAITING && this.stamps[slot] === r.firstStamp()) return slot;
      r.shift();
    }
    return -1;
  }

  /** Takes the first entry out of the arrival ring (after oldestWaiting answered its slot). */
  shiftArrival(): void {
    this.arrival.shift();
  }

  /** When a held slot's order arrived. */
  arrivedAt(slot: number): number {
    return this.arrived[slot] as number;
  }

  private findHashed(orderId: string, h: number): number {
    const { index, mask, hashes, facts } = this;
    for (let i = h & mask; ; i = (i + 1) & mask) {
      const s = (index[i] as number) - 1;
      if (s < 0) return -1;
      if (hashes[s] === h && (facts[s] as OrderFacts).orderId === orderId) return s;
    }
  }

  // Linear probing's deletion: the entries after the hole that would no longer be found are moved back.
  private unindex(slot: number): void {
    const { index, mask, hashes } = this;
    let i = (hashes[slot] as number) & mask;
    for (let probes = 0; index[i] !== slot + 1; probes++) {
      // A held slot is always indexed: not finding it is a bug here, not a reason to look for ever.
      if (probes > mask) throw new Error(`WaitingOrders: slot ${slot} is not in the index`);
      i = (i + 1) & mask;
    }
    let hole = i;
    for (let j = (hole + 1) & mask; index[j] !== 0; j = (j + 1) & mask) {
      const home = (hashes[(index[j] as number) - 1] as number) & mask;
      // The entry at j may fill the hole when its home is not in the cyclic range (hole, j].
      const inRange = hole <= j ? home > hole && home <= j : home > hole || home <= j;
      if (!inRange) {
        index[hole] = index[j] as number;
        hole = j;
      }
    }
    index[hole] = 0;
  }

  private grow(): void {
    const n = this.facts.length;
    const m = n * 2;
    this.arrived = widened(this.arrived, new Float64Array(m));
    this.state = widened(this.state, new Uint8Array(m));
    this.stamps = widened(this.stamps, new Int32Array(m));
    this.hashes = widened(this.hashes, new Int32Array(m));
    this.free = new Int32Array(m);
    this.freeCount = 0;
    for (let s = m - 1; s >= n; s--) this.free[this.freeCount++] = s;
    for (let s = n; s < m; s++) this.facts.push(blankFacts());
    this.index = new Int32Array(m * 2);
    this.mask = m * 2 - 1;
    for (let s = 0; s < n; s++) {
      if (this.state[s] === FREE) continue;
      let i = (this.hashes[s] as number) & this.mask;
      while (this.index[i] !== 0) i = (i + 1) & this.mask;
      this.index[i] = s + 1;
    }
  }
}

/** Copies an order's facts field by field into a pooled object. */
export function copyFacts(to: OrderFacts, from: OrderFacts): void {
  to.orderId = from.orderId;
  to.customerId = from.customerId;
  to.productId = from.productId;
  to.quantity = from.quantity;
  to.amount = from.amount;
  to.t = from.t;
  to.status = from.status;
  to.region = from.region;
  to.payment = from.payment;
  to.ipCountry = from.ipCountry;
  to.deviceId = from.deviceId;
  to.accountAgeDays = from.accountAgeDays;
}
