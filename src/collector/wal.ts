import { existsSync, mkdirSync, readdirSync, statSync } from 'node:fs';
import { type FileHandle, open, unlink } from 'node:fs/promises';
import { join } from 'node:path';
import { sealText } from '../lake/index.js';

/** A closed WAL file waiting to be compacted into the lake. */
export interface Segment {
  path: string;
  /** Bytes acknowledged in it; anything after them in the file was never acknowledged. */
  bytes: number;
  /** When its first record was acknowledged (ms since epoch); recovered segments use the file's mtime. */
  firstAckAt: number;
  /** Found on disk at start-up: its acknowledged length is unknown, only a torn last line may be cut. */
  recovered: boolean;
}

interface Pending {
  data: string;
  resolve: () => void;
  reject: (err: unknown) => void;
}

interface Active {
  fd: FileHandle;
  path: string;
  bytes: number;
  firstAckAt: number;
}

const SEGMENT = /^(\d{12})\.ndjson$/;

/** The collector's WAL directory of one table under a data directory. */
export function walDirectory(dataDir: string, table: string): string {
  return join(dataDir, 'wal', table);
}

/** WAL segments on disk (not yet compacted into the lake) of one table, oldest first, with their size. */
export function walSegments(dataDir: string, table: string): { path: string; bytes: number }[] {
  const dir = walDirectory(dataDir, table);
  if (!existsSync(dir)) return [];
  return readdirSync(dir)
    .filter((f) => SEGMENT.test(f))
    .sort()
    .map((f) => ({ path: join(dir, f), bytes: statSync(join(dir, f)).size }));
}

/** A WAL write that did not complete: nothing of its batch was acknowledged. */
export class WalWriteError extends Error {
  /** The errno code (ENOSPC, EDQUOT, EIO…), or 'short_write' when the system wrote less and said nothing. */
  readonly code: string;
  constructor(message: string, code: string, cause?: unknown) {
    super(message, { cause });
    this.code = code;
  }
}

/**
 * The write-ahead log of one table: NDJSON segments under `<wal>/<table>/`. Appends are group-committed:
 * every request that arrives while a write+fsync runs joins the next one, so N concurrent requests cost
 * one fsync instead of N, and each caller's promise resolves only once all of its bytes are written and
 * synced. A write that fails or comes up short rejects its whole batch: the segment is closed at its last
 * acknowledged byte and the next batch starts a new one, so nothing acknowledged is ever cut.
 */
export class Wal {
  private queue: Pending[] = [];
  private scheduled = false;
  private chain: Promise<unknown> = Promise.resolve();
  private active: Active | null = null;
  /** Segments closed after a failed write, waiting for the next seal to hand them to compaction. */
  private closed: Segment[] = [];
  private nextSeq: number;
  /** Segments found on disk at start-up: written before a crash or stop, not yet in the lake. */
  readonly recovered: Segment[];
  /**
   * Called after each fsync with its duration, how many appends it covered and the bytes it added to the
   * segment (sealed bytes on an encrypted lake, which the compactor's backlog counts like the segments).
   */
  onCommit: (seconds: number, appends: number, bytes: number) => void = () => {};

  /**
   * `recover: false` for a second writer of a table's directory (the fraud scoring worker writes
   * fraud_scores): the segments already on disk are the collector's to recover, this one only numbers its
   * own after them.
   */
  constructor(
    readonly dir: string,
    { recover = true }: { recover?: boolean } = {},
  ) {
    mkdirSync(dir, { recursive: true });
    const names = readdirSync(dir)
      .filter((f) => SEGMENT.test(f))
      .sort();
    this.recovered = (recover ? names : []).map((f) => {
      const st = statSync(join(dir, f));
      return { path: join(dir, f), bytes: st.size, firstAckAt: st.mtimeMs, recovered: true };
    });
    const last = names.at(-1);
    this.nextSeq = last ? Number(SEGMENT.exec(last)?.[1]) + 1 : 1;
  }

  /** When the first record of the segment being written was acknowledged (0: none yet). */
  get activeSince(): number {
    return this.active?.firstAckAt ?? 0;
  }

  /** The segment being written and its acknowledged bytes so far (null: none). */
  get activeSegment(): Segment | null {
    const a = this.active;
    return a ? { path: a.path, bytes: a.bytes, firstAckAt: a.firstAckAt, recovered: false } : null;
  }

  /** Appends NDJSON text (whole lines); resolves once it is on disk, rejects with WalWriteError if not. */
  append(data: string): Promise<void> {
    return new Promise((resolve, reject) => {
      this.queue.push({ data, resolve, reject });
      if (!this.scheduled) {
        this.scheduled = true;
        this.serialize(() => this.flush());
      }
    });
  }

  /**
   * Closes the active segment and returns every closed one not handed out yet (segments closed after a
   * failed write first); the next append starts a new segment.
   */
  seal(): Promise<Segment[]> {
    return this.serialize(async () => {
      const out = this.closed;
      this.closed = [];
      const seg = this.active;
      if (seg) {
        this.active = null;
        await seg.fd.close();
        out.push({ path: seg.path, bytes: seg.bytes, firstAckAt: seg.firstAckAt, recovered: false });
      }
      return out;
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
    // One sealed line per group commit when the lake is encrypted (plain NDJSON when not).
    const data = Buffer.from(sealText(batch.map((p) => p.data).join('')));
    let seg = this.active;
    try {
      if (!seg) {
        const path = join(this.dir, `${String(this.nextSeq++).padStart(12, '0')}.ndjson`);
        seg = this.active = { fd: await open(path, 'a'), path, bytes: 0, firstAckAt: 0 };
      }
      const started = performance.now();
      await writeAll(seg.fd, data);
      await seg.fd.datasync();
      this.onCommit((performance.now() - started) / 1000, batch.length, data.length);
      seg.bytes += data.length;
      if (seg.firstAckAt === 0) seg.firstAckAt = Date.now();
    } catch (err) {
      if (seg) await this.abandon(seg);
      const code = (err as NodeJS.ErrnoException).code ?? 'EIO';
      const failure =
        err instanceof WalWriteError ? err : new WalWriteError(`WAL write failed: ${code}`, code, err);
      for (const p of batch) p.reject(failure);
      return;
    }
    for (const p of batch) p.resolve();
  }

  // After a failed write or fsync the file's tail is unknown (and a retried fsync may report success for
  // pages the kernel already dropped), so the segment is closed at its last acknowledged byte: the bytes
  // after it are cut here if possible, and by the compactor before ingest if not.
  private async abandon(seg: Active): Promise<void> {
    this.active = null;
    await seg.fd.truncate(seg.bytes).catch(() => {});
    await seg.fd.close().catch(() => {});
    if (seg.bytes > 0) {
      this.closed.push({ path: seg.path, bytes: seg.bytes, firstAckAt: seg.firstAckAt, recovered: false });
    } else {
      await unlink(seg.path).catch(() => {});
    }
  }
}

// fs writes may write fewer bytes than asked (a filling disk) without an error: keep writing the rest,
// so the next call reports the real error (ENOSPC), or fail loudly if the system makes no progress.
async function writeAll(fd: FileHandle, data: Buffer): Promise<void> {
  let offset = 0;
  while (offset < data.length) {
    const { bytesWritten } = await fd.write(data, offset, data.length - offset);
    if (bytesWritten <= 0) {
      throw new WalWriteError(
        `WAL write wrote ${offset} of ${data.length} bytes and then none`,
        'short_write',
      );
    }
    offset += bytesWritten;
  }
}
