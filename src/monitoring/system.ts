import { statfsSync } from 'node:fs';
import { connect } from 'node:net';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { Counter, Gauge, type Registry } from 'prom-client';

/**
 * Process and machine metrics, written by hand: prom-client's default set includes gauges named `_total`
 * that `promtool check metrics` refuses. Each value is read when /metrics is scraped (cheap system calls).
 */
export function registerSystemMetrics(registry: Registry, dataDir: string): { stop(): void } {
  const registers = [registry];
  const loop = monitorEventLoopDelay({ resolution: 20 });
  loop.enable();
  new Counter({
    name: 'process_cpu_seconds_total',
    help: 'User and system CPU time spent by the process',
    registers,
    collect() {
      const { user, system } = process.cpuUsage();
      this.reset();
      this.inc((user + system) / 1e6);
    },
  });
  new Gauge({
    name: 'process_start_time_seconds',
    help: 'Start time of the process since the Unix epoch',
    registers,
    collect() {
      this.set(Math.round(Date.now() / 1000 - process.uptime()));
    },
  });
  new Gauge({
    name: 'process_resident_memory_bytes',
    help: 'Resident memory size of the process',
    registers,
    collect() {
      this.set(process.memoryUsage.rss());
    },
  });
  new Gauge({
    name: 'nodejs_heap_size_used_bytes',
    help: 'V8 heap in use',
    registers,
    collect() {
      this.set(process.memoryUsage().heapUsed);
    },
  });
  new Gauge({
    name: 'nodejs_eventloop_lag_p99_seconds',
    help: '99th percentile of the event loop delay since the previous scrape',
    registers,
    collect() {
      this.set(loop.count > 0 ? loop.percentile(99) / 1e9 : 0);
      loop.reset();
    },
  });
  new Gauge({
    name: 'shoplake_disk_free_bytes',
    help: 'Bytes available to shoplake on the file system holding the data directory',
    registers,
    collect() {
      const s = statfsSync(dataDir);
      this.set(s.bavail * s.bsize);
    },
  });
  new Gauge({
    name: 'shoplake_disk_size_bytes',
    help: 'Size of the file system holding the data directory',
    registers,
    collect() {
      const s = statfsSync(dataDir);
      this.set(s.blocks * s.bsize);
    },
  });
  return { stop: () => loop.disable() };
}

/** True when a TCP connection to the Spark Connect address (sc://host:port) opens within `timeoutMs`. */
export function sparkReachable(remote: string, timeoutMs = 2000): Promise<boolean> {
  const match = /^sc:\/\/(\[[^\]]+\]|[^:/;]+)(?::(\d+))?/.exec(remote);
  if (!match) return Promise.resolve(false);
  const host = (match[1] ?? '').replace(/^\[|\]$/g, '');
  const port = Number(match[2] ?? 15002);
  return new Promise((resolve) => {
    const socket = connect({ host, port });
    const done = (ok: boolean) => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(timeoutMs, () => done(false));
    socket.once('connect', () => done(true));
    socket.once('error', () => done(false));
  });
}
