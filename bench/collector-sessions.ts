/**
 * What keeping the sessions table costs the collector's throughput (issue 15): two `shoplake serve`
 * processes side by side on two copies of one lake, one maintaining the sessions table as it always does,
 * the other the same build with its compaction process told to skip the sessions step
 * (SHOPLAKE_BENCH_SESSIONS=off, benchmarks only: src/lake/sessions/maintain.ts). Each is fed at
 * saturation over loopback by this process, in interleaved rounds, with a live shop's traffic: a pool of
 * 2,000 open sessions (at first the lake's most recent ones, so old sessions continue) each getting
 * events until it ends, then replaced by a new session; one session in three ends in a PURCHASE with its
 * order lines (orders about a fifth of the records, as in the generated data). Session ids recur across
 * requests and so across compaction batches.
 *
 * Saturation with a backlog that cannot grow: the feeder keeps at most `--cap` MB acknowledged but not
 * compacted (it polls shoplake_wal_pending_bytes every 100 ms and stops sending above it), so the
 * acknowledged rate is what compaction keeps up with. A round's throughput is the records acknowledged
 * over the load time plus the time the backlog then took to reach zero (the round starts and ends with an
 * empty WAL: every record counted is in the lake). The compaction process logs each job's CPU, split at
 * the start of its sessions step (SHOPLAKE_BENCH_JOB_LOG), for the per-batch figures.
 *
 * `node dist/bench/collector-sessions.js --lake DIR [--seconds S] [--rounds N] [--cap MB] [--scratch DIR]
 * [--compare OTHER/bin/shoplake.js]`: DIR is a data directory whose lake has a sessions table in step (it
 * is copied for each side, never written). `--compare` adds a third side, another build's serve with its
 * sessions step on ('main'), in the same interleaved rounds (the order of the sides alternates).
 */
import { type ChildProcess, execFileSync } from 'node:child_process';
import { mkdirSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { Pool } from 'undici';
import { z } from 'zod';
import { flag } from './lake-option.js';
import { startServe, stopServe } from './serve-process.js';
import { loadNow, recentSessions, runStamp } from './sessions-kit.js';

const KEY = 'bench-key-123';
const BATCH = 100;
const CONCURRENCY = 8;
const OPEN_SESSIONS = 2000;
const PRODUCTS = [
  ['CABLE001', 'USB-C Cable', 11.84],
  ['CASE001', 'Phone Case', 19.99],
  ['CHARGER001', 'Charger', 24.5],
  ['HEADPHONES001', 'Headphones', 79.0],
] as const;
const REGIONS = ['US-EAST', 'US-WEST', 'EU-WEST', 'ASIA-PACIFIC', 'LATAM'] as const;
const DEVICES = ['mobile', 'desktop', 'tablet'] as const;

type Row = Record<string, string | number>;
interface Open {
  id: string;
  customer: string;
  device: string;
  left: number;
  buys: boolean;
}

/** A deterministic stream of a shop's live traffic after the lake's last event (1 ms of lake time an event). */
class LiveStream {
  private readonly open: Open[];
  private n = 0;
  private sessions = 0;
  private ordersMade = 0;
  private seed = 12345;
  readonly orders: Row[] = [];

  constructor(
    recent: { id: string; customer: string }[],
    private readonly endMs: number,
    private readonly tag: string,
  ) {
    this.open = recent.slice(0, OPEN_SESSIONS).map((s) => ({
      id: s.id,
      customer: s.customer,
      device: this.pick(DEVICES),
      left: 1 + this.rand(6),
      buys: this.rand(3) === 0,
    }));
    while (this.open.length < OPEN_SESSIONS) this.open.push(this.fresh());
  }

  private rand(n: number): number {
    // xorshift32: the same traffic for both sides and every run.
    this.seed ^= this.seed << 13;
    this.seed ^= this.seed >>> 17;
    this.seed ^= this.seed << 5;
    return (this.seed >>> 0) % n;
  }

  private pick<T>(list: readonly T[]): T {
    return list[this.rand(list.length)] as T;
  }

  private fresh(): Open {
    const k = this.sessions++;
    return {
      id: `LIVE-${this.tag}-${k}`,
      customer: `CUST${String(1 + this.rand(99_999)).padStart(6, '0')}`,
      device: this.pick(DEVICES),
      left: 4 + this.rand(9),
      buys: this.rand(3) === 0,
    };
  }

  /** The next `count` events; the orders of sessions that end in a purchase queue up in `orders`. */
  events(count: number): Row[] {
    const out: Row[] = [];
    for (let c = 0; c < count; c++) {
      const i = this.rand(this.open.length);
      const s = this.open[i] as Open;
      const n = this.n++;
      const timestamp = new Date(this.endMs + 1000 + n).toISOString().replace('T', ' ').slice(0, 19);
      s.left--;
      const last = s.left === 0;
      const buying = last && s.buys;
      const product = this.pick(PRODUCTS);
      out.push({
        event_id: `${this.tag}-e${n}`,
        timestamp,
        session_id: s.id,
        customer_id: s.customer,
        action: buying ? 'PURCHASE' : s.left === 1 && s.buys ? 'ADD_TO_CART' : 'VIEW',
        page: buying ? 'checkout' : this.pick(['home', 'category', 'product', 'search']),
        product_id: product[0],
        device: s.device,
        duration_seconds: 1 + this.rand(120),
      });
      if (buying) {
        const order = `${this.tag}-o${this.ordersMade++}`;
        const lines = 2 + this.rand(9);
        for (let l = 0; l < lines; l++) {
          const [id, name, price] = this.pick(PRODUCTS);
          const quantity = 1 + this.rand(3);
          this.orders.push({
            order_id: order,
            line_id: String(l + 1),
            customer_id: s.customer,
            product_id: id,
            product_name: name,
            quantity,
            price,
            total_amount: Math.round(quantity * price * 100) / 100,
            order_date: timestamp,
            status: 'COMPLETED',
            region: this.pick(REGIONS),
          });
        }
      }
      if (last) this.open[i] = this.fresh();
    }
    return out;
  }
}

/** CPU seconds (user + system) of a process from /proc (its DuckDB threads included). */
function cpuOf(pid: number): number {
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]?.split(' ') ?? [];
    return (Number(fields[11]) + Number(fields[12])) / 100;
  } catch {
    return 0;
  }
}

/** The process and its descendants (the compaction process), from /proc. */
function treeCpu(pid: number): { server: number; children: number } {
  let children = 0;
  try {
    const kids = readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8').split(/\s+/).filter(Boolean);
    for (const k of kids) children += cpuOf(Number(k));
  } catch {
    // No children yet.
  }
  return { server: cpuOf(pid), children };
}

async function pendingBytes(url: string): Promise<number> {
  const text = await (await fetch(`${url}/metrics`)).text();
  // Acknowledged bytes not in the lake yet: the active segments and the sealed ones until compacted.
  const bytes = Number(/^shoplake_wal_pending_bytes (\S+)$/m.exec(text)?.[1] ?? Number.NaN);
  return Number.isNaN(bytes) ? Number.POSITIVE_INFINITY : bytes;
}

interface Side {
  name: SideName;
  dir: string;
  url: string;
  pid: number;
  stream: LiveStream;
  jobLog: string;
  stop: () => Promise<void>;
}

// 'main': another build (`--compare OTHER/bin/shoplake.js`) with its sessions step on.
type SideName = 'on' | 'off' | 'main';

interface Round {
  side: SideName;
  acked: number;
  refused: number;
  statuses: Record<string, number>;
  loadSeconds: number;
  drainSeconds: number;
  perSecond: number;
  serverCpu: number;
  compactionCpu: number;
  clientCpu: number;
  cpuPerRecordUs: number;
  maxPendingMb: number;
  loadBefore: string;
  loadAfter: string;
  jobs: Job[];
}

const jobSchema = z.object({
  table: z.string(),
  read: z.number(),
  loaded: z.number(),
  cpuMs: z.number(),
  sessionsCpuMs: z.number(),
  wallMs: z.number(),
});
type Job = z.infer<typeof jobSchema>;

function jobsOf(file: string): Job[] {
  let text = '';
  try {
    text = readFileSync(file, 'utf8');
  } catch {
    return [];
  }
  return text
    .split('\n')
    .filter(Boolean)
    .map((l) => jobSchema.parse(JSON.parse(l)));
}

/** Feeds one side for `seconds` at saturation, the backlog held under `capBytes`; then waits for it to drain. */
async function feed(side: Side, seconds: number, capBytes: number): Promise<Round> {
  const pool = new Pool(side.url, { connections: CONCURRENCY, pipelining: 1, keepAliveTimeout: 30_000 });
  const headers = { authorization: `Bearer ${KEY}`, 'content-type': 'application/json' };
  const jobsBefore = jobsOf(side.jobLog).length;
  const loadBefore = loadNow();
  const cpu0 = treeCpu(side.pid);
  const client0 = process.cpuUsage();
  let pending = 0;
  let maxPending = 0;
  let stopPolling = false;
  const poller = (async () => {
    while (!stopPolling) {
      pending = await pendingBytes(side.url);
      maxPending = Math.max(maxPending, pending);
      await new Promise((r) => setTimeout(r, 100));
    }
  })();
  let inFlight = 0;
  let acked = 0;
  let refused = 0;
  const statuses: Record<string, number> = {};
  let wake: (() => void) | null = null;
  const send = (path: string, rows: Row[]) => {
    inFlight++;
    const done = (status: string) => {
      if (status === '200') acked += rows.length;
      else {
        refused += rows.length;
        statuses[status] = (statuses[status] ?? 0) + 1;
      }
      inFlight--;
      wake?.();
    };
    pool.request({ path, method: 'POST', headers, body: JSON.stringify(rows) }).then(
      async (res) => {
        await res.body.dump();
        done(String(res.statusCode));
      },
      () => done('network'),
    );
  };
  const t0 = performance.now();
  while ((performance.now() - t0) / 1000 < seconds) {
    if (inFlight < CONCURRENCY && pending < capBytes) {
      if (side.stream.orders.length >= BATCH) send('/v1/orders', side.stream.orders.splice(0, BATCH));
      else send('/v1/events', side.stream.events(BATCH));
      continue;
    }
    await new Promise<void>((r) => {
      const timer = setTimeout(r, 2);
      wake = () => {
        clearTimeout(timer);
        r();
      };
    });
    wake = null;
  }
  while (inFlight > 0) await new Promise<void>((r) => (wake = r));
  const loadSeconds = (performance.now() - t0) / 1000;
  await pool.close();
  stopPolling = true;
  await poller;
  const d0 = performance.now();
  while ((await pendingBytes(side.url)) > 0) {
    if (performance.now() - d0 > 600_000)
      throw new Error(`${side.name}: the backlog did not drain in 10 minutes`);
    await new Promise((r) => setTimeout(r, 50));
  }
  const drainSeconds = (performance.now() - d0) / 1000;
  const cpu1 = treeCpu(side.pid);
  const client = process.cpuUsage(client0);
  const serverCpu = cpu1.server - cpu0.server;
  const compactionCpu = cpu1.children - cpu0.children;
  return {
    side: side.name,
    acked,
    refused,
    statuses,
    loadSeconds,
    drainSeconds,
    perSecond: acked / (loadSeconds + drainSeconds),
    serverCpu,
    compactionCpu,
    clientCpu: (client.user + client.system) / 1e6,
    cpuPerRecordUs: ((serverCpu + compactionCpu) / acked) * 1e6,
    maxPendingMb: maxPending / 2 ** 20,
    loadBefore,
    loadAfter: loadNow(),
    jobs: jobsOf(side.jobLog).slice(jobsBefore),
  };
}

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? (s[m] as number) : ((s[m - 1] as number) + (s[m] as number)) / 2;
};

/** Per-batch figures of one side's compaction jobs of a table. */
function batches(jobs: Job[], table: string) {
  const of = jobs.filter((j) => j.table === table && j.loaded > 0);
  if (of.length === 0) return null;
  const sessions = of.reduce((a, j) => a + j.sessionsCpuMs, 0);
  const whole = of.reduce((a, j) => a + j.cpuMs, 0);
  return {
    jobs: of.length,
    medianRecords: median(of.map((j) => j.loaded)),
    maxRecords: Math.max(...of.map((j) => j.loaded)),
    medianCpuMs: Math.round(median(of.map((j) => j.cpuMs))),
    medianSessionsCpuMs: Math.round(median(of.map((j) => j.sessionsCpuMs))),
    sessionsPercentOfRest: Math.round((sessions / Math.max(1e-9, whole - sessions)) * 1000) / 10,
    cpuUsPerRecord: Math.round((whole / of.reduce((a, j) => a + j.loaded, 0)) * 1000 * 10) / 10,
  };
}

/** Copies a data directory's lake (not its raw input) for one side. */
function copyLake(from: string, to: string): void {
  rmSync(to, { recursive: true, force: true });
  mkdirSync(to, { recursive: true });
  for (const entry of readdirSync(from)) {
    if (entry === 'raw' || entry === 'labels' || entry === 'wal') continue;
    execFileSync('cp', ['-a', join(from, entry), join(to, entry)]);
  }
}

const lake = flag('lake');
if (!lake)
  throw new Error(
    'usage: collector-sessions --lake DIR [--seconds S] [--rounds N] [--cap MB] [--scratch DIR] [--compare OTHER/bin/shoplake.js]',
  );
const seconds = Number(flag('seconds') ?? 20);
const rounds = Number(flag('rounds') ?? 3);
const capBytes = Number(flag('cap') ?? 16) * 2 ** 20;
const scratch = resolve(flag('scratch') ?? join(lake, '..', `collector-sessions-${process.pid}`));
const compare = flag('compare');
const stamped = runStamp();
const recent = await recentSessions(lake);
const endMs = Date.parse(`${recent.end.replace(' ', 'T')}Z`);
const sides: Side[] = [];
// Interrupted: stop the servers too (they would keep their ports and lake copies).
const servers: ChildProcess[] = [];
for (const signal of ['SIGINT', 'SIGTERM'] as const)
  process.on(signal, () => {
    for (const child of servers) child.kill('SIGTERM');
    process.exit(130);
  });
try {
  const names: SideName[] = compare ? ['on', 'off', 'main'] : ['on', 'off'];
  for (const name of names) {
    const dir = join(scratch, name);
    copyLake(lake, dir);
    const jobLog = join(scratch, `${name}-jobs.ndjson`);
    rmSync(jobLog, { force: true });
    // startServe passes this process's environment on (to serve, which passes it to its compaction process).
    process.env.SHOPLAKE_BENCH_JOB_LOG = jobLog;
    if (name === 'off') process.env.SHOPLAKE_BENCH_SESSIONS = 'off';
    else delete process.env.SHOPLAKE_BENCH_SESSIONS;
    // Fraud scoring (issue 13, measured by bench/fraud.ts) and the dashboard are off: only compaction differs.
    const served = await startServe(
      dir,
      KEY,
      ['--no-fraud', '--no-dashboard'],
      ...(name === 'main' && compare ? [resolve(compare)] : []),
    );
    servers.push(served.child);
    delete process.env.SHOPLAKE_BENCH_SESSIONS;
    delete process.env.SHOPLAKE_BENCH_JOB_LOG;
    sides.push({
      name,
      dir,
      url: served.url,
      pid: served.child.pid as number,
      // The same traffic for both sides (same seed and ids): each goes into its own copy.
      stream: new LiveStream(recent.sessions, endMs, 'live'),
      jobLog,
      stop: () => stopServe(served.child),
    });
  }
  // The compaction processes read the sessions index while they wait for their first job; then a short
  // round each, not counted, warms both (the first job of a process pays for its start).
  await new Promise((r) => setTimeout(r, 5000));
  for (const side of sides) await feed(side, 3, capBytes);
  const results: Round[] = [];
  for (let r = 0; r < rounds; r++) {
    const order = r % 2 === 0 ? sides : [...sides].reverse();
    for (const side of order) {
      const round = await feed(side, seconds, capBytes);
      results.push(round);
      console.error(
        `round ${r} ${side.name}: ${Math.round(round.perSecond)} records/s (${round.acked} in ${round.loadSeconds.toFixed(1)} + ${round.drainSeconds.toFixed(1)} s), ` +
          `${round.cpuPerRecordUs.toFixed(1)} µs CPU/record, ${round.jobs.length} jobs, load ${round.loadBefore} → ${round.loadAfter}`,
      );
    }
  }
  // Each round ran every side, one after the other: its pair (or triple) is the results it added.
  const k = sides.length;
  const pairs: { on: Round; off: Round; main: Round | undefined }[] = [];
  for (let r = 0; r < rounds; r++) {
    const round = results.slice(k * r, k * r + k);
    const on = round.find((x) => x.side === 'on');
    const off = round.find((x) => x.side === 'off');
    if (on && off) pairs.push({ on, off, main: round.find((x) => x.side === 'main') });
  }
  const withMain = pairs.flatMap((p) => (p.main ? [{ ...p, main: p.main }] : []));
  const summary = (side: SideName) => {
    const of = results.filter((x) => x.side === side);
    const jobs = of.flatMap((x) => x.jobs);
    return {
      medianRecordsPerSecond: Math.round(median(of.map((x) => x.perSecond))),
      perRound: of.map((x) => Math.round(x.perSecond)),
      medianCpuPerRecordUs: Math.round(median(of.map((x) => x.cpuPerRecordUs)) * 10) / 10,
      refused: of.reduce((a, x) => a + x.refused, 0),
      refusedBy: of.map((x) => x.statuses),
      maxPendingMb: Math.round(Math.max(...of.map((x) => x.maxPendingMb)) * 10) / 10,
      drainSeconds: of.map((x) => Math.round(x.drainSeconds * 10) / 10),
      clickstreamBatches: batches(jobs, 'clickstream'),
      ordersBatches: batches(jobs, 'orders'),
    };
  };
  console.log(
    JSON.stringify(
      {
        ...stamped.stamp(),
        lake,
        seconds,
        rounds,
        capMb: capBytes / 2 ** 20,
        on: summary('on'),
        off: summary('off'),
        ...(compare
          ? {
              compare,
              main: summary('main'),
              throughputMainOverOff: withMain.map(
                (p) => Math.round((p.main.perSecond / p.off.perSecond) * 1000) / 1000,
              ),
              medianThroughputMainOverOff:
                Math.round(median(withMain.map((p) => p.main.perSecond / p.off.perSecond)) * 1000) / 1000,
              medianThroughputOnOverMain:
                Math.round(median(withMain.map((p) => p.on.perSecond / p.main.perSecond)) * 1000) / 1000,
              cpuPerRecordMainOverOff:
                Math.round(median(withMain.map((p) => p.main.cpuPerRecordUs / p.off.cpuPerRecordUs)) * 1000) /
                1000,
            }
          : {}),
        throughputOnOverOff: pairs.map((p) => Math.round((p.on.perSecond / p.off.perSecond) * 1000) / 1000),
        medianThroughputOnOverOff:
          Math.round(median(pairs.map((p) => p.on.perSecond / p.off.perSecond)) * 1000) / 1000,
        cpuPerRecordOnOverOff:
          Math.round(median(pairs.map((p) => p.on.cpuPerRecordUs / p.off.cpuPerRecordUs)) * 1000) / 1000,
      },
      null,
      2,
    ),
  );
} finally {
  for (const side of sides) await side.stop();
  if (!process.argv.includes('--keep')) rmSync(scratch, { recursive: true, force: true });
}
