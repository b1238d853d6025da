import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tempDir } from '../testing/index.js';
import { createApp } from './app.js';
import { Collector } from './collector.js';
import { type CollectorConfig, collectorConfigSchema } from './config.js';

export const KEY = 'test-key-123';

/** A valid order line; `i` makes its key unique. Timestamps are a fixed recent past day. */
export function order(i: number, overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    order_id: `O${i}`,
    customer_id: 'C1',
    product_id: 'P1',
    product_name: 'Widget',
    quantity: 2,
    price: 9.99,
    total_amount: 19.98,
    order_date: '2025-11-28 10:00:00',
    status: 'COMPLETED',
    region: 'US-EAST',
    ...overrides,
  };
}

/** A valid clickstream event with a client event id. */
export function event(i: number, overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    event_id: `E${i}`,
    timestamp: '2025-11-28 10:00:00',
    session_id: 'S1',
    customer_id: 'C1',
    action: 'VIEW',
    page: 'product',
    product_id: 'P1',
    device: 'mobile',
    duration_seconds: 12,
    ...overrides,
  };
}

/** A collector on a fresh data directory, served on a free loopback port; `app.request` fetches from it. */
export async function testCollector(config: Partial<CollectorConfig> = {}) {
  const { dir, cleanup } = tempDir('shoplake-collector-');
  const collector = await Collector.open(
    dir,
    collectorConfigSchema.parse({ writeKeys: [KEY], compactIntervalMs: 60_000, ...config }),
  );
  const server = createServer(createApp(collector));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const app = { request: (path: string, init?: RequestInit) => fetch(url + path, init) };
  const post = (path: string, body: unknown, headers: Record<string, string> = {}) =>
    app.request(path, {
      method: 'POST',
      body: typeof body === 'string' || body instanceof Blob ? body : JSON.stringify(body),
      headers: { authorization: `Bearer ${KEY}`, 'content-type': 'application/json', ...headers },
    });
  return {
    dir,
    app,
    collector,
    post,
    async close() {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
      await collector.close();
      cleanup();
    },
  };
}
