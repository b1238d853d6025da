import { dataLayout } from '../lake/index.js';
import { LineBytes } from './fraud-line-bytes.js';
import { type Segment, Wal, walDirectory } from './wal.js';

/** What one durable append of scores did. */
export interface Stored {
  records: number;
  /** Bytes it added to the segment on disk (sealed bytes on an encrypted lake). */
  bytes: number;
  /** The segment written and its acknowledged bytes after the append. */
  segment: Segment | null;
}

/**
 * The fraud_scores WAL of the scoring worker (fraud-worker.ts): score lines are written into `lines` as they
 * are scored and appended, in groups, to segments of the worker's own in the table's WAL directory, in the
 * form the collector's WAL holds (NDJSON, sealed on an encrypted lake). The collector's compaction seals and
 * takes them with its own (Collector.writtenElsewhere, through messages: BackgroundScorer.seal), and a
 * segment left by a crash is recovered at the next start like any other. Before, the lines went back to the
 * collector's thread, which decoded them, checked and kept their keys and appended them to its WAL: some
 * 0.5–0.8 µs a collected record of that thread at saturation (docs/BENCHMARKS.md, "Fraud scores written by
 * the worker"). The worker scores each order once (LiveQueue), and compaction drops a key the lake holds.
 */
export class ScoreStore {
  /** Score lines not appended yet, as UTF-8 (ScoreLineWriter.appendTo writes here). */
  readonly lines = new LineBytes();
  /** Called after each durable append. */
  onStored: (s: Stored) => void = () => {};
  /** Called when an append failed: those scores are recomputed from the lake at the next start. */
  onFailed: (records: number, message: string) => void = () => {};
  private readonly wal: Wal;
  private waiting = 0;
  private committed = 0;
  private timer: NodeJS.Timeout | null = null;
  private chain: Promise<void> = Promise.resolve();

  /** Appends every `everyMs` after the first waiting line, or once `maxRecords` wait. */
  constructor(
    dataDir: string,
    private readonly everyMs: number,
    private readonly maxRecords: number,
  ) {
    // Not recovering: the segments already there are the collector's (its Wal recovered them at start).
    this.wal = new Wal(walDirectory(dataLayout(dataDir).root, 'fraud_scores'), { recover: false });
    this.wal.onCommit = (_seconds, _appends, bytes) => {
      this.committed += bytes;
    };
  }

  /** `n` more lines were written into `lines`. */
  added(n: number): void {
    this.waiting += n;
    if (this.waiting >= this.maxRecords) void this.flush();
    else if (this.timer === null && this.waiting > 0)
      this.timer = setTimeout(() => this.flush(), this.everyMs);
  }

  /** Appends the waiting lines; resolves once they are durable (or their append failed and was reported). */
  flush(): Promise<void> {
    if (this.timer !== null) clearTimeout(this.timer);
    this.timer = null;
    if (this.waiting === 0) return this.chain;
    const records = this.waiting;
    const text = this.lines.takeText();
    this.waiting = 0;
    this.chain = this.chain.then(async () => {
      this.committed = 0;
      try {
        await this.wal.append(text);
      } catch (err) {
        this.onFailed(records, err instanceof Error ? err.message : String(err));
        return;
      }
      this.onStored({ records, bytes: this.committed, segment: this.wal.activeSegment });
    });
    return this.chain;
  }

  /** Closes the segment being written; the segments closed since the last seal (compaction takes them). */
  seal(): Promise<Segment[]> {
    return this.wal.seal();
  }

  /** Appends what waits, then seals: the worker is about to stop. */
  async close(): Promise<Segment[]> {
    await this.flush();
    return this.seal();
  }
}
