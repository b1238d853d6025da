/**
 * Clickstream events of one hour, held as typed arrays rather than strings so that buffering
 * hours of events costs a few bytes per event and nothing for the garbage collector to trace.
 */
export class EventBucket {
  length = 0;
  /** (second within the hour) × 2^32 + insertion index: sorting these orders events by time, stably. */
  keys = new Float64Array(1024);
  session = new Int32Array(1024);
  /** Customer index, −1 for GUEST. */
  customer = new Int32Array(1024);
  /** action | page << 4 | (product + 1) << 8 | device << 28 (20 bits: up to 1,048,574 products) */
  packed = new Int32Array(1024);
  seconds = new Int32Array(1024);

  push(offset: number, session: number, customer: number, packed: number, seconds: number): void {
    if (this.length === this.keys.length) this.grow();
    const i = this.length++;
    this.keys[i] = offset * 4294967296 + i;
    this.session[i] = session;
    this.customer[i] = customer;
    this.packed[i] = packed;
    this.seconds[i] = seconds;
  }

  private grow(): void {
    const n = this.keys.length * 2;
    const copy = <T extends Float64Array | Int32Array>(a: T, b: T): T => {
      b.set(a);
      return b;
    };
    this.keys = copy(this.keys, new Float64Array(n));
    this.session = copy(this.session, new Int32Array(n));
    this.customer = copy(this.customer, new Int32Array(n));
    this.packed = copy(this.packed, new Int32Array(n));
    this.seconds = copy(this.seconds, new Int32Array(n));
  }

  /** Calls fn for each event index in time order, with its second within the hour. */
  forEachSorted(fn: (i: number, offset: number) => void): void {
    const keys = this.keys.subarray(0, this.length).sort();
    for (const k of keys) {
      const offset = Math.floor(k / 4294967296);
      fn(k - offset * 4294967296, offset);
    }
  }
}
