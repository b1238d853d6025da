/**
 * Reads chosen fields of WAL lines without parsing the others. A WAL line is JSON.stringify of a record the
 * collector validated: a flat object of texts and numbers. Inside a JSON text every quote is escaped, so
 * `"name":` (quote, name, quote, colon) occurs in such a line only where the field `name` is: each wanted
 * field is found with one indexOf (from where the previous one ended: names listed in the table's column
 * order, as the line has them, are found in one pass) and only its value is read. The scoring worker needs 8 of an order's 12
 * fields; JSON.parse of whole lines was its largest cost after the model (docs/BENCHMARKS.md, fraud section).
 * A value that is neither a text nor a number gives null: the caller then parses the line as JSON and
 * checks it. wal-fields.test.ts checks the reader against JSON.parse.
 */
export class WalFields {
  private readonly needles: string[];

  constructor(private readonly names: readonly string[]) {
    this.needles = names.map((n) => `"${n}":`);
  }

  /** The wanted fields the line has (absent ones left out), or null when the line is not of that form. */
  read(line: string): Record<string, string | number> | null {
    const values: WalValue[] = [];
    if (!this.readValues(line, values)) return null;
    const out: Record<string, string | number> = {};
    for (let i = 0; i < this.names.length; i++) {
      const v = values[i];
      if (v !== undefined) out[this.names[i] as string] = v;
    }
    return out;
  }

  /**
   * The wanted fields into `out`, by their index in the names (undefined: absent); false when the line is
   * not of that form. For a caller that reuses one array: an object per line, keyed by names, was a large
   * part of what the scoring worker allocated per order.
   */
  readValues(line: string, out: WalValue[]): boolean {
    if (line.charCodeAt(0) !== 123 || line.charCodeAt(line.length - 1) !== 125) return false; // { … }
    let pos = 0;
    for (let i = 0; i < this.needles.length; i++) {
      out[i] = undefined;
      const needle = this.needles[i] as string;
      let at = line.indexOf(needle, pos);
      if (at < 0 && pos > 0) at = line.indexOf(needle);
      if (at < 0) continue;
      // A field starts the object or follows a comma.
      const before = line.charCodeAt(at - 1);
      if (before !== 123 && before !== 44) return false;
      const from = at + needle.length;
      let value: string | number;
      if (line.charCodeAt(from) === 34) {
        const close = stringEnd(line, from + 1);
        if (close < 0) return false;
        const raw = line.slice(from + 1, close);
        value = raw.includes('\\') ? decode(line.slice(from, close + 1)) : raw;
        pos = close + 1;
      } else {
        let end = from;
        while (end < line.length && line.charCodeAt(end) !== 44 && line.charCodeAt(end) !== 125) end++;
        const text = line.slice(from, end);
        if (!NUMBER.test(text)) return false;
        value = Number(text);
        pos = end;
      }
      out[i] = value;
    }
    return true;
  }
}

/** One field's value as WalFields reads it: a text, a number, or undefined when the line lacks it. */
export type WalValue = string | number | undefined;

/** A JSON number as JSON.stringify writes it (Number() reads it exactly as JSON.parse does). */
const NUMBER = /^-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?$/;

// The index of the quote closing a string whose text starts at `from` (one not escaped), or −1.
function stringEnd(line: string, from: number): number {
  let q = line.indexOf('"', from);
  while (q >= 0) {
    let slashes = 0;
    while (line.charCodeAt(q - 1 - slashes) === 92) slashes++;
    if (slashes % 2 === 0) return q;
    q = line.indexOf('"', q + 1);
  }
  return -1;
}

// A quoted JSON string with escapes, decoded by JSON.parse (rare: ids cannot hold a backslash).
function decode(quoted: string): string {
  const v: unknown = JSON.parse(quoted);
  if (typeof v !== 'string') throw new Error('not a JSON string');
  return v;
}
