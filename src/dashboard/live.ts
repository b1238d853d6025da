import { statSync } from 'node:fs';
import { join } from 'node:path';
import { walSegments } from '../collector/index.js';
import { describeFailure, isUserError } from '../errors/index.js';
import { dataLayout } from '../lake/index.js';
import {
  COUNTERS_SQL,
  countersRow,
  dayIn,
  EVENTS_SQL,
  eventsRow,
  PER_MINUTE_SQL,
  perMinuteRow,
  todayWindow,
  utcStamp,
} from './live-queries.js';

type Query = (sql: string, params: Record<string, string>) => Promise<Record<string, unknown>[]>;

/** One point of the ingestion history: rows in the lake per second, and how far the lake lags. */
export interface IngestionPoint {
  at: string;
  rowsPerSecond: number;
  lagSeconds: number;
}

/** What the overview's live tiles show; pushed to every viewer (server-sent events) when data lands. */
export interface LiveSnapshot {
  at: string;
  tz: string;
  today: string;
  ordersTotal: number | null;
  ordersToday: number | null;
  revenueToday: number | null;
  eventsTotal: number | null;
  perMinute: { minute: string; orders: number; revenue: number }[];
  /** Rows (order lines + events) landing in the lake per second over the last minute. */
  rowsPerSecond: number;
  /** Bytes the collector acknowledged that are still in its WAL, not yet queryable. */
  walBytes: number;
  /** Seconds since the lake last took data while acknowledged records wait in the WAL (0: none wait). */
  lagSeconds: number;
  history: IngestionPoint[];
  /** Why a counter is missing (a table not loaded yet), in one line. */
  problem: string | null;
}

type Listener = (snapshot: LiveSnapshot) => void;

/** Seconds acknowledged records have waited to be queryable: since the lake's last commit, 0 with an empty WAL. */
function lagOf(walBytes: number, commitMs: number, now: number): number {
  return walBytes > 0 && commitMs > 0 ? Math.max(0, (now - commitMs) / 1000) : 0;
}

const WATCHED = ['orders', 'clickstream'] as const;

/**
 * Live counters shared by every viewer: polls the manifests of orders and clickstream and the
 * collector's WAL (a stat each, every `pollMs`), and only when one changed runs the counter queries once
 * per time zone in use and pushes the result to that zone's subscribers. Polling rather than fs.watch:
 * the manifest is replaced by a rename, which some file systems do not report to watchers. `query` is the
 * dashboard's local DuckDB for counters, never the panels' engine (see createDashboard for why).
 */
export class LiveCounters {
  private readonly listeners = new Map<string, Set<Listener>>();
  private readonly latest = new Map<string, LiveSnapshot>();
  private readonly samples: { at: number; rows: number }[] = [];
  private readonly history: IngestionPoint[] = [];
  private timer: NodeJS.Timeout | undefined;
  private lastToken = '';
  private lastWalBytes = -1;
  private ticking = false;

  constructor(
    private readonly dataDir: string,
    private readonly query: Query,
    private readonly pollMs = 500,
  ) {}

  /** Calls `listener` with the current snapshot for `tz`, then on every change; returns the unsubscribe. */
  subscribe(tz: string, listener: Listener): () => void {
    let set = this.listeners.get(tz);
    if (!set) {
      set = new Set();
      this.listeners.set(tz, set);
    }
    set.add(listener);
    const known = this.latest.get(tz);
    if (known) listener(known);
    else void this.refresh(true);
    this.timer ??= setInterval(() => void this.refresh(false), this.pollMs).unref();
    return () => {
      set.delete(listener);
      if (set.size === 0) {
        this.listeners.delete(tz);
        this.latest.delete(tz);
      }
      if (this.listeners.size === 0) this.stop();
    };
  }

  /** The snapshot for one time zone, computed now (for /api/live/snapshot and tests). */
  async snapshot(tz: string): Promise<LiveSnapshot> {
    return this.compute(tz, this.walBytes(), this.lastCommitMs());
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
  }

  private token(): string {
    const layout = dataLayout(this.dataDir);
    const parts = WATCHED.map((t) => {
      try {
        const s = statSync(join(layout.lake, t, '_manifest.json'));
        return `${s.mtimeMs}:${s.size}:${s.ino}`;
      } catch {
        return 'none';
      }
    });
    return parts.join('|');
  }

  private walBytes(): number {
    return WATCHED.reduce((sum, t) => sum + walSegments(this.dataDir, t).reduce((s, x) => s + x.bytes, 0), 0);
  }

  private lastCommitMs(): number {
    const layout = dataLayout(this.dataDir);
    let newest = 0;
    for (const t of WATCHED) {
      try {
        newest = Math.max(newest, statSync(join(layout.lake, t, '_manifest.json')).mtimeMs);
      } catch {
        // A table never loaded has no manifest: it took no data.
      }
    }
    return newest;
  }

  private async refresh(force: boolean): Promise<void> {
    if (this.ticking) return;
    this.ticking = true;
    try {
      const token = this.token();
      const walBytes = this.walBytes();
      const lakeChanged = force || token !== this.lastToken;
      if (!lakeChanged && walBytes === this.lastWalBytes) return;
      this.lastToken = token;
      this.lastWalBytes = walBytes;
      const commit = this.lastCommitMs();
      for (const [tz, set] of this.listeners) {
        const known = this.latest.get(tz);
        // Only the WAL moved (records acknowledged, not yet in the lake): the lag changes, the counts
        // cannot, so no query runs.
        const snap =
          !lakeChanged && known
            ? {
                ...known,
                at: new Date().toISOString(),
                walBytes,
                lagSeconds: lagOf(walBytes, commit, Date.now()),
              }
            : await this.compute(tz, walBytes, commit);
        this.latest.set(tz, snap);
        for (const listener of set) listener(snap);
      }
    } catch (err) {
      // Said on screen (the live panel shows `problem`) and retried on the next tick.
      this.lastToken = '';
      const problem = `the live counters could not be read: ${describeFailure(err)}`;
      for (const [tz, set] of this.listeners) {
        const known = this.latest.get(tz);
        if (known) for (const listener of set) listener({ ...known, problem });
      }
    } finally {
      this.ticking = false;
    }
  }

  private async compute(tz: string, walBytes: number, commitMs: number): Promise<LiveSnapshot> {
    const now = new Date();
    const today = dayIn(now, tz);
    const problems: string[] = [];
    const optional = async <T>(run: () => Promise<T>): Promise<T | null> => {
      try {
        return await run();
      } catch (err) {
        // A table not loaded yet is a state to show, not a failure; anything else is thrown on.
        if (!isUserError(err)) throw err;
        problems.push(err.message);
        return null;
      }
    };
    const counters = await optional(async () =>
      countersRow.parse((await this.query(COUNTERS_SQL, { tz, today, ...todayWindow(today) }))[0] ?? {}),
    );
    const since = utcStamp(new Date(now.getTime() - 60 * 60_000));
    const perMinute =
      (await optional(async () =>
        (await this.query(PER_MINUTE_SQL, { tz, since })).map((r) => perMinuteRow.parse(r)),
      )) ?? [];
    const events = await optional(async () => eventsRow.parse((await this.query(EVENTS_SQL, {}))[0] ?? {}));
    const rows = (counters?.order_lines ?? 0) + (events?.events ?? 0);
    const rowsPerSecond = this.rate(now.getTime(), rows);
    const lagSeconds = lagOf(walBytes, commitMs, now.getTime());
    this.history.push({ at: now.toISOString(), rowsPerSecond, lagSeconds });
    if (this.history.length > 120) this.history.shift();
    return {
      at: now.toISOString(),
      tz,
      today,
      ordersTotal: counters?.orders_total ?? null,
      ordersToday: counters?.orders_today ?? null,
      revenueToday: counters?.revenue_today ?? null,
      eventsTotal: events?.events ?? null,
      perMinute,
      rowsPerSecond,
      walBytes,
      lagSeconds,
      history: [...this.history],
      problem: problems[0] ?? null,
    };
  }

  // Rows per second over the last minute of samples (0 until there are two samples).
  private rate(at: number, rows: number): number {
    this.samples.push({ at, rows });
    while (this.samples.length > 2 && at - (this.samples[0]?.at ?? at) > 60_000) this.samples.shift();
    const first = this.samples[0];
    if (!first || at - first.at < 1) return 0;
    return Math.max(0, ((rows - first.rows) * 1000) / (at - first.at));
  }
}
