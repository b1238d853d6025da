import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { describe, it } from 'node:test';
import { type AlertBody, AlertDispatcher, type AlertOrder } from './alerts.js';

/** A loopback receiver answering each call with the next status of `statuses` (then 200). */
async function receiver(statuses: number[] = []) {
  const bodies: AlertBody[] = [];
  let calls = 0;
  const server: Server = createServer((req, res) => {
    let text = '';
    req.on('data', (c) => {
      text += c;
    });
    req.on('end', () => {
      const status = statuses[calls++] ?? 200;
      if (status === 200) bodies.push(JSON.parse(text) as AlertBody);
      res.statusCode = status;
      res.end();
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/`,
    bodies,
    calls: () => calls,
    close: () => new Promise((r) => server.close(r)),
  };
}

const alert = (id: string, customer: string | null, score = 0.9): AlertOrder => ({
  order_id: id,
  customer_id: customer,
  order_date: '2026-11-25 10:00:00',
  amount: 100,
  score,
  reasons: ['r'],
});

async function until(cond: () => boolean, ms = 5000): Promise<void> {
  const end = Date.now() + ms;
  while (!cond() && Date.now() < end) await new Promise((r) => setTimeout(r, 10));
}

describe('alert webhook', () => {
  it('sends a customer’s first alert at once and groups the rest into one follow-up', async () => {
    const r = await receiver();
    const d = new AlertDispatcher({ url: r.url, groupWindowMs: 300 });
    try {
      assert.equal(d.offer(alert('A1', 'C1', 0.5)), 'queued');
      assert.equal(d.offer(alert('A2', 'C1', 0.95)), 'grouped');
      assert.equal(d.offer(alert('A3', 'C1', 0.7)), 'grouped');
      assert.equal(d.offer(alert('B1', 'C2')), 'queued');
      await until(() => r.bodies.length >= 3);
      const byOrder = r.bodies.map((b) => [b.order.order_id, b.grouped.map((g) => g.order_id)]);
      // The follow-up names its highest-scored order and carries both grouped alerts.
      assert.deepEqual(
        byOrder.sort((a, b) => String(a[0]).localeCompare(String(b[0]))),
        [
          ['A1', []],
          ['A2', ['A2', 'A3']],
          ['B1', []],
        ],
      );
    } finally {
      await d.close();
      await r.close();
    }
  });

  it('retries 5xx with backoff until delivered, and gives up at once on other 4xx', async () => {
    const outcomes: string[] = [];
    const r = await receiver([503, 500]);
    const d = new AlertDispatcher({ url: r.url, retryBaseMs: 10, onOutcome: (o) => outcomes.push(o) });
    try {
      d.offer(alert('R1', null));
      await until(() => outcomes.includes('delivered'));
      assert.deepEqual(outcomes, ['retried', 'retried', 'delivered']);
      assert.equal(r.calls(), 3);
    } finally {
      await d.close();
      await r.close();
    }
    const outcomes2: string[] = [];
    const r2 = await receiver([400]);
    const d2 = new AlertDispatcher({ url: r2.url, retryBaseMs: 10, onOutcome: (o) => outcomes2.push(o) });
    try {
      d2.offer(alert('R2', null));
      await until(() => outcomes2.length > 0);
      assert.deepEqual(outcomes2, ['failed']);
      assert.equal(r2.calls(), 1);
    } finally {
      await d2.close();
      await r2.close();
    }
  });

  it('never makes the caller wait, even when the receiver is down', async () => {
    // Nothing listens on this port (a receiver closed just before): every attempt fails fast.
    const r = await receiver();
    await r.close();
    const d = new AlertDispatcher({ url: r.url, retryBaseMs: 5, attempts: 2 });
    const started = performance.now();
    for (let i = 0; i < 1000; i++) d.offer(alert(`D${i}`, null));
    const offered = performance.now() - started;
    await d.close(100);
    // 1,000 offers only queue: far under a second even on a busy machine.
    assert.ok(offered < 1000, `${offered} ms`);
  });
});
