import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createApp } from './app.js';
import { Collector } from './collector.js';
import type { Backlog } from './compactor.js';
import type { CollectorConfig } from './config.js';
import { FraudHook, type FraudOptions } from './fraud-hook.js';

/** A collector listening on a port. */
export interface RunningCollector {
  url: string;
  collector: Collector;
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
  /** Fraud scoring and alerts (default: on, without a webhook); false turns scoring off. */
  fraud?: FraudOptions | false;
}

/** Opens the collector (recovering any WAL left by a crash) and starts the HTTP server. */
export async function startCollector(options: StartOptions): Promise<RunningCollector> {
  const log = options.log ?? (() => {});
  const collector = await Collector.open(options.dataDir, options.config, log);
  const fraud = options.fraud === false ? null : await FraudHook.open(collector, options.fraud ?? {}, log);
  const server = createServer({ keepAliveTimeout: 30_000 }, createApp(collector));
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 8080, options.host ?? '127.0.0.1', () => resolve());
  });
  const address = server.address() as AddressInfo;
  const host = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  let closing: Promise<Backlog> | null = null;
  return {
    url: `http://${host}:${address.port}`,
    collector,
    fraud,
    close() {
      closing ??= (async () => {
        const stopped = new Promise<void>((resolve) => server.close(() => resolve()));
        // Idle keep-alive sockets would hold close() open forever; busy ones finish their request first.
        server.closeIdleConnections();
        const force = setTimeout(() => server.closeAllConnections(), 10_000);
        await fraud?.close();
        const backlog = await collector.close();
        await stopped;
        clearTimeout(force);
        return backlog;
      })();
      return closing;
    },
  };
}
