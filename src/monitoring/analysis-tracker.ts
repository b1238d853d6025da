import { Counter, Gauge, Histogram, type Registry } from 'prom-client';

/**
 * Runs analyses at most `concurrency` at a time and measures them: runs by name, engine and outcome,
 * duration, and how many run or wait. Whatever runs analyses inside `shoplake serve` (the web dashboard,
 * an HTTP API) runs them through `track`, so the metrics see every run.
 */
export class AnalysisTracker {
  private running = 0;
  private readonly waiting: (() => void)[] = [];
  private readonly runs: Counter<'analysis' | 'engine' | 'outcome'>;
  private readonly duration: Histogram<'analysis' | 'engine'>;
  private readonly runningGauge: Gauge;
  private readonly queuedGauge: Gauge;

  constructor(
    registry: Registry,
    options: { names?: readonly string[]; engines?: readonly string[]; concurrency?: number } = {},
  ) {
    const registers = [registry];
    this.concurrency = options.concurrency ?? 2;
    this.runs = new Counter({
      name: 'shoplake_analyses_total',
      help: 'Analyses run by name, engine and outcome (ok, error)',
      labelNames: ['analysis', 'engine', 'outcome'],
      registers,
    });
    this.duration = new Histogram({
      name: 'shoplake_analysis_duration_seconds',
      help: 'Time from the start of an analysis run until its rows are read (queueing excluded)',
      labelNames: ['analysis', 'engine'],
      buckets: [0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60],
      registers,
    });
    this.runningGauge = new Gauge({
      name: 'shoplake_analyses_running',
      help: 'Analyses running now',
      registers,
    });
    this.queuedGauge = new Gauge({
      name: 'shoplake_analyses_queued',
      help: 'Analyses waiting for a free slot',
      registers,
    });
    // The catalog is known and small: its series exist from the start, at zero.
    for (const analysis of options.names ?? [])
      for (const engine of options.engines ?? ['duckdb']) {
        this.duration.zero({ analysis, engine });
        for (const outcome of ['ok', 'error']) this.runs.inc({ analysis, engine, outcome }, 0);
      }
  }

  private readonly concurrency: number;

  /** Runs `work` once a slot is free, counting it under `analysis` and `engine`. */
  async track<T>(analysis: string, engine: string, work: () => Promise<T>): Promise<T> {
    if (this.running >= this.concurrency) {
      this.queuedGauge.inc();
      await new Promise<void>((resolve) => this.waiting.push(resolve));
      this.queuedGauge.dec();
    }
    this.running++;
    this.runningGauge.set(this.running);
    const end = this.duration.startTimer({ analysis, engine });
    let outcome = 'error';
    try {
      const result = await work();
      outcome = 'ok';
      return result;
    } finally {
      end();
      this.runs.inc({ analysis, engine, outcome });
      this.running--;
      this.runningGauge.set(this.running);
      this.waiting.shift()?.();
    }
  }
}
