import { createServer, type RequestListener } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { LakeMonitor, type MonitorOptions } from '../monitoring/index.js';
import { type Authenticator, appendAudit, createAuthenticator } from '../security/index.js';
import { createApp } from './app.js';
import { Collector } from './collector.js';
import type { Backlog } from './compactor.js';
import type { CollectorConfig } from './config.js';
import { FraudHook, type FraudOptions } from './fraud-hook.js';

/** A collector listening on a port. */
export interface RunningCollector {
  url: string;
  collector: Collector;
  /** Keeps the lake and business metrics current; analyses run in the server go through `monitor.analyses`. */
  monitor: LakeMonitor;
  /** Checks keys for every route; other servers mounted into `serve` (the dashboard) share it. */
  auth: Authenticator;
  /** The fraud scorer, unless started with fraud: false. */
  fraud: FraudHook | null;
  /**
   * Stops accepting, lets in-flight requests finish, compacts the WAL into the lake; resolves with what
   * could not be compacted (left in the WAL for the next start).
   */
  close(): Promise<Backlog>;
}

export interface StartOptions {
  dataDir: string;
  config: CollectorConfig;
  host?: string;
  port?: number;
  log?: (line: string) => void;
  /** How the lake and business metrics are watched (src/monitoring). */
  monitor?: MonitorOptions;
  /** PEM certificate chain and private key: serve HTTPS instead of HTTP. */
  tls?: { cert: string | Buffer; key: string | Buffer };
  /** Answers every path that is not the collector's own (the dashboard, mounted by `serve`). */
  fallback?: RequestListener;
  /** Fraud scoring and alerts (default: on, without a webhook); false turns scoring off. */
  fraud?: FraudOptions | false;
}

const COLLECTOR_PATH = /^\/(v1\/|healthz|readyz|metrics)/;

/** Opens the collector (recovering any WAL left by a crash) and starts the HTTP server. */
export async function startCollector(options: StartOptions): Promise<RunningCollector> {
  const log = options.log ?? (() => {});
  const auth = createAuthenticator({
    dataDir: options.dataDir,
    writeKeys: options.config.writeKeys,
    // Failed keys go to the audit log; a log that cannot be written is said, not swallowed.
    onFailure: (failure, address, principal) => {
      const actor = principal ?? { name: 'http', role: null };
      appendAudit(options.dataDir, actor, principal ? 'auth.refused' : 'auth.failure', {
        via: 'http',
        address,
        reason: failure.reason,
        status: failure.status,
      }).catch((err: unknown) => log(`audit log: cannot record a failed key: ${String(err)}`));
    },
  });
  const collector = await Collector.open(options.dataDir, options.config, log);
  let fraud: FraudHook | null = null;
  try {
    if (options.fraud !== false) fraud = await FraudHook.open(collector, options.fraud ?? {}, log);
  } catch (err) {
    // A model file to fix, say: the collector opened above (its compaction process) must not outlive this.
    await collector.close();
    throw err;
  }
  const monitor = new LakeMonitor(options.dataDir, collector.metrics.monitoring, { log, ...options.monitor });
  monitor.start();
  const app = createApp(collector, { auth, scoring: () => fraud?.status ?? 'off' });
  const fallback = options.fallback;
  const listener: RequestListener = fallback
    ? (req, res) => (COLLECTOR_PATH.test(req.url ?? '/') ? app(req, res) : fallback(req, res))
    : app;
  const server = options.tls
    ? createHttpsServer({ keepAliveTimeout: 30_000, cert: options.tls.cert, key: options.tls.key }, listener)
    : createServer({ keepAliveTimeout: 30_000 }, listener);
  try {
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(options.port ?? 8080, options.host ?? '127.0.0.1', () => resolve());
    });
  } catch (err) {
    await monitor.stop();
    await fraud?.close();
    throw err;
  }
  const address = server.address() as AddressInfo;
  const host = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  let closing: Promise<Backlog> | null = null;
  return {
    url: `${options.tls ? 'https' : 'http'}://${host}:${address.port}`,
    collector,
    monitor,
    auth,
    fraud,
    close() {
      closing ??= (async () => {
        const stopped = new Promise<void>((resolve) => server.close(() => resolve()));
        // Idle keep-alive sockets would hold close() open forever; busy ones finish their request first.
        server.closeIdleConnections();
        const force = setTimeout(() => server.closeAllConnections(), 10_000);
        await fraud?.close();
        const backlog = await collector.close();
        await monitor.stop();
        await stopped;
        clearTimeout(force);
        return backlog;
      })();
      return closing;
    },
  };
}
