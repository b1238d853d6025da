/**
 * Inventory and reorder: time of `inventory` next to a plain SQL peer that computes the same stock on a
 * generated lake (which knows its sales movements mirror its orders), time of `reorder`, and the replay's
 * figures (units short, holding cost) for the proposed and today's policy next to the units the generator
 * truly lost in the held-out days (labels/lost_demand.csv). `node dist/bench/inventory.js [--quick]`;
 * `--data DIR [--only inventory,reorder]` measures an existing lake (read only) instead, reorder at 0.95.
 */
import { readFileSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { findAnalysis, runAnalysis } from '../src/analyses/index.js';
import { openEngine } from '../src/engines/index.js';
import { type GenerateOptions, generate, generateDefaults } from '../src/generate/index.js';
import { buildLake } from '../src/ingest/index.js';
import { type LakeOption, machineLine, measureGivenLake, timedWithPeak, wanted } from './lake-option.js';

const AS_OF = new Date(Date.UTC(2025, 6, 1));
const HOLDOUT_DAYS = 42;

const PEER = `
  SELECT l.warehouse_id, l.product_id, l.on_hand + coalesce(m.q, 0) - coalesce(o.q, 0) AS on_hand
  FROM stock_levels l
  LEFT JOIN (SELECT warehouse_id, product_id, sum(quantity) AS q FROM stock_movements
             WHERE movement_type <> 'SALE' GROUP BY 1, 2) m USING (warehouse_id, product_id)
  LEFT JOIN (SELECT 'WH-' || region AS warehouse_id, product_id, sum(quantity) AS q FROM orders
             WHERE status <> 'CANCELLED' GROUP BY 1, 2) o USING (warehouse_id, product_id)`;

async function timed<T>(f: () => Promise<T>): Promise<[T, number]> {
  const t0 = performance.now();
  const out = await f();
  return [out, (performance.now() - t0) / 1000];
}

async function run(name: string, over: Partial<GenerateOptions>): Promise<void> {
  const dir = join(tmpdir(), `shoplake-bench-inventory-${name}-${process.pid}`);
  const [, built] = await timed(async () => {
    await generate({ ...generateDefaults, asOf: AS_OF, out: dir, inventory: true, ...over });
    await buildLake(dir);
  });
  console.log(`\n## ${name}: ${JSON.stringify(over)} (generate + build ${built.toFixed(1)} s)`);
  const engine = await openEngine({ dataDir: dir });
  try {
    const [inv, tInv] = await timed(async () => runAnalysis(engine, await findAnalysis('inventory'), {}));
    const [peer, tPeer] = await timed(() => engine.query(PEER));
    const same = inv.every((r) => {
      const p = peer.find((x) => x.warehouse_id === r.warehouse_id && x.product_id === r.product_id);
      return Number(p?.on_hand) === r.on_hand;
    });
    console.log(
      `inventory: ${tInv.toFixed(2)} s · plain SQL peer: ${tPeer.toFixed(2)} s (ratio ${(tInv / tPeer).toFixed(1)}×) · same stock: ${same}`,
    );
    const cut = new Date(AS_OF.getTime() - HOLDOUT_DAYS * 86_400_000).toISOString().slice(0, 10);
    const lost = readFileSync(join(dir, 'labels', 'lost_demand.csv'), 'utf8')
      .trim()
      .split('\n')
      .slice(1)
      .reduce((t, l) => (l >= cut ? t + Number(l.split(',')[4]) : t), 0);
    for (const serviceLevel of [0.5, 0.95, 0.99]) {
      const [rows, t] = await timed(async () =>
        runAnalysis(engine, await findAnalysis('reorder'), { serviceLevel, holdoutDays: HOLDOUT_DAYS }),
      );
      if (!rows) return;
      const sum = (k: string) => rows.reduce((s, r) => s + Number((r as Record<string, unknown>)[k] ?? 0), 0);
      console.log(
        `reorder --service-level ${serviceLevel}: ${t.toFixed(2)} s · short ${sum('stockout_units')} units ` +
          `(today's policy ${sum('current_stockout_units')}; truly lost ${lost}) · holding $${sum('holding_cost').toFixed(0)} ` +
          `(today's $${sum('current_holding_cost').toFixed(0)})`,
      );
    }
  } finally {
    await engine.close();
    await rm(dir, { recursive: true, force: true });
  }
}

/** --data: inventory next to its SQL peer, and reorder at a 0.95 service level, on an existing lake. */
async function onLake(o: LakeOption & { dir: string }): Promise<void> {
  console.log(machineLine('inventory bench', o.dir));
  const engine = await openEngine({ dataDir: o.dir });
  try {
    if (wanted(o, 'inventory')) {
      const inv = await timedWithPeak('inventory', async () =>
        runAnalysis(engine, await findAnalysis('inventory'), {}),
      );
      const peer = await timedWithPeak('plain SQL peer', () => engine.query(PEER));
      console.log(`  ${inv?.length} rows, peer ${peer?.length}`);
    }
    if (wanted(o, 'reorder')) {
      const holdoutDays = o.holdoutDays ?? HOLDOUT_DAYS;
      const rows = await timedWithPeak(
        `reorder --service-level 0.95 --holdout-days ${holdoutDays}`,
        async () =>
          runAnalysis(engine, await findAnalysis('reorder'), {
            serviceLevel: 0.95,
            holdoutDays,
          }),
      );
      if (!rows) return;
      const sum = (k: string) => rows.reduce((s, r) => s + Number((r as Record<string, unknown>)[k] ?? 0), 0);
      console.log(
        `  ${rows.length} rows · short ${sum('stockout_units')} units (today's policy ${sum('current_stockout_units')}) · holding $${sum('holding_cost').toFixed(0)} (today's $${sum('current_holding_cost').toFixed(0)})`,
      );
    }
  } finally {
    await engine.close();
  }
}

await measureGivenLake(onLake);
const quick = process.argv.includes('--quick');
console.log(
  `# inventory bench ${new Date().toISOString()} · ${cpus().length} CPUs · load ${loadavg()
    .map((x) => x.toFixed(2))
    .join(' ')}`,
);
await run('default orders, 120 days', { days: 120 });
if (!quick) await run('1M orders, 120 days', { orders: 1_000_000, days: 120, events: 200_000 });
