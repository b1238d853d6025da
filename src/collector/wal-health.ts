import { type FileHandle, open, unlink } from 'node:fs/promises';
import { join } from 'node:path';
import { CollectorError } from './errors.js';
import type { CollectorMetrics } from './metrics.js';
import type { WalWriteError } from './wal.js';

const PROBE_BYTES = 256 * 1024;
const PROBE_EVERY_MS = 1000;

/**
 * Whether the WAL takes writes. After a failed write (full disk, I/O error) writes are refused with 503
 * and /readyz says not ready; once a second a 256 KB probe file is written, fsynced and deleted in the WAL
 * directory, and writes are taken again as soon as that succeeds (compaction freed segments, or an
 * operator freed space): the collector recovers by itself.
 */
export class WalHealth {
  private failure: WalWriteError | null = null;
  private timer: NodeJS.Timeout | null = null;
  private stopped = false;

  constructor(
    private readonly dir: string,
    private readonly metrics: CollectorMetrics,
    private readonly log: () => (line: string) => void,
  ) {
    metrics.walWritable.set(1);
  }

  /** The failure that stopped writes, or null while the WAL is writable. */
  get error(): WalWriteError | null {
    return this.failure;
  }

  /** Records a failed WAL write: refuse writes until a probe succeeds. */
  failed(err: WalWriteError): void {
    this.metrics.walWriteFailures.inc({ code: err.code });
    if (this.failure !== null) return;
    this.failure = err;
    this.metrics.walWritable.set(0);
    this.log()(`WAL write failed (${err.code}): refusing writes with 503 until the disk takes writes again`);
    this.schedule();
  }

  /** Stops probing (shutdown). */
  stop(): void {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
  }

  private schedule(): void {
    this.timer = setTimeout(() => void this.probe(), PROBE_EVERY_MS);
    this.timer.unref();
  }

  private async probe(): Promise<void> {
    const path = join(this.dir, '.probe');
    let fd: FileHandle | null = null;
    try {
      fd = await open(path, 'w');
      const probe = Buffer.alloc(PROBE_BYTES, 10);
      let written = 0;
      while (written < probe.length) {
        const { bytesWritten } = await fd.write(probe, written, probe.length - written);
        if (bytesWritten <= 0) throw new Error('short write');
        written += bytesWritten;
      }
      await fd.datasync();
      this.failure = null;
      this.metrics.walWritable.set(1);
      this.log()('WAL writable again: taking writes');
    } catch {
      if (!this.stopped) this.schedule();
    } finally {
      await fd?.close().catch(() => {});
      await unlink(path).catch(() => {});
    }
  }
}

/** The 503 for a request whose records could not be written (`message` replaces the default wording). */
export function storageRefusal(err: WalWriteError, message?: string): CollectorError {
  const full = err.code === 'ENOSPC' || err.code === 'EDQUOT' || err.code === 'short_write';
  const text =
    message ??
    (full
      ? "the collector's disk is full: nothing of this request was stored, retry later"
      : `the collector cannot write its log (${err.code}): nothing of this request was stored, retry later`);
  return new CollectorError(text, {
    code: full ? 'storage_full' : 'storage_error',
    status: 503,
    retryAfter: 1,
  });
}
