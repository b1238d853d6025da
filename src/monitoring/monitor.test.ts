import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { Registry } from 'prom-client';
import { ingest } from '../ingest/index.js';
import { TABLES } from '../lake/index.js';
import { CLICK_HEADER, ORDER_HEADER } from '../seed/index.js';
import { boundedRegions, LakeMonitor, MonitoringMetrics, OTHER } from './index.js';

// Times relative to now, as the lake's TIMESTAMP text (UTC).
const NOW = Date.now();
const at = (msAgo: number) => new Date(NOW - msAgo).toISOString().replace('T', ' ').slice(0, 19);
const MIN = 60_000;
const WEEK = 7 * 24 * 60 * MIN;

/** Reads one metric's samples from the registry as "label=value,…" → value. */
async function samples(registry: Registry, name: string): Promise<Map<string, number>> {
  const metric = (await registry.getMetricsAsJSON()).find((m) => m.name === name);
  assert.ok(metric, `metric ${name} is exported`);
  const out = new Map<string, number>();
  for (const v of metric.values) {
    const labels = Object.entries(v.labels)
      .sort(([a], [b]) => a.localeCompare(b))
      .map(([k, val]) => `${k}=${val}`)
      .join(',');
    out.set(labels, Number(v.value));
  }
  return out;
}

describe('LakeMonitor over a hand-built lake', () => {
  let dir: string;
  let registry: Registry;
  let monitor: LakeMonitor;

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'shoplake-monitor-'));
    // O1 has two lines (one order, 25 dollars); O2 is cancelled; O3 is a week and 10 minutes old; O4 3 days.
    const orders = [
      ORDER_HEADER,
      `O1,C1,P1,Pen,2,10.00,20.00,${at(10 * MIN)},COMPLETED,EU-WEST`,
      `O1,C1,P2,Ink,1,5.00,5.00,${at(10 * MIN)},COMPLETED,EU-WEST`,
      `O2,C2,P1,Pen,1,100.00,100.00,${at(20 * MIN)},CANCELLED,US-EAST`,
      `O3,C3,P1,Pen,3,10.00,30.00,${at(WEEK + 10 * MIN)},PENDING,US-EAST`,
      `O4,C4,P1,Pen,1,40.00,40.00,${at(3 * 24 * 60 * MIN)},COMPLETED,US-EAST`,
    ];
    writeFileSync(join(dir, 'orders.csv'), `${orders.join('\n')}\n`);
    // S1 views and buys in the last hour, S2 only views; S3 is two hours old (outside the window).
    const events = [
      CLICK_HEADER,
      `${at(5 * MIN)},S1,C1,VIEW,product,P1,mobile,10`,
      `${at(4 * MIN)},S1,C1,PURCHASE,checkout,P1,mobile,5`,
      `${at(5 * MIN)},S2,C2,VIEW,home,,desktop,3`,
      `${at(120 * MIN)},S3,C3,VIEW,home,,desktop,3`,
    ];
    writeFileSync(join(dir, 'events.csv'), `${events.join('\n')}\n`);
    await ingest({ dataDir: dir, table: TABLES.orders, input: join(dir, 'orders.csv') });
    // The same file again: five duplicates, nothing loaded.
    await ingest({ dataDir: dir, table: TABLES.orders, input: join(dir, 'orders.csv') });
    await ingest({ dataDir: dir, table: TABLES.clickstream, input: join(dir, 'events.csv') });
    registry = new Registry();
    monitor = new LakeMonitor(dir, new MonitoringMetrics(registry), { analyses: ['sales-by-region'] });
    await monitor.refresh();
  });

  after(async () => {
    await monitor.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('counts distinct orders, lines and revenue per region and status', async () => {
    const orders = await samples(registry, 'shoplake_business_orders');
    const lines = await samples(registry, 'shoplake_business_order_lines');
    const revenue = await samples(registry, 'shoplake_business_revenue_dollars');
    assert.deepEqual(Object.fromEntries(orders), {
      'region=EU-WEST,status=COMPLETED': 1,
      'region=US-EAST,status=CANCELLED': 1,
      'region=US-EAST,status=PENDING': 1,
      'region=US-EAST,status=COMPLETED': 1,
    });
    assert.equal(lines.get('region=EU-WEST,status=COMPLETED'), 2);
    assert.equal(revenue.get('region=EU-WEST,status=COMPLETED'), 25);
    assert.equal(revenue.get('region=US-EAST,status=CANCELLED'), 100);
    assert.equal(revenue.get('region=US-EAST,status=PENDING'), 30);
  });

  it('computes the last hour against the same hour a week earlier, AOV and conversion', async () => {
    const revenue = await samples(registry, 'shoplake_business_recent_revenue_dollars');
    // Last hour: O1 (25); O2 is cancelled. A week earlier: O3 (30).
    assert.equal(revenue.get('period=last_hour'), 25);
    assert.equal(revenue.get('period=week_ago'), 30);
    const recentOrders = await samples(registry, 'shoplake_business_recent_orders');
    assert.equal(recentOrders.get('period=last_hour'), 1);
    assert.equal(recentOrders.get('period=week_ago'), 1);
    assert.equal((await samples(registry, 'shoplake_business_recent_aov_dollars')).get(''), 25);
    // S1 and S2 in the window, S1 purchased.
    assert.equal((await samples(registry, 'shoplake_business_recent_conversion_ratio')).get(''), 0.5);
  });

  it('counts events by action and device', async () => {
    assert.deepEqual(Object.fromEntries(await samples(registry, 'shoplake_business_events')), {
      'action=VIEW,device=mobile': 1,
      'action=PURCHASE,device=mobile': 1,
      'action=VIEW,device=desktop': 2,
    });
  });

  it('sizes the tables and counts committed batches by source and outcome', async () => {
    assert.equal((await samples(registry, 'shoplake_lake_rows')).get('table=orders'), 5);
    assert.equal((await samples(registry, 'shoplake_lake_rows')).get('table=clickstream'), 4);
    assert.ok(((await samples(registry, 'shoplake_lake_files')).get('table=orders') ?? 0) >= 1);
    assert.ok(((await samples(registry, 'shoplake_lake_bytes')).get('table=orders') ?? 0) > 0);
    const ingested = await samples(registry, 'shoplake_ingest_rows_total');
    assert.equal(ingested.get('outcome=loaded,source=file,table=orders'), 5);
    assert.equal(ingested.get('outcome=duplicate,source=file,table=orders'), 5);
    assert.equal(ingested.get('outcome=loaded,source=http,table=orders'), 0);
    assert.equal((await samples(registry, 'shoplake_engine_up')).get('engine=duckdb'), 1);
  });

  it('adds what lands later, counting each batch once', async () => {
    writeFileSync(
      join(dir, 'more.csv'),
      `${ORDER_HEADER}\nO5,C5,P1,Pen,1,10.00,10.00,${at(5 * MIN)},COMPLETED,US-EAST\n`,
    );
    await ingest({ dataDir: dir, table: TABLES.orders, input: join(dir, 'more.csv') });
    await monitor.refresh();
    await monitor.refresh();
    assert.equal(
      (await samples(registry, 'shoplake_business_orders')).get('region=US-EAST,status=COMPLETED'),
      2,
    );
    assert.equal(
      (await samples(registry, 'shoplake_business_recent_revenue_dollars')).get('period=last_hour'),
      35,
    );
    // (25 + 10) / 2 completed orders in the last hour.
    assert.equal((await samples(registry, 'shoplake_business_recent_aov_dollars')).get(''), 17.5);
    const ingested = await samples(registry, 'shoplake_ingest_rows_total');
    assert.equal(ingested.get('outcome=loaded,source=file,table=orders'), 6);
    assert.equal(ingested.get('outcome=duplicate,source=file,table=orders'), 5);
    assert.equal((await samples(registry, 'shoplake_lake_rows')).get('table=orders'), 6);
  });

  it('keeps the analysis series at zero until one runs, then counts it', async () => {
    const before = await samples(registry, 'shoplake_analyses_total');
    assert.equal(before.get('analysis=sales-by-region,engine=duckdb,outcome=ok'), 0);
    await monitor.analyses.track('sales-by-region', 'duckdb', async () => 1);
    await assert.rejects(
      monitor.analyses.track('sales-by-region', 'duckdb', async () => {
        throw new Error('boom');
      }),
    );
    const runs = await samples(registry, 'shoplake_analyses_total');
    assert.equal(runs.get('analysis=sales-by-region,engine=duckdb,outcome=ok'), 1);
    assert.equal(runs.get('analysis=sales-by-region,engine=duckdb,outcome=error'), 1);
    assert.equal((await samples(registry, 'shoplake_analyses_running')).get(''), 0);
  });
});

describe('boundedRegions', () => {
  it('keeps the largest regions and sums the rest under "other"', () => {
    const weights = new Map([
      ['A', 5],
      ['B', 9],
      ['C', 1],
      ['D', 9],
    ]);
    // B and D tie at 9 (alphabetical), then A; C is the smallest.
    assert.deepEqual(Object.fromEntries(boundedRegions(weights, 3)), { B: 'B', D: 'D', A: 'A', C: OTHER });
  });
});
