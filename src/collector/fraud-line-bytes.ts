const encoder = new TextEncoder();

/**
 * A growing byte buffer that WAL lines are written into as UTF-8, reused batch after batch: the scoring
 * worker's score lines built as texts (pieces of a line, joined per batch, then per message) were half of
 * what it allocated per order, and every allocation is garbage to collect (docs/BENCHMARKS.md, "Fraud
 * scoring without garbage"). Plain ASCII is stored by a loop here (no call into the runtime per piece);
 * only a text that needs more (escapes, non-ASCII characters) goes through JSON.stringify and TextEncoder.
 */
export class LineBytes {
  private bytes: Uint8Array<ArrayBuffer>;
  /** Bytes written so far. */
  length = 0;

  constructor(capacity = 1 << 16) {
    this.bytes = new Uint8Array(capacity);
  }

  /** Appends a text known to be ASCII (our own constants, digits, timestamps), byte for character. */
  ascii(s: string): void {
    this.room(s.length);
    const b = this.bytes;
    let p = this.length;
    for (let i = 0; i < s.length; i++) b[p++] = s.charCodeAt(i);
    this.length = p;
  }

  /** Appends one ASCII character code. */
  byte(c: number): void {
    this.room(1);
    this.bytes[this.length++] = c;
  }

  /** Appends a two-digit number (0–99) as its two digits. */
  twoDigits(n: number): void {
    this.room(2);
    this.bytes[this.length++] = 48 + Math.floor(n / 10);
    this.bytes[this.length++] = 48 + (n % 10);
  }

  /** Appends any text as UTF-8 (lone surrogates become U+FFFD, as in a string written to a file). */
  utf8(s: string): void {
    // Each UTF-16 unit is at most 3 bytes of UTF-8 (a pair, two units, is 4).
    this.room(s.length * 3);
    this.length += encoder.encodeInto(s, this.bytes.subarray(this.length)).written;
  }

  /**
   * Appends `s` as JSON.stringify writes it, quotes included: printable ASCII without a quote or backslash
   * byte for character (every id the generator and most clients make), anything else through JSON.stringify.
   */
  jsonString(s: string): void {
    for (let i = 0; i < s.length; i++) {
      const c = s.charCodeAt(i);
      if (c < 0x20 || c > 0x7e || c === 34 || c === 92) {
        this.utf8(JSON.stringify(s));
        return;
      }
    }
    this.room(s.length + 2);
    const b = this.bytes;
    let p = this.length;
    b[p++] = 34;
    for (let i = 0; i < s.length; i++) b[p++] = s.charCodeAt(i);
    b[p++] = 34;
    this.length = p;
  }

  /** The bytes written, in an array of their own (its buffer can be transferred); the buffer is emptied. */
  take(): Uint8Array<ArrayBuffer> {
    const out = this.bytes.slice(0, this.length);
    this.length = 0;
    return out;
  }

  /** The bytes written as text (tests, and lines written one at a time); the buffer is emptied. */
  takeText(): string {
    const out = Buffer.from(this.bytes.buffer, this.bytes.byteOffset, this.length).toString('utf8');
    this.length = 0;
    return out;
  }

  private room(n: number): void {
    if (this.length + n <= this.bytes.length) return;
    const grown = new Uint8Array(Math.max(this.bytes.length * 2, this.length + n));
    grown.set(this.bytes.subarray(0, this.length));
    this.bytes = grown;
  }
}
