/**
 * Collector figures over loopback with fsync on (issue 3 §4): sustained records/s in batches of 100,
 * single-record requests/s, p50/p99 at half of each, and ack → queryable time, each against its target,
 * with the CPU the server and the load generator used (both share this machine's cores). The server
 * runs as its own process (as in production); this process is the load generator (`shoplake replay`'s
 * open-loop engine on an undici pool). When `wrk` is installed it cross-checks with a C client.
 * `node dist/bench/collector.js` (BENCH_SECONDS, default 10 s per run).
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { openEngine } from '../src/engines/index.js';
import { type ReplayResult, replay, synthetic } from '../src/replay/index.js';
import { startServe, stopServe } from './serve-process.js';

const KEY = 'bench-key-123';
const SECONDS = Number(process.env.BENCH_SECONDS ?? 10);
const TARGET = { batched: 100_000, single: 10_000, p99Ms: 50, lagSeconds: 5 };

/** CPU seconds (user + system) a process has used, from /proc; its DuckDB threads included. */
function cpuSeconds(pid: number): number {
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]?.split(' ') ?? [];
    return (Number(fields[11]) + Number(fields[12])) / 100; // utime, stime in clock ticks (USER_HZ = 100)
  } catch {
    return Number.NaN;
  }
}

/** The collector's children (the compaction process), from /proc. */
function childPids(pid: number): number[] {
  try {
    return readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8').split(/\s+/).filter(Boolean).map(Number);
  } catch {
    return [];
  }
}

/** Busy CPU seconds of the whole machine, from /proc/stat (all but idle and iowait). */
function machineBusySeconds(): number {
  try {
    const [, ...ticks] = (readFileSync('/proc/stat', 'utf8').split('\n')[0] ?? '')
      .split(/\s+/)
      .filter(Boolean);
    const n = ticks.slice(0, 8).map(Number);
    return (n.reduce((a, b) => a + b, 0) - (n[3] ?? 0) - (n[4] ?? 0)) / 100;
  } catch {
    return Number.NaN;
  }
}

interface Run {
  result: ReplayResult;
  serverCores: number;
  compactionCores: number;
  clientCores: number;
  /** Everything else the machine ran meanwhile (other users' jobs, the kernel's own work). */
  otherCores: number;
  /** WAL bytes acknowledged but not yet in the lake when the run ended, and seconds until they were. */
  backlogBytes: number;
  drainSeconds: number;
}

async function pendingBytes(url: string): Promise<number> {
  const text = await (await fetch(`${url}/metrics`)).text();
  return Number(/^shoplake_wal_pending_bytes (\S+)$/m.exec(text)?.[1] ?? Number.NaN);
}

/** Waits until compaction has moved the backlog into the lake, so runs do not inherit each other's. */
async function drain(url: string): Promise<{ backlogBytes: number; drainSeconds: number }> {
  const started = performance.now();
  const backlogBytes = await pendingBytes(url);
  while ((await pendingBytes(url)) > 0 && performance.now() - started < 180_000)
    await new Promise((r) => setTimeout(r, 200));
  return { backlogBytes, drainSeconds: (performance.now() - started) / 1000 };
}

const source = { ...synthetic(50_000, 200_000), origin: 'synthetic' };
let runs = 0;

async function load(
  pid: number,
  url: string,
  rate: number,
  batch: number,
  concurrency: number,
  during?: () => Promise<void>,
): Promise<Run> {
  const server0 = cpuSeconds(pid);
  const children = childPids(pid);
  const compaction0 = children.reduce((sum, c) => sum + cpuSeconds(c), 0);
  const machine0 = machineBusySeconds();
  const client0 = process.cpuUsage();
  const wall0 = performance.now();
  const [result] = await Promise.all([
    replay(source, {
      target: url,
      key: KEY,
      rate,
      durationSeconds: SECONDS,
      batch,
      concurrency,
      blackFriday: 1,
      tag: `b${runs++}x`,
    }),
    during?.(),
  ]);
  const wall = (performance.now() - wall0) / 1000;
  const client = process.cpuUsage(client0);
  const serverCores = (cpuSeconds(pid) - server0) / wall;
  const compactionCores = (children.reduce((sum, c) => sum + cpuSeconds(c), 0) - compaction0) / wall;
  const clientCores = (client.user + client.system) / 1e6 / wall;
  const machineCores = (machineBusySeconds() - machine0) / wall;
  return {
    result,
    serverCores,
    compactionCores,
    clientCores,
    otherCores: Math.max(0, machineCores - serverCores - compactionCores - clientCores),
    ...(await drain(url)),
  };
}

const fmt = (n: number) => Math.round(n).toLocaleString('en-US');
const ratio = (achieved: number, target: number) =>
  `${(achieved / target).toFixed(2)}× target ${achieved >= target ? 'met' : 'MISSED'}`;
const p99Verdict = (ms: number) =>
  `p99 ${(ms / TARGET.p99Ms).toFixed(2)}× of ${TARGET.p99Ms} ms ${ms < TARGET.p99Ms ? 'met' : 'MISSED'}`;

function report(label: string, run: Run, unit: string, target?: number): void {
  const r = run.result;
  const rate = unit === 'requests' ? r.requests / r.seconds : r.achievedRate;
  const errors = Object.keys(r.errors).length ? `  errors ${JSON.stringify(r.errors)}` : '';
  console.log(
    `${label.padEnd(30)} ${fmt(rate).padStart(8)} ${unit}/s  p50 ${r.latencyMs.p50.toFixed(1)} ms  ` +
      `p99 ${r.latencyMs.p99.toFixed(1)} ms  cores: server ${run.serverCores.toFixed(2)}, compaction ` +
      `${run.compactionCores.toFixed(2)}, client ${run.clientCores.toFixed(2)}, other ${run.otherCores.toFixed(2)}${errors}`,
  );
  console.log(
    `${''.padEnd(30)} ${target ? ratio(rate, target) : p99Verdict(r.latencyMs.p99)}; compaction backlog at ` +
      `the end ${(run.backlogBytes / 2 ** 20).toFixed(1)} MB, in the lake ${run.drainSeconds.toFixed(1)} s later`,
  );
}

/** Seconds from a durable ack until `shoplake query` sees the record, probed while load runs. */
async function ackToQueryable(url: string, dir: string, delayMs: number): Promise<number> {
  await new Promise((r) => setTimeout(r, delayMs));
  const id = `Q${Date.now()}`;
  const order = { ...(source.orders[0] as object), order_id: id };
  const res = await fetch(`${url}/v1/orders`, {
    method: 'POST',
    headers: { authorization: `Bearer ${KEY}`, 'content-type': 'application/json' },
    body: JSON.stringify(order),
  });
  const acked = performance.now();
  if (res.status !== 200) throw new Error(`probe refused: ${res.status}`);
  for (;;) {
    const engine = await openEngine({ dataDir: dir, threads: 1 });
    const rows = await engine.query('SELECT count(*) AS n FROM orders WHERE order_id = :id', { id });
    await engine.close();
    if (Number(rows[0]?.n) === 1) return (performance.now() - acked) / 1000;
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** The same load from wrk (C, one thread), when installed: the server's rate with a cheaper client. */
async function wrk(url: string, batch: number, connections: number): Promise<string | null> {
  if (spawnSync('wrk', ['--version']).error) return null;
  await drain(url);
  const script = join(tmpdir(), `shoplake-wrk-${process.pid}.lua`);
  const [before, after] = JSON.stringify({ ...(source.orders[0] as object), order_id: '@' }).split('@');
  writeFileSync(
    script,
    `local n = 0
local tag = tostring(os.time()) .. tostring(math.random(1e9))
wrk.method = "POST"
wrk.headers["authorization"] = "Bearer ${KEY}"
wrk.headers["content-type"] = "application/json"
request = function()
  n = n + 1
  local parts = {}
  for i = 1, ${batch} do parts[i] = [[${before}W]] .. tag .. "-" .. n .. "-" .. i .. [[${after}]] end
  return wrk.format(nil, "/v1/orders", nil, ${batch === 1 ? 'parts[1]' : '"[" .. table.concat(parts, ",") .. "]"'})
end
done = function(summary, latency, requests)
  io.write(string.format("WRK %d %d %d %.3f %.3f\\n", summary.requests, summary.errors.status,
    summary.duration, latency:percentile(50) / 1000, latency:percentile(99) / 1000))
end
`,
  );
  const out = spawnSync(
    'wrk',
    ['-t1', `-c${connections}`, `-d${SECONDS}s`, '--timeout', '10s', '-s', script, url],
    { encoding: 'utf8' },
  );
  rmSync(script, { force: true });
  const m = /WRK (\d+) (\d+) (\d+) ([\d.]+) ([\d.]+)/.exec(out.stdout);
  if (!m) return `wrk failed: ${out.stderr || out.stdout}`;
  const [, requests, bad, micros, p50, p99] = m.map(Number) as number[];
  // Only 2xx answers count (wrk's own rate includes refusals such as 503 backpressure).
  const perSecond = (((requests as number) - (bad as number)) * batch) / ((micros as number) / 1e6);
  return `${fmt(perSecond)} ${batch === 1 ? 'requests' : 'records'}/s  p50 ${p50} ms  p99 ${p99} ms  non-2xx ${bad}`;
}

const dir = mkdtempSync(join(tmpdir(), 'shoplake-bench-'));
const { child, url } = await startServe(dir, KEY);
const pid = child.pid as number;
try {
  console.log(
    `collector bench: ${cpus().length} × ${cpus()[0]?.model.trim()}, Node ${process.version}, ` +
      `${SECONDS} s per run, ${new Date().toISOString().slice(0, 10)}; loopback, fsync on`,
  );
  const batched = await load(pid, url, 2 * TARGET.batched, 100, 64);
  report('batched (100/request), max', batched, 'records', TARGET.batched);
  const single = await load(pid, url, 3 * TARGET.single, 1, 256);
  report('single record/request, max', single, 'requests', TARGET.single);
  let lag = 0;
  const halfBatched = await load(pid, url, batched.result.achievedRate / 2, 100, 64, async () => {
    lag = await ackToQueryable(url, dir, (SECONDS * 1000) / 2);
  });
  report(`batched at half (${fmt(batched.result.achievedRate / 2)}/s)`, halfBatched, 'records');
  const singleRate = single.result.requests / single.result.seconds;
  const halfSingle = await load(pid, url, singleRate / 2, 1, 256);
  report(`single at half (${fmt(singleRate / 2)}/s)`, halfSingle, 'requests');
  console.log(
    `${'ack → queryable (under load)'.padEnd(30)} ${lag.toFixed(2)} s  ` +
      `${(lag / TARGET.lagSeconds).toFixed(2)}× of ${TARGET.lagSeconds} s ${lag <= TARGET.lagSeconds ? 'met' : 'MISSED'}`,
  );
  const wrkBatched = await wrk(url, 100, 32);
  if (wrkBatched) console.log(`${'wrk -t1 -c32, 100/request'.padEnd(30)} ${wrkBatched}`);
  const wrkSingle = await wrk(url, 1, 256);
  if (wrkSingle) console.log(`${'wrk -t1 -c256, 1/request'.padEnd(30)} ${wrkSingle}`);
} finally {
  await stopServe(child);
  rmSync(dir, { recursive: true, force: true });
}
