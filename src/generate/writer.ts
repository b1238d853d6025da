import { once } from 'node:events';
import { createWriteStream, type WriteStream } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { dirname } from 'node:path';

/** Lines are copied into buffers of this many bytes before reaching the stream. */
const CHUNK_BYTES = 1 << 20;

/**
 * Buffered CSV file writer with backpressure: callers append lines synchronously and
 * `await ready()` between batches, so memory stays bounded however large the file grows.
 */
export class CsvWriter {
  // Writing ASCII straight into a Buffer avoids building (and garbage-collecting) large joined strings.
  private chunk = Buffer.allocUnsafe(CHUNK_BYTES);
  private pos = 0;
  private failure: Error | undefined;
  private constructor(
    readonly path: string,
    private readonly stream: WriteStream,
  ) {
    // Without a listener a failed write would crash the process instead of rejecting generate().
    stream.on('error', (e) => {
      this.failure = e;
    });
  }

  static async open(path: string, header: string): Promise<CsvWriter> {
    await mkdir(dirname(path), { recursive: true });
    const w = new CsvWriter(path, createWriteStream(path, { highWaterMark: CHUNK_BYTES }));
    w.line(header);
    return w;
  }

  /** Appends one line (ASCII only: every generated field is) and its newline. */
  line(s: string): void {
    if (this.pos + s.length + 1 > CHUNK_BYTES) {
      this.flush();
      if (s.length + 1 > CHUNK_BYTES) this.chunk = Buffer.allocUnsafe(s.length + 1);
    }
    this.pos += this.chunk.write(s, this.pos, 'latin1');
    this.chunk[this.pos++] = 10;
  }

  private flush(): void {
    if (this.pos === 0) return;
    // The stream keeps the written buffer until it reaches the disk, so start a fresh one.
    this.stream.write(this.chunk.subarray(0, this.pos));
    this.chunk = Buffer.allocUnsafe(CHUNK_BYTES);
    this.pos = 0;
  }

  /** Resolves once the stream has room again. */
  async ready(): Promise<void> {
    if (this.failure) throw new Error(`cannot write ${this.path}: ${this.failure.message}`);
    if (this.stream.writableNeedDrain) await once(this.stream, 'drain');
  }

  async close(): Promise<void> {
    this.flush();
    this.stream.end();
    if (!this.stream.writableFinished) await once(this.stream, 'finish');
    if (this.failure) throw new Error(`cannot write ${this.path}: ${this.failure.message}`);
  }
}

const TWO = Array.from({ length: 100 }, (_, i) => (i < 10 ? `0${i}` : `${i}`));

/** Integer cents as a decimal string with exactly two decimals. */
export function money(cents: number): string {
  return `${Math.floor(cents / 100)}.${TWO[cents % 100]}`;
}
