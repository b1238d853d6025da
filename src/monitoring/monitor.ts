import { Gauge } from 'prom-client';
import { DuckDbSession } from '../duckdb/index.js';
import { errorMessage } from '../errors/index.js';
import { dataLayout, manifestVersion, TABLE_NAMES, tableDirectory } from '../lake/index.js';
import { AnalysisTracker } from './analysis-tracker.js';
import { BatchCounts } from './batch-counts.js';
import { BusinessAggregates, type BusinessTotals, type OrderCell } from './business.js';
import { boundedRegions } from './labels.js';
import { LakeStats } from './lake-stats.js';
import type { MonitoringMetrics } from './metrics.js';
import { registerSystemMetrics, sparkReachable } from './system.js';

/** How the monitor watches the lake. */
export interface MonitorOptions {
  /** How often the manifests are checked for changes (one stat per table; default 5 s, half the scrape interval). */
  pollMs?: number;
  /** The recent-window figures are recomputed at least this often even when nothing lands. */
  maxAgeMs?: number;
  /** Analysis names whose series exist from the start. */
  analyses?: readonly string[];
  /** Spark Connect address to probe for engine availability, when Spark is configured. */
  sparkRemote?: string;
  /** Where refresh failures are reported (one line each). */
  log?: (line: string) => void;
}

/**
 * Keeps the lake, business, engine and machine metrics current: it checks the tables' manifests every
 * `pollMs` and, when one changed (a compaction, a file ingest by another process, a rollback) or the
 * figures are older than `maxAgeMs`, recomputes them off the request path. A scrape only reads the
 * values computed last, so its cost does not grow with the lake.
 */
export class LakeMonitor {
  readonly analyses: AnalysisTracker;
  private readonly stats: LakeStats;
  private readonly business: BusinessAggregates;
  private readonly batches: BatchCounts;
  private readonly engineUp: Gauge<'engine'>;
  private readonly system: { stop(): void };
  private db: DuckDbSession | null = null;
  private timer: NodeJS.Timeout | null = null;
  private running: Promise<void> = Promise.resolve();
  private seen = '';
  private refreshedAt = 0;

  constructor(
    private readonly dataDir: string,
    readonly metrics: MonitoringMetrics,
    private readonly options: MonitorOptions = {},
  ) {
    const layout = dataLayout(dataDir);
    this.stats = new LakeStats(layout);
    this.business = new BusinessAggregates(layout);
    this.batches = new BatchCounts(layout, metrics);
    const engines = options.sparkRemote ? ['duckdb', 'spark'] : ['duckdb'];
    this.analyses = new AnalysisTracker(metrics.registry, { names: options.analyses ?? [], engines });
    this.engineUp = new Gauge({
      name: 'shoplake_engine_up',
      help: '1 when the engine answers (DuckDB: a query runs; Spark: its Connect port accepts connections)',
      labelNames: ['engine'],
      registers: [metrics.registry],
    });
    this.system = registerSystemMetrics(metrics.registry, dataDir);
  }

  /**
   * Resolves once every metric was computed the first time (start() does not wait for it, so that a big
   * lake does not delay the server; until then the lake and business series are absent).
   */
  ready: Promise<void> = Promise.resolve();

  /** Starts computing every metric, then keeps them current until stop(). */
  start(): void {
    this.ready = this.refresh();
    const tick = () => {
      this.timer = setTimeout(() => {
        const changed = this.fingerprint() !== this.seen;
        const stale = Date.now() - this.refreshedAt >= (this.options.maxAgeMs ?? 30_000);
        const next = changed || stale ? this.refresh() : Promise.resolve();
        void next.finally(() => {
          if (this.timer) tick();
        });
      }, this.options.pollMs ?? 5000);
    };
    tick();
  }

  /** Recomputes the metrics now (runs never overlap); a failure is counted and logged, values stay. */
  refresh(): Promise<void> {
    this.running = this.running.then(async () => {
      const end = this.metrics.refreshSeconds.startTimer();
      const fingerprint = this.fingerprint();
      try {
        this.db ??= await DuckDbSession.open({ threads: 1 });
        this.batches.update();
        for (const [table, s] of await this.stats.measure(this.db)) {
          this.metrics.lakeRows.set({ table }, s.rows);
          this.metrics.lakeBytes.set({ table }, s.bytes);
          this.metrics.lakeFiles.set({ table }, s.files);
          this.metrics.lakePartitions.set({ table }, s.partitions);
        }
        this.publish(await this.business.compute(this.db));
        this.seen = fingerprint;
        this.refreshedAt = Date.now();
        this.metrics.lastRefresh.set(this.refreshedAt / 1000);
        this.engineUp.set({ engine: 'duckdb' }, 1);
      } catch (err) {
        this.metrics.refreshFailures.inc();
        this.engineUp.set({ engine: 'duckdb' }, (await this.duckdbAnswers()) ? 1 : 0);
        this.options.log?.(`monitoring: refreshing the lake metrics failed: ${errorMessage(err)}`);
      } finally {
        end();
      }
      if (this.options.sparkRemote)
        this.engineUp.set({ engine: 'spark' }, (await sparkReachable(this.options.sparkRemote)) ? 1 : 0);
    });
    return this.running;
  }

  /** Stops watching and frees the DuckDB session. */
  async stop(): Promise<void> {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    await this.running;
    this.db?.close();
    this.db = null;
    this.system.stop();
  }

  // Every gauge of a family is set in one synchronous step, so a scrape never sees half a refresh.
  private publish(totals: BusinessTotals): void {
    const m = this.metrics;
    const weights = new Map<string, number>();
    for (const c of totals.orders) weights.set(c.region, (weights.get(c.region) ?? 0) + c.lines);
    const label = boundedRegions(weights);
    const cells = new Map<string, OrderCell>();
    for (const c of totals.orders) {
      const region = label.get(c.region) ?? c.region;
      const key = `${region}\u0000${c.status}`;
      const cell = cells.get(key) ?? { region, status: c.status, orders: 0, lines: 0, revenue: 0 };
      cell.orders += c.orders;
      cell.lines += c.lines;
      cell.revenue += c.revenue;
      cells.set(key, cell);
    }
    m.orders.reset();
    m.orderLines.reset();
    m.revenue.reset();
    for (const c of cells.values()) {
      m.orders.set({ region: c.region, status: c.status }, c.orders);
      m.orderLines.set({ region: c.region, status: c.status }, c.lines);
      m.revenue.set({ region: c.region, status: c.status }, c.revenue);
    }
    m.events.reset();
    for (const e of totals.events) m.events.set({ action: e.action, device: e.device }, e.events);
    const r = totals.recent;
    m.recentRevenue.set({ period: 'last_hour' }, r.revenue);
    m.recentRevenue.set({ period: 'week_ago' }, r.weekAgoRevenue);
    m.recentOrders.set({ period: 'last_hour' }, r.orders);
    m.recentOrders.set({ period: 'week_ago' }, r.weekAgoOrders);
    m.recentAov.set(r.completedOrders > 0 ? r.completedRevenue / r.completedOrders : 0);
    m.recentConversion.set(r.sessions > 0 ? r.purchasingSessions / r.sessions : 0);
  }

  private fingerprint(): string {
    const layout = dataLayout(this.dataDir);
    return TABLE_NAMES.map((t) => manifestVersion(tableDirectory(layout, t))).join('|');
  }

  private async duckdbAnswers(): Promise<boolean> {
    try {
      const db = await DuckDbSession.open({ threads: 1 });
      try {
        await db.all('SELECT 1');
        return true;
      } finally {
        db.close();
      }
    } catch {
      // The probe's own failure is the answer it reports: DuckDB is not available.
      return false;
    }
  }
}
