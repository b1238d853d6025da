import { cpSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { after, before } from 'node:test';
import { DuckDbEngine } from '../engines/testing.js';
import { generate, generateDefaults } from '../generate/index.js';
import { buildLake } from '../ingest/index.js';
import { tempDir } from '../testing/index.js';
import { KEY } from './testkit.test-helper.js';

/** A small generated lake (history for the model), built once per test file and copied per test. */
export async function historyLake(root: string): Promise<{ dir: string; asOf: Date }> {
  const dir = join(root, 'history');
  const now = new Date();
  const asOf = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate()));
  await generate({
    ...generateDefaults,
    orders: 3000,
    customers: 300,
    events: 1000,
    days: 14,
    seed: 3,
    asOf,
    out: dir,
  });
  await buildLake(dir);
  return { dir, asOf };
}

/** POSTs JSON to a collector with the test write key. */
export const postJson = (url: string, path: string, body: unknown) =>
  fetch(url + path, {
    method: 'POST',
    body: JSON.stringify(body),
    headers: { authorization: `Bearer ${KEY}`, 'content-type': 'application/json' },
  });

/**
 * Registers the suite's before/after hooks for one history lake (built once): `fresh()` copies it for a
 * test, `at()` is a time just after the history ends (the generated window stops at asOf), never in the
 * future, and `root()` is the suite's temporary folder.
 */
export function useHistoryLake(prefix: string): {
  fresh: () => string;
  at: () => number;
  root: () => string;
} {
  let root = '';
  let cleanup = () => {};
  let history = '';
  let at = 0;
  let n = 0;
  before(async () => {
    ({ dir: root, cleanup } = tempDir(prefix));
    const h = await historyLake(root);
    history = h.dir;
    at = Math.min(Date.now() - 600_000, h.asOf.getTime() + 60_000);
  });
  after(() => cleanup());
  return { fresh: () => copyLake(history, join(root, `lake-${++n}`)), at: () => at, root: () => root };
}

export function copyLake(from: string, to: string): string {
  cpSync(from, to, { recursive: true });
  return to;
}

/** A webhook receiver on a free loopback port; `answer` decides each response (default 200). */
export async function webhookReceiver(
  answer: (req: IncomingMessage, res: ServerResponse) => void = (_req, res) => res.end('ok'),
): Promise<{
  url: string;
  bodies: { at: number; body: unknown }[];
  attempts: () => number;
  close(): Promise<void>;
}> {
  const bodies: { at: number; body: unknown }[] = [];
  let attempts = 0;
  const server: Server = createServer((req, res) => {
    attempts++;
    let text = '';
    req.on('data', (c) => {
      text += c;
    });
    req.on('end', () => {
      bodies.push({ at: Date.now(), body: JSON.parse(text) });
      answer(req, res);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`,
    bodies,
    attempts: () => attempts,
    async close() {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}

/** A burst as account-takeover fraud looks: one customer, expensive items minutes apart, new device abroad. */
export function plantedBurst(customer: string, prefix: string, at: number, n = 5) {
  const orders = [];
  const checks = [];
  for (let i = 0; i < n; i++) {
    const date = new Date(at + i * 40_000).toISOString().slice(0, 19).replace('T', ' ');
    const id = `${prefix}${i}`;
    orders.push({
      order_id: id,
      customer_id: customer,
      product_id: 'LAPTOP001',
      product_name: 'Gaming Laptop',
      quantity: 2,
      price: 1299.99,
      total_amount: 2599.98,
      order_date: date,
      status: 'PENDING',
      region: 'LATAM',
    });
    checks.push({
      order_id: id,
      order_date: date,
      payment_method: 'gift_card',
      ip_country: 'RO',
      device_id: `DVplanted${prefix}`,
      account_age_days: 400,
    });
  }
  return { orders, checks };
}

/** Scores per order id in the lake's fraud_scores. */
export async function scoreCounts(dir: string): Promise<Map<string, number>> {
  const engine = await DuckDbEngine.open(dir);
  try {
    const tables = await engine.tables();
    if (!tables.some((t) => t.table === 'fraud_scores' && t.state === 'loaded')) return new Map();
    const rows = await engine.query('SELECT order_id AS id, count(*) AS n FROM fraud_scores GROUP BY 1');
    return new Map(rows.map((r) => [String(r.id), Number(r.n)]));
  } finally {
    await engine.close();
  }
}
