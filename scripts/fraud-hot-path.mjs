// The scoring worker's per-order path alone, in this process (issue 13 "Speed"; docs/BENCHMARKS.md, "The
// scoring worker's per-order CPU"): the model rebuilt from a lake with fraud scores (bench/fraud-threads.js
// --keep, or bench/fraud-history.ts, makes one), then synthetic orders as WAL lines handed over 15 at a time
// every 5 ms of virtual time, due orders scored every 400 ms and their score lines written. No thread, no
// timers, no store: the CPU per order of reading, queueing, scoring and writing, with far less noise than the
// worker in a serve. BUILD is a built checkout (this one or another, e.g. main): its dist/ is what runs; a
// build without src/collector/fraud-live.ts is driven as main b973169's worker drove its queue.
// `node scripts/fraud-hot-path.mjs BUILD LAKE [orders] [warm]`; HEAP=1 prints the bytes allocated per order
// (V8's sampling heap profiler, counting objects freed by the collections too) instead of the CPU.
import { join, resolve } from 'node:path';
const root = resolve(process.argv[2] ?? '.');
const lakeDir = resolve(process.argv[3] ?? '');
const N = Number(process.argv[4] ?? 150000);
const WARM = Number(process.argv[5] ?? 200000);
const fraud = await import(join(root, 'dist/src/fraud/index.js'));
const records = await import(join(root, 'dist/src/collector/records.js'));
const lake = await import(join(root, 'dist/src/lake/index.js'));
const replay = await import(join(root, 'dist/src/replay/index.js'));
const scoreLine = await import(join(root, 'dist/src/collector/fraud-score-line.js'));
const lineBytes = await import(join(root, 'dist/src/collector/fraud-line-bytes.js'));
let live = null;
try { live = await import(join(root, 'dist/src/collector/fraud-live.js')); } catch {}
const bytes = await import(join(root, 'dist/src/collector/fraud-order-bytes.js'));
const protocol = await import(join(root, 'dist/src/collector/fraud-protocol.js'));
const walFields = await import(join(root, 'dist/src/collector/wal-fields.js'));

const engine = await fraud.openLake(lakeDir);
const weights = fraud.loadWeights(lakeDir);
const rebuilt = await fraud.rebuildFromLake(engine, weights, weights.threshold, { onScores: () => {} });
await engine.close();
const model = rebuilt.model;
const validator = new records.RecordValidator(lake.TABLES.orders);
const source = replay.synthetic(50000, 0, Date.UTC(2026, 10, 26, 12));
const lineOf = (o, id) => { const v = validator.validate({ ...o, order_id: id }, 0); return JSON.stringify(v.record) + '\n'; };
const enc = (s) => new Uint8Array(Buffer.from(s, 'utf8'));
const empty = new Uint8Array(0);
const writer = new scoreLine.ScoreLineWriter(weights.version);
const out = new lineBytes.LineBytes();
let path;
if (live) {
  const l = new live.LiveScoring(300);
  const each = () => { writer.appendTo(out, l.score, t); };
  path = { receive: (b, now) => l.receive(b, empty, now), due: (now) => l.scoreDue(model, weights.threshold, now, 2000, each) };
} else {
  const q = new fraud.LiveQueue(300); const rb = new bytes.RecordBytes();
  const of = new walFields.WalFields(protocol.ORDER_FIELDS); const values = [];
  path = {
    receive: (b, now) => { rb.use(b); bytes.eachLine(b, (from, to) => q.addOrder(rb.orderFacts(from, to) ?? protocol.orderOfLine(rb.line(from, to), of, values), now)); },
    due: (now) => { const { scores } = q.scoreDue(model, weights.threshold, now, 2000); for (const s of scores) writer.appendTo(out, s, t); return scores.length; },
  };
}
let t = Date.UTC(2026, 10, 26, 13);
// messages prepared up front (as the worker receives them)
function messages(count, tag) {
  const m = [];
  for (let i = 0; i < count; i += 15) {
    let s = '';
    for (let k = i; k < Math.min(count, i + 15); k++) s += lineOf(source.orders[k % source.orders.length], `${tag}${k}`);
    m.push(enc(s));
  }
  return m;
}
function run(msgs) {
  let lastDue = t; let n = 0;
  for (const b of msgs) {
    t += 5; path.receive(b, t);
    if (t - lastDue >= 400) { lastDue = t; while (path.due(t) === 2000); out.length = 0; }
  }
  t += 10000; while (path.due(t) === 2000); out.length = 0;
}
run(messages(WARM, 'W'));
if (process.env.HEAP) {
  const { Session } = await import('node:inspector/promises');
  const session = new Session(); session.connect();
  const msgsH = messages(N, 'H');
  await session.post('HeapProfiler.startSampling', { samplingInterval: 256, includeObjectsCollectedByMajorGC: true, includeObjectsCollectedByMinorGC: true });
  run(msgsH);
  const { profile } = await session.post('HeapProfiler.stopSampling');
  const by = new Map(); let total = 0;
  const walk = (n, stack) => { const name = `${n.callFrame.functionName || '(anon)'} ${n.callFrame.url.split('/').slice(-1)[0]}:${n.callFrame.lineNumber + 1}`; for (const s of n.children) walk(s, [...stack, name]); const self = n.selfSize; if (self > 0 && stack.concat(name).some((x) => x.startsWith('run '))) { total += self; by.set(name, (by.get(name) ?? 0) + self); } };
  walk(profile.head, []);
  console.log(`${root}: bytes allocated per order ${(total / N).toFixed(0)}`);
  for (const [k, v] of [...by].sort((a, b) => b[1] - a[1]).slice(0, 12)) console.log(`  ${(v / N).toFixed(0).padStart(6)} B  ${k}`);
  process.exit(0);
}
const msgs = messages(N, 'M');
for (let rep = 0; rep < 3; rep++) {
  const m = rep === 0 ? msgs : messages(N, `R${rep}x`);
  const c0 = process.cpuUsage(); const h0 = process.hrtime.bigint();
  run(m);
  const c = process.cpuUsage(c0); const wall = Number(process.hrtime.bigint() - h0) / 1e3;
  console.log(`${root}: ${(wall / N).toFixed(2)} µs wall/order, process CPU ${((c.user + c.system) / N).toFixed(2)} µs/order`);
}
