import { once } from 'node:events';
import { createWriteStream, type WriteStream } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { dirname } from 'node:path';

/** Lines are batched into chunks of about this many characters before reaching the stream. */
const CHUNK_CHARS = 1 << 20;

/**
 * Buffered CSV file writer with backpressure: callers append lines synchronously and
 * `await ready()` between batches, so memory stays bounded however large the file grows.
 */
export class CsvWriter {
  private chunk = '';
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
    const w = new CsvWriter(path, createWriteStream(path, { highWaterMark: CHUNK_CHARS }));
    w.line(header);
    return w;
  }

  line(s: string): void {
    this.chunk += `${s}\n`;
    if (this.chunk.length >= CHUNK_CHARS) this.flush();
  }

  private flush(): void {
    if (this.chunk.length === 0) return;
    this.stream.write(this.chunk);
    this.chunk = '';
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
