/**
 * Scoring a lake's unscored orders (issue 13: "every order ingested from files gets a fraud score") in
 * bounded memory: scoreLake, reading the lake in batches (twice when many orders need a score), against
 * its peer, the one-go rebuild it replaced (every order's facts, features and context in memory at once),
 * each in its own process on the same lake, with its time and peak JS heap and RSS (sampled every 50 ms).
 * Neither writes: the scores are only counted, so the lake is left as it was.
 * `--heap MB` runs both under that JS heap limit (--max-old-space-size): what fits, fits.
 *   node dist/bench/fraud-lake.js --data DIR [--only batched|one-go] [--heap MB]
 */
import { spawnSync } from 'node:child_process';
import { loadavg } from 'node:os';
import { fileURLToPath } from 'node:url';
import { z } from 'zod';
import {
  FraudModel,
  growForest,
  loadOrderFacts,
  loadProfiles,
  openLake,
  replayFeatures,
  SHIPPED_WEIGHTS,
  scoredOrders,
  scoreLake,
} from '../src/fraud/index.js';

const WAYS = ['batched', 'one-go'] as const;
type Way = (typeof WAYS)[number];
const resultSchema = z.object({
  seconds: z.number(),
  orders: z.number(),
  unscored: z.number(),
  passes: z.number(),
  peakHeapMB: z.number(),
  peakRssMB: z.number(),
});
type Result = z.infer<typeof resultSchema>;

function arg(name: string): string | undefined {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : undefined;
}

async function measure(way: Way, dataDir: string): Promise<Result> {
  let peakHeap = 0;
  let peakRss = 0;
  const sample = () => {
    const m = process.memoryUsage();
    peakHeap = Math.max(peakHeap, m.heapUsed);
    peakRss = Math.max(peakRss, m.rss);
  };
  const timer = setInterval(sample, 50);
  const started = performance.now();
  const engine = await openLake(dataDir);
  let r: { orders: number; unscored: number; passes: number };
  try {
    if (way === 'batched') {
      let n = 0;
      const done = await scoreLake(engine, SHIPPED_WEIGHTS, {
        onScores: (s) => {
          n += s.length;
        },
      });
      r = { orders: done.orders, unscored: n, passes: done.passes };
    } else {
      const [facts, profiles, scored] = await Promise.all([
        loadOrderFacts(engine),
        loadProfiles(engine),
        scoredOrders(engine),
      ]);
      const replay = replayFeatures(facts, profiles, (o) => !scored.has(o.orderId));
      const model = new FraudModel(replay.state, growForest(replay.sample), SHIPPED_WEIGHTS);
      const scores = replay.kept.map((k) => model.scoreVector(k.o, k.x, k.context));
      sample();
      r = { orders: facts.length, unscored: scores.length, passes: 1 };
    }
  } finally {
    await engine.close();
  }
  clearInterval(timer);
  sample();
  return {
    ...r,
    seconds: (performance.now() - started) / 1000,
    peakHeapMB: Math.round(peakHeap / 2 ** 20),
    peakRssMB: Math.round(peakRss / 2 ** 20),
  };
}

const data = arg('data');
if (!data) throw new Error('usage: node dist/bench/fraud-lake.js --data DIR [--only batched|one-go]');
const child = arg('child');
if (child) {
  const way = z.enum(WAYS).parse(child);
  process.stdout.write(`${JSON.stringify(await measure(way, data))}\n`);
} else {
  const only = arg('only');
  const ways = only ? [z.enum(WAYS).parse(only)] : [...WAYS];
  const self = fileURLToPath(import.meta.url);
  const heap = arg('heap');
  const limit = heap ? [`--max-old-space-size=${z.coerce.number().int().positive().parse(heap)}`] : [];
  console.log(
    `lake ${data}${heap ? `; JS heap limit ${heap} MB` : ''}; load average ${loadavg()
      .map((v) => v.toFixed(1))
      .join(' ')}`,
  );
  for (const way of ways) {
    const out = spawnSync(process.execPath, [...limit, self, '--data', data, '--child', way], {
      encoding: 'utf8',
      maxBuffer: 1 << 20,
    });
    if (out.status !== 0) {
      console.log(
        `${way.padEnd(8)} failed (exit ${out.status}): ${out.stderr.trim().split('\n').slice(-2).join(' ')}`,
      );
      continue;
    }
    const r = resultSchema.parse(JSON.parse(out.stdout));
    console.log(
      `${way.padEnd(8)} ${r.orders} orders, ${r.unscored} scored, ${r.passes} read(s): ${r.seconds.toFixed(1)} s, peak heap ${r.peakHeapMB} MB, peak RSS ${r.peakRssMB} MB`,
    );
  }
  console.log(
    `load average after ${loadavg()
      .map((v) => v.toFixed(1))
      .join(' ')}`,
  );
}
