/** Ids joined into one string per block: a block of 4,096 ids costs one string and one small offset array. */
const BLOCK = 4096;

/**
 * Order ids in the order they were added, kept compactly: a JS array of 8.7 million id strings costs
 * about 40 bytes an id in object headers and pointers, so the ids are joined into one flat string per
 * block with their end offsets in a Uint32Array (about 1 byte per character plus 4 per id). Iterating
 * gives each id back as a string (made on the fly, short-lived).
 */
export class OrderIdList implements Iterable<string> {
  private readonly texts: string[] = [];
  private readonly ends: Uint32Array[] = [];
  private pending: string[] = [];
  private count = 0;

  /** Adds one id at the end. */
  push(id: string): void {
    this.pending.push(id);
    this.count++;
    if (this.pending.length === BLOCK) this.seal();
  }

  /** Forgets every id (a replay that starts over). */
  clear(): void {
    this.texts.length = 0;
    this.ends.length = 0;
    this.pending = [];
    this.count = 0;
  }

  /** How many ids the list holds. */
  get length(): number {
    return this.count;
  }

  *[Symbol.iterator](): Iterator<string> {
    for (let b = 0; b < this.texts.length; b++) {
      const text = this.texts[b] as string;
      const ends = this.ends[b] as Uint32Array;
      let start = 0;
      for (let i = 0; i < ends.length; i++) {
        const end = ends[i] as number;
        yield text.slice(start, end);
        start = end;
      }
    }
    yield* this.pending;
  }

  private seal(): void {
    const ends = new Uint32Array(this.pending.length);
    let at = 0;
    this.pending.forEach((id, i) => {
      at += id.length;
      ends[i] = at;
    });
    this.texts.push(this.pending.join(''));
    this.ends.push(ends);
    this.pending = [];
  }
}
