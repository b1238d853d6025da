/**
 * Whole-process start-up: `shoplake query --list` and `shoplake query sales-by-region` at the default
 * generated size, side by side with their floors and peers, each a fresh process, run in interleaved
 * rounds so that a busy machine slows every contender alike: `node -e 0` (Node's own start-up, the floor
 * of any Node CLI), `node` importing @duckdb/node-api only (the floor of any query through DuckDB), and
 * the seed's awk one-liner for scenario 1 over the same raw CSV; and the same two commands run from tsc's
 * build (dist/src/) instead of the bundle bin/shoplake.js runs (dist/cli/, scripts/bundle-cli.mjs).
 * `--compare BIN` adds the same two commands run by another build's bin/shoplake.js (e.g. an older
 * commit exported and built elsewhere), to measure a change side by side.
 * Also a resident process: `shoplake dashboard` started once over the same lake, asked for scenario 1 by
 * curl (a client that is not Node), each answer computed afresh (`--refresh 1` and rounds at least a second
 * apart; the answer's `computedAt` is checked) and compared with awk's to the cent.
 * Usage: node dist/bench/startup.js [--data DIR] [--runs N] [--compare PATH/bin/shoplake.js]
 */
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { z } from 'zod';
import { generate, generateDefaults } from '../src/generate/index.js';
import { buildLake } from '../src/ingest/index.js';

// The seed's one-liner over a file. Before 2026-11-26 the file was redirected after `| sort`, so it fed
// sort and awk read nothing: the "awk" timed then was a sort of the raw CSV, not scenario 1.
const seedAwkScenario1 = (csv: string) =>
  `awk -F',' 'NR>1 {region=$10; sales[region]+=$7} END {for (r in sales) printf "%s: $%.2f\\n", r, sales[r]}' '${csv}' | sort -t':' -k2 -nr`;

interface Contender {
  name: string;
  command: string;
  args: string[];
  /** Checks the process's output (given the time it was started, ms since the epoch); throws when wrong. */
  check?: (stdout: string, startedAt: number) => void;
  /** CPU ms another process spends for this contender (the resident server), read before and after. */
  serverCpuMs?: () => number;
}

const AWK_NAME = 'awk scenario 1 (seed)';
const RESIDENT_NAME = 'curl → resident dashboard';

function contenders(
  dir: string,
  compare: string | undefined,
  resident: Resident,
  awkCents: Map<string, number>,
): Contender[] {
  const bin = new URL('../../bin/shoplake.js', import.meta.url).pathname;
  const node = process.execPath;
  const csv = join(dir, 'raw', 'orders', 'orders.csv');
  // As the CLI loads it (require, see src/duckdb/client.ts): the floor of any process that queries.
  const duckdbOnly = "require('@duckdb/node-api')";
  // The same CLI from tsc's build (dist/src/, ~200 modules), which bin/shoplake.js ran before the bundle.
  const tscMain = new URL('../src/cli/main.js', import.meta.url).href;
  const viaTsc = (argv: string[]) => [
    '--input-type=module',
    '-e',
    `const { main } = await import(${JSON.stringify(tscMain)}); process.exitCode = await main(${JSON.stringify(argv)});`,
  ];
  return [
    { name: 'node -e 0 (floor)', command: node, args: ['-e', '0'] },
    { name: 'shoplake --help', command: node, args: [bin, '--help'] },
    { name: 'shoplake query --list', command: node, args: [bin, '--data', dir, 'query', '--list'] },
    { name: 'query --list, tsc build', command: node, args: viaTsc(['--data', dir, 'query', '--list']) },
    // Resolved from this repository's node_modules, as the CLI resolves it.
    {
      name: 'node + import DuckDB client',
      command: node,
      args: ['-e', duckdbOnly],
    },
    { name: AWK_NAME, command: 'sh', args: ['-c', seedAwkScenario1(csv)] },
    {
      name: RESIDENT_NAME,
      command: 'curl',
      args: ['-sf', `${resident.url}/api/analyses/sales-by-region`],
      check: (stdout, startedAt) => checkResident(stdout, startedAt, awkCents),
      serverCpuMs: resident.cpuMs,
    },
    {
      name: 'shoplake query sales-by-region',
      command: node,
      args: [bin, '--data', dir, 'query', 'sales-by-region'],
    },
    {
      name: 'query sales-by-region, tsc build',
      command: node,
      args: viaTsc(['--data', dir, 'query', 'sales-by-region']),
    },
    ...(compare
      ? [
          {
            name: 'compared: query --list',
            command: node,
            args: [compare, '--data', dir, 'query', '--list'],
          },
          {
            name: 'compared: query sales-by-region',
            command: node,
            args: [compare, '--data', dir, 'query', 'sales-by-region'],
          },
        ]
      : []),
  ];
}

function quantile(xs: number[], q: number): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor(q * s.length))] ?? Number.NaN;
}

// CPU time (user + system) of the children this process has waited for, in ms, from /proc (Linux; the
// kernel counts in ticks of 10 ms, so only the mean over many runs is meaningful). NaN elsewhere.
function childrenCpuMs(): number {
  if (!existsSync('/proc/self/stat')) return Number.NaN;
  const fields = readFileSync('/proc/self/stat', 'utf8').split(') ')[1]?.split(' ') ?? [];
  // After the command name: state is field 3, cutime field 16 and cstime field 17 (man 5 proc).
  return (Number(fields[13]) + Number(fields[14])) * 10;
}

// CPU time (user + system, all threads) a running process has used so far, in ms, from /proc.
function processCpuMs(pid: number): number {
  const path = `/proc/${pid}/stat`;
  if (!existsSync(path)) return Number.NaN;
  const fields = readFileSync(path, 'utf8').split(') ')[1]?.split(' ') ?? [];
  // utime is field 14 and stime field 15 (man 5 proc).
  return (Number(fields[11]) + Number(fields[12])) * 10;
}

function timeOnce(c: Contender, cwd: string): { ms: number; cpuMs: number } {
  const cpu0 = childrenCpuMs() + (c.serverCpuMs?.() ?? 0);
  const startedAt = Date.now();
  const t0 = process.hrtime.bigint();
  const r = spawnSync(c.command, c.args, { stdio: ['ignore', c.check ? 'pipe' : 'ignore', 'pipe'], cwd });
  const ms = Number(process.hrtime.bigint() - t0) / 1e6;
  if (r.status !== 0) throw new Error(`${c.name} failed (exit ${r.status}): ${r.stderr.toString().trim()}`);
  c.check?.(r.stdout.toString(), startedAt);
  return { ms, cpuMs: childrenCpuMs() + (c.serverCpuMs?.() ?? 0) - cpu0 };
}

// Scenario 1 by the seed's awk, in cents by region: what the resident answer must equal.
function awkScenario1(csv: string): Map<string, number> {
  const r = spawnSync('sh', ['-c', seedAwkScenario1(csv)]);
  const cents = new Map<string, number>();
  for (const line of r.stdout.toString().trim().split('\n')) {
    const m = /^(.+): \$(-?\d+)\.(\d\d)$/.exec(line);
    if (!m) throw new Error(`awk printed an unexpected line: ${line}`);
    cents.set(m[1] ?? '', Math.round(Number(`${m[2]}.${m[3]}`) * 100));
  }
  return cents;
}

const ResidentAnswer = z.object({
  computedAt: z.string(),
  rows: z.array(z.object({ region: z.string(), revenue: z.number() })),
});

// The dashboard's answer must be computed for this request (not a cached one) and equal awk's to the cent.
function checkResident(stdout: string, startedAt: number, awkCents: Map<string, number>): void {
  const answer = ResidentAnswer.parse(JSON.parse(stdout));
  // A second of slack: computedAt is the server's clock, read after the request arrived.
  if (Date.parse(answer.computedAt) < startedAt - 1000)
    throw new Error(
      `the dashboard answered from its cache (computed ${answer.computedAt}): rounds too close`,
    );
  const got = new Map(answer.rows.map((r) => [r.region, Math.round(r.revenue * 100)]));
  for (const [region, cents] of awkCents) {
    if (got.get(region) !== cents)
      throw new Error(`${region}: the dashboard says ${got.get(region)} cents, awk ${cents}`);
  }
  if (got.size !== awkCents.size)
    throw new Error(`the dashboard has ${got.size} regions, awk ${awkCents.size}`);
}

// Starts `shoplake dashboard` over the lake on a free loopback port and returns its address once it listens.
interface Resident {
  url: string;
  /** CPU ms the server has used so far. */
  cpuMs: () => number;
  stop: () => void;
}

async function startResident(dir: string): Promise<Resident> {
  const bin = new URL('../../bin/shoplake.js', import.meta.url).pathname;
  const child = spawn(process.execPath, [bin, '--data', dir, 'dashboard', '--port', '0', '--refresh', '1'], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const url = await new Promise<string>((resolve, reject) => {
    let seen = '';
    child.stdout.on('data', (chunk: Buffer) => {
      seen += chunk.toString();
      const m = /(http:\/\/127\.0\.0\.1:\d+)/.exec(seen);
      if (m?.[1]) resolve(m[1]);
    });
    child.once('exit', (code) => reject(new Error(`shoplake dashboard exited (${code}) before listening`)));
  });
  const pid = child.pid ?? -1;
  return { url, cpuMs: () => processCpuMs(pid), stop: () => child.kill('SIGTERM') };
}

async function ensureData(dir: string): Promise<void> {
  if (!existsSync(join(dir, 'raw', 'orders', 'orders.csv'))) {
    console.error(`generating the default dataset into ${dir}`);
    await generate({ ...generateDefaults, out: dir, asOf: new Date('2026-11-25T00:00:00Z') });
  }
  if (!existsSync(join(dir, 'lake', 'orders'))) await buildLake(dir);
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      data: { type: 'string' },
      runs: { type: 'string', default: '21' },
      compare: { type: 'string' },
    },
  });
  const dir = values.data ?? join('.bench-data', 'default');
  const runs = Number(values.runs);
  await ensureData(dir);
  const cwd = new URL('../..', import.meta.url).pathname;
  const resident = await startResident(dir);
  try {
    await measure(dir, runs, cwd, values.compare, resident);
  } finally {
    resident.stop();
  }
}

async function measure(
  dir: string,
  runs: number,
  cwd: string,
  compare: string | undefined,
  resident: Resident,
): Promise<void> {
  const awkCents = awkScenario1(join(dir, 'raw', 'orders', 'orders.csv'));
  const all = contenders(dir, compare, resident, awkCents);
  const times = new Map<string, number[]>(all.map((c) => [c.name, []]));
  const cpu = new Map<string, number[]>(all.map((c) => [c.name, []]));
  for (const c of all) timeOnce(c, cwd); // warm the page cache, untimed
  for (let round = 0; round < runs; round++) {
    for (const c of all) {
      // The dashboard recomputes a result older than its refresh (1 s): wait that long between its turns.
      if (c.name === RESIDENT_NAME) await new Promise((r) => setTimeout(r, 1100));
      const t = timeOnce(c, cwd);
      times.get(c.name)?.push(t.ms);
      cpu.get(c.name)?.push(t.cpuMs);
    }
  }
  const load = loadavg().map((l) => l.toFixed(2));
  console.log(
    `start-up, whole processes, ${runs} interleaved rounds on ${dir}; ${cpus().length} cores ` +
      `(${cpus()[0]?.model ?? '?'}), load average ${load.join(' ')}, ${new Date().toISOString()}`,
  );
  const floor = quantile(times.get(all[0]?.name ?? '') ?? [], 0.5);
  const awk = quantile(times.get(AWK_NAME) ?? [], 0.5);
  // CPU time is what a busy machine changes least (wall time there includes waiting for a core).
  const meanCpu = (name: string) => {
    const xs = cpu.get(name) ?? [];
    return xs.reduce((a, b) => a + b, 0) / xs.length;
  };
  const floorCpu = meanCpu(all[0]?.name ?? '');
  console.log(
    'contender                          median ms   p90 ms   ÷ node -e 0   ÷ awk   mean CPU ms   CPU ÷ node -e 0',
  );
  for (const c of all) {
    const xs = times.get(c.name) ?? [];
    const med = quantile(xs, 0.5);
    console.log(
      [
        c.name.padEnd(32),
        med.toFixed(1).padStart(11),
        quantile(xs, 0.9).toFixed(1).padStart(8),
        `${(med / floor).toFixed(2)}×`.padStart(13),
        `${(med / awk).toFixed(2)}×`.padStart(7),
        meanCpu(c.name).toFixed(0).padStart(13),
        `${(meanCpu(c.name) / floorCpu).toFixed(2)}×`.padStart(17),
      ].join(' '),
    );
  }
}

await main();
