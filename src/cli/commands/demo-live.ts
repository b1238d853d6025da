import { randomUUID } from 'node:crypto';
import { collectorConfigSchema, startCollector } from '../../collector/index.js';
import { type Engine, openEngine } from '../../engines/index.js';
import { loadSource, replay } from '../../replay/index.js';
import { describeReplay } from './replay.js';

const money = (x: number) =>
  `$${x.toLocaleString('en-US', { minimumFractionDigits: 2, maximumFractionDigits: 2 })}`;

async function totals(engine: Engine): Promise<{ orders: number; revenue: number; events: number }> {
  const [row] = await engine.query(
    `SELECT (SELECT count(*) FROM orders) AS orders, (SELECT coalesce(sum(total_amount), 0) FROM orders) AS revenue,
       (SELECT count(*) FROM clickstream) AS events`,
  );
  return {
    orders: Number(row?.orders ?? 0),
    revenue: Number(row?.revenue ?? 0),
    events: Number(row?.events ?? 0),
  };
}

/**
 * Live data flowing: starts the collector on a loopback port, replays generated orders and events at a
 * Black-Friday-shaped rate for a few seconds, and prints the lake's counts and revenue as they grow.
 */
export async function liveDemo(dir: string, out: (line: string) => void, seconds = 6): Promise<void> {
  const key = `demo-${randomUUID()}`;
  const config = collectorConfigSchema.parse({ writeKeys: [key], compactIntervalMs: 1000 });
  // The live part shows ingestion throughput; fraud scoring (shoplake serve's default) would first rebuild
  // its model from the whole lake, seconds the demo does not need. `shoplake fraud backtest` shows it.
  const collector = await startCollector({ dataDir: dir, config, host: '127.0.0.1', port: 0, fraud: false });
  const engine = await openEngine({ dataDir: dir });
  try {
    const start = await totals(engine);
    out(
      `collector listening on ${collector.url}; replaying orders and events for ${seconds} s (×3 in the middle)`,
    );
    const replaying = replay(loadSource(dir), {
      target: collector.url,
      key,
      rate: 2000,
      durationSeconds: seconds,
      batch: 50,
      concurrency: 8,
      blackFriday: 3,
      tag: `live${Date.now().toString(36)}`,
    });
    let done = false;
    const finished = replaying.finally(() => {
      done = true;
    });
    const t0 = performance.now();
    while (!done) {
      await Promise.race([finished, new Promise((r) => setTimeout(r, 1000))]);
      const now = await totals(engine);
      out(
        `  +${((performance.now() - t0) / 1000).toFixed(0)} s  orders ${now.orders.toLocaleString('en-US')} ` +
          `(+${(now.orders - start.orders).toLocaleString('en-US')})  events +${(now.events - start.events).toLocaleString('en-US')}  ` +
          `revenue ${money(now.revenue)} (+${money(now.revenue - start.revenue)})`,
      );
    }
    const result = await replaying;
    await collector.close();
    const end = await totals(engine);
    out(describeReplay(result));
    out(
      `after the final compaction the lake holds ${(end.orders - start.orders).toLocaleString('en-US')} new orders and ` +
        `${(end.events - start.events).toLocaleString('en-US')} new events (${money(end.revenue - start.revenue)})`,
    );
  } finally {
    await collector.close();
    await engine.close();
  }
}
