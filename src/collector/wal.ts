import { mkdirSync, readdirSync, statSync } from 'node:fs';
import { type FileHandle, open } from 'node:fs/promises';
import { join } from 'node:path';

/** A closed WAL file waiting to be compacted into the lake. */
export interface Segment {
  path: string;
  bytes: number;
  /** When its first record was acknowledged (ms since epoch); recovered segments use the file's mtime. */
  firstAckAt: number;
}

interface Pending {
  data: string;
  resolve: () => void;
  reject: (err: unknown) => void;
}

const SEGMENT = /^(\d{12})\.ndjson$/;

/**
 * The write-ahead log of one table: NDJSON segments under `<wal>/<table>/`. Appends are group-committed:
 * every request that arrives while a write+fsync runs joins the next one, so N concurrent requests cost
 * one fsync instead of N, and each caller's promise resolves only once its bytes are durable.
 */
export class Wal {
  private queue: Pending[] = [];
  private scheduled = false;
  private chain: Promise<unknown> = Promise.resolve();
  private active: { fd: FileHandle; path: string; bytes: number; firstAckAt: number } | null = null;
  private nextSeq: number;
  /** Segments found on disk at start-up: written before a crash or stop, not yet in the lake. */
  readonly recovered: Segment[];
  /** Called after each fsync with its duration and how many appends it covered. */
  onCommit: (seconds: number, appends: number) => void = () => {};

  constructor(readonly dir: string) {
    mkdirSync(dir, { recursive: true });
    const names = readdirSync(dir)
      .filter((f) => SEGMENT.test(f))
      .sort();
    this.recovered = names.map((f) => {
      const st = statSync(join(dir, f));
      return { path: join(dir, f), bytes: st.size, firstAckAt: st.mtimeMs };
    });
    const last = names.at(-1);
    this.nextSeq = last ? Number(SEGMENT.exec(last)?.[1]) + 1 : 1;
  }

  /** Appends NDJSON text (whole lines); resolves once it is on disk. */
  append(data: string): Promise<void> {
    return new Promise((resolve, reject) => {
      this.queue.push({ data, resolve, reject });
      if (!this.scheduled) {
        this.scheduled = true;
        this.serialize(() => this.flush());
      }
    });
  }

  /** Closes the active segment and returns it (null when empty); the next append starts a new one. */
  seal(): Promise<Segment | null> {
    return this.serialize(async () => {
      const seg = this.active;
      if (!seg) return null;
      this.active = null;
      await seg.fd.close();
      return { path: seg.path, bytes: seg.bytes, firstAckAt: seg.firstAckAt };
    });
  }

  // Writes, fsyncs and seals run one at a time, in order, so a seal never cuts a write in half.
  private serialize<T>(task: () => Promise<T>): Promise<T> {
    const run = this.chain.then(task);
    this.chain = run.catch(() => {});
    return run;
  }

  private async flush(): Promise<void> {
    this.scheduled = false;
    const batch = this.queue;
    this.queue = [];
    if (batch.length === 0) return;
    const data = Buffer.from(batch.map((p) => p.data).join(''));
    let seg = this.active;
    try {
      if (!seg) {
        const path = join(this.dir, `${String(this.nextSeq++).padStart(12, '0')}.ndjson`);
        seg = this.active = { fd: await open(path, 'a'), path, bytes: 0, firstAckAt: 0 };
      }
      const started = performance.now();
      await seg.fd.write(data);
      await seg.fd.datasync();
      this.onCommit((performance.now() - started) / 1000, batch.length);
      seg.bytes += data.length;
      if (seg.firstAckAt === 0) seg.firstAckAt = Date.now();
      for (const p of batch) p.resolve();
    } catch (err) {
      // A failed write may have left part of the batch behind: cut it off so no unacknowledged
      // record reaches the lake, and start a fresh segment for the next batch.
      if (seg) await seg.fd.truncate(seg.bytes).catch(() => {});
      for (const p of batch) p.reject(err);
    }
  }
}
