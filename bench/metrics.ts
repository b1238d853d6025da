/**
 * How long a Prometheus scrape of `shoplake serve`'s /metrics takes with a big lake and every label
 * combination populated (goal: under 100 ms), against the same scrape beside a small lake (the peer):
 * the ratio shows whether scrape cost grows with the lake. Also times the monitor's full refresh (first
 * start) and an incremental one (after one more batch).
 *
 *   node dist/bench/metrics.js [orders=10000000] [peerOrders=50000]
 */
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { join } from 'node:path';
import { loadCatalog } from '../src/analyses/index.js';
import { collectorConfigSchema, startCollector } from '../src/collector/index.js';
import { ingest } from '../src/ingest/index.js';
import { TABLES } from '../src/lake/index.js';
import { MAX_REGIONS } from '../src/monitoring/index.js';
import { ORDER_HEADER } from '../src/seed/index.js';
import { buildBenchDataset } from './dataset.js';

const KEY = 'bench-metrics-key-1';
const orders = Number(process.argv[2] ?? 10_000_000);
const peerOrders = Number(process.argv[3] ?? 50_000);

interface Figures {
  orders: number;
  startSeconds: number;
  incrementalSeconds: number;
  series: number;
  bytes: number;
  p50: number;
  p95: number;
  max: number;
}

async function lakeOf(size: number): Promise<string> {
  const dir = join('.cache', `bench-metrics-${size}`);
  if (!existsSync(join(dir, 'lake', 'orders', '_manifest.json'))) {
    mkdirSync(dir, { recursive: true });
    await buildBenchDataset(dir, { orders: size, events: size, customers: Math.max(1000, size / 10) });
    // More regions than get their own label, so the "other" region is populated too.
    const lines = Array.from({ length: MAX_REGIONS + 5 }, (_, i) =>
      ['COMPLETED', 'PENDING', 'CANCELLED'].map(
        (status, j) =>
          `XR${i}-${j},C1,P1,Pen,1,10.00,10.00,${new Date(Date.now() - 600_000).toISOString().slice(0, 19).replace('T', ' ')},${status},REGION-${i}`,
      ),
    ).flat();
    writeFileSync(join(dir, 'regions.csv'), `${ORDER_HEADER}\n${lines.join('\n')}\n`);
    await ingest({ dataDir: dir, table: TABLES.orders, input: join(dir, 'regions.csv') });
  }
  return dir;
}

async function measure(size: number): Promise<Figures> {
  const dir = await lakeOf(size);
  const names = (await loadCatalog()).map((a) => a.name);
  const t0 = performance.now();
  const running = await startCollector({
    dataDir: dir,
    config: collectorConfigSchema.parse({ writeKeys: [KEY] }),
    port: 0,
    // A Spark address nobody listens on: the spark series exist (engine down) without a cluster.
    monitor: { analyses: names, sparkRemote: 'sc://127.0.0.1:9' },
  });
  await running.monitor.ready;
  const startSeconds = (performance.now() - t0) / 1000;
  try {
    // Every analysis on both engine labels, both outcomes; every rejection class on both tables.
    for (const name of names)
      for (const engine of ['duckdb', 'spark']) {
        await running.monitor.analyses.track(name, engine, async () => 0);
        await running.monitor.analyses
          .track(name, engine, async () => Promise.reject(new Error('x')))
          .catch(() => 0);
      }
    const post = (path: string, body: string) =>
      fetch(`${running.url}${path}`, {
        method: 'POST',
        headers: { authorization: `Bearer ${KEY}`, 'content-type': 'application/json' },
        body,
      });
    const now = new Date(Date.now() - 60_000).toISOString().slice(0, 19).replace('T', ' ');
    const order = {
      order_id: 'BENCH-1',
      customer_id: 'C1',
      product_id: 'P1',
      product_name: 'Pen',
      quantity: 1,
    };
    await post(
      '/v1/orders',
      JSON.stringify([
        { ...order, price: 10, total_amount: 10, order_date: now, status: 'COMPLETED', region: 'US-EAST' },
        {
          ...order,
          order_id: 'BENCH-2',
          price: 10,
          total_amount: 99,
          order_date: now,
          status: 'COMPLETED',
          region: 'US-EAST',
        },
        {
          ...order,
          order_id: 'BENCH-3',
          price: -1,
          total_amount: 10,
          order_date: now,
          status: 'COMPLETED',
          region: 'US-EAST',
        },
      ]),
    );
    await post('/v1/events', '[{"timestamp": 1, "action": "NOPE"}]');
    const t1 = performance.now();
    await running.collector.compactNow();
    await running.monitor.refresh();
    const incrementalSeconds = (performance.now() - t1) / 1000;
    // Warm-up, then 50 scrapes one after another, as Prometheus does.
    let text = '';
    for (let i = 0; i < 5; i++) text = await (await fetch(`${running.url}/metrics`)).text();
    const times: number[] = [];
    for (let i = 0; i < 50; i++) {
      const s = performance.now();
      text = await (await fetch(`${running.url}/metrics`)).text();
      times.push(performance.now() - s);
    }
    times.sort((a, b) => a - b);
    const series = text.split('\n').filter((l) => l !== '' && !l.startsWith('#')).length;
    return {
      orders: size,
      startSeconds,
      incrementalSeconds,
      series,
      bytes: Buffer.byteLength(text),
      p50: times[24] ?? 0,
      p95: times[47] ?? 0,
      max: times[49] ?? 0,
    };
  } finally {
    await running.close();
  }
}

const big = await measure(orders);
const peer = await measure(peerOrders);
const ms = (x: number) => `${x.toFixed(1)} ms`;
console.log(
  `metrics bench: ${cpus().length} × ${cpus()[0]?.model.trim()}, Node ${process.version}, ` +
    `load average ${loadavg()
      .map((l) => l.toFixed(1))
      .join(' ')}, ${new Date().toISOString()}`,
);
console.log(
  '| lake | series | body | scrape p50 | p95 | max | serve start-up (incl. first full refresh) | refresh after one batch |',
);
console.log('|---|---|---|---|---|---|---|---|');
for (const f of [big, peer]) {
  console.log(
    `| ${f.orders.toLocaleString('en-US')} orders | ${f.series} | ${(f.bytes / 1024).toFixed(0)} kB | ${ms(f.p50)} | ${ms(f.p95)} | ${ms(f.max)} | ${f.startSeconds.toFixed(1)} s | ${f.incrementalSeconds.toFixed(2)} s |`,
  );
}
console.log(`scrape p50 ratio big / small lake: ${(big.p50 / peer.p50).toFixed(2)}×`);
