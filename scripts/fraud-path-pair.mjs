// Two builds' scoring-worker path (scripts/fraud-hot-path.mjs's: WAL lines read into the live queue, due
// orders scored every 400 ms of virtual time, their score lines written) side by side in ONE process, on the
// same orders, taking turns chunk by chunk (A B B A …), so that the load of a shared machine falls on both
// alike (docs/BENCHMARKS.md, "The forest walked tree by tree"). Prints the process CPU µs an order of each
// build per turn and the medians. Both builds need src/collector/fraud-live.ts (LiveScoring).
// `node scripts/fraud-path-pair.mjs BUILD_A BUILD_B LAKE [orders a turn] [turns] [warm]`
import { join, resolve } from 'node:path';
const builds = [resolve(process.argv[2]), resolve(process.argv[3])];
const lakeDir = resolve(process.argv[4] ?? '');
const N = Number(process.argv[5] ?? 30000);
const TURNS = Number(process.argv[6] ?? 8);
const WARM = Number(process.argv[7] ?? 100000);

async function path(root) {
  const fraud = await import(join(root, 'dist/src/fraud/index.js'));
  const live = await import(join(root, 'dist/src/collector/fraud-live.js'));
  const scoreLine = await import(join(root, 'dist/src/collector/fraud-score-line.js'));
  const lineBytes = await import(join(root, 'dist/src/collector/fraud-line-bytes.js'));
  const engine = await fraud.openLake(lakeDir);
  const weights = fraud.loadWeights(lakeDir);
  const { model } = await fraud.rebuildFromLake(engine, weights, weights.threshold, { onScores: () => {} });
  await engine.close();
  const writer = new scoreLine.ScoreLineWriter(weights.version);
  const out = new lineBytes.LineBytes();
  const l = new live.LiveScoring(300);
  const empty = new Uint8Array(0);
  let t = Date.UTC(2026, 10, 26, 13);
  const each = () => writer.appendTo(out, l.score, t);
  const due = () => l.scoreDue(model, weights.threshold, t, 2000, each);
  return (msgs) => {
    let lastDue = t;
    for (const b of msgs) {
      t += 5;
      l.receive(b, empty, t);
      if (t - lastDue >= 400) { lastDue = t; while (due() === 2000); out.length = 0; }
    }
    t += 10000; while (due() === 2000); out.length = 0;
  };
}

const [a, b] = [await path(builds[0]), await path(builds[1])];
const records = await import(join(builds[0], 'dist/src/collector/records.js'));
const lake = await import(join(builds[0], 'dist/src/lake/index.js'));
const replay = await import(join(builds[0], 'dist/src/replay/index.js'));
const validator = new records.RecordValidator(lake.TABLES.orders);
const source = replay.synthetic(50000, 0, Date.UTC(2026, 10, 26, 12));
const lineOf = (o, id) => JSON.stringify(validator.validate({ ...o, order_id: id }, 0).record) + '\n';
function messages(count, tag) {
  const m = [];
  for (let i = 0; i < count; i += 15) {
    let s = '';
    for (let k = i; k < Math.min(count, i + 15); k++) s += lineOf(source.orders[k % source.orders.length], `${tag}${k}`);
    m.push(new Uint8Array(Buffer.from(s, 'utf8')));
  }
  return m;
}
function timed(run, msgs) {
  const c0 = process.cpuUsage();
  run(msgs);
  const c = process.cpuUsage(c0);
  return (c.user + c.system) / msgs.length / 15;
}
const warm = messages(WARM, 'W');
a(warm); b(warm);
const got = [[], []];
for (let turn = 0; turn < TURNS; turn++) {
  const msgs = messages(N, `T${turn}x`);
  const order = turn % 2 === 0 ? [0, 1] : [1, 0];
  for (const k of order) got[k].push(timed(k === 0 ? a : b, msgs));
  console.log(`turn ${turn}: A ${got[0][turn].toFixed(2)}  B ${got[1][turn].toFixed(2)} µs/order`);
}
const median = (v) => { const s = [...v].sort((x, y) => x - y); return (s[(s.length - 1) >> 1] + s[s.length >> 1]) / 2; };
console.log(`A ${builds[0]}: median ${median(got[0]).toFixed(2)} µs/order`);
console.log(`B ${builds[1]}: median ${median(got[1]).toFixed(2)} µs/order; A ÷ B ${(median(got[0]) / median(got[1])).toFixed(3)}`);
