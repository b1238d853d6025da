/**
 * Where fraud scoring's CPU goes in a running `shoplake serve`, thread by thread (issue 13 "Speed"):
 * servers with scoring off (`--no-fraud`), on with this build, and on with other builds
 * (`--compare DIR`, repeatable: each a build's root with bin/shoplake.js) run at once on copies of one
 * lake and take a fixed rate of batched records in turns (the order rotates every round). Each turn reads
 * CPU time per acknowledged record from /proc/<pid>/task: the collector's thread, the scoring worker, the
 * other threads (V8's helpers: garbage collection; libuv), and the compaction process. At one rate for
 * all, what each build adds over scoring off reads cleanly, and it moves far less with the machine's load
 * than throughput does (docs/BENCHMARKS.md, "Fraud scoring: per-thread CPU").
 *
 * `node dist/bench/fraud-threads.js [--rounds N] [--seconds S] [--rate R] [--lake DIR] [--compare DIR ...]`
 * (`--lake`: a lake made by an earlier run's `--keep`, else one of 20,000 orders is generated).
 */
import { cpSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { replay, synthetic } from '../src/replay/index.js';
import { fraudHistoryLake } from './fraud-history.js';
import { type ServeProcess, startServe, stopServe } from './serve-process.js';

const KEY = 'bench-key-123';
const { values: opts } = parseArgs({
  options: {
    rounds: { type: 'string', default: '5' },
    seconds: { type: 'string', default: '8' },
    rate: { type: 'string', default: '15000' },
    lake: { type: 'string' },
    keep: { type: 'string' },
    compare: { type: 'string', multiple: true, default: [] },
    'no-off': { type: 'boolean', default: false },
  },
});
const ROUNDS = Number(opts.rounds);
const SECONDS = Number(opts.seconds);
const RATE = Number(opts.rate);
/** After a turn's load: scoring and compaction catch up, counted in the turn's CPU. */
const SETTLE_MS = 2_500;

/** CPU seconds by thread group: main, scoring worker, the other threads, child processes. */
interface Threads {
  main: number;
  worker: number;
  helpers: number;
  compaction: number;
}

const ticks = (stat: string) => {
  // Fields after the command name (which may hold spaces): utime is the 14th field, stime the 15th.
  const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(f[11]) + Number(f[12])) / 100;
};
const commOf = (stat: string) => stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')'));

/**
 * Per thread group: the scoring worker names its thread "fraud-scoring" (fraud-worker.ts); every other
 * thread of the process (V8's helpers: garbage collection, compilation; libuv's) counts as a helper.
 * Threads that ended meanwhile are lost, which none of these does.
 */
function threads(pid: number): Threads {
  const out: Threads = { main: 0, worker: 0, helpers: 0, compaction: 0 };
  for (const task of readdirSync(`/proc/${pid}/task`)) {
    let stat: string;
    try {
      stat = readFileSync(`/proc/${pid}/task/${task}/stat`, 'utf8');
    } catch {
      continue;
    }
    const comm = commOf(stat);
    if (Number(task) === pid) out.main += ticks(stat);
    else if (comm === 'fraud-scoring') out.worker += ticks(stat);
    else out.helpers += ticks(stat);
    for (const child of readFileSync(`/proc/${pid}/task/${task}/children`, 'utf8').split(' '))
      if (child.trim() !== '')
        try {
          out.compaction += ticks(readFileSync(`/proc/${child.trim()}/stat`, 'utf8'));
        } catch {
          // The compaction process ended between the listing and the read.
        }
  }
  return out;
}

const GROUPS = ['main', 'worker', 'helpers', 'compaction'] as const;
const median = (v: readonly number[]) => {
  const s = [...v].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? (s[m] as number) : ((s[m - 1] as number) + (s[m] as number)) / 2;
};

async function lake(root: string): Promise<string> {
  if (opts.lake) return resolve(opts.lake);
  const dir = opts.keep ? resolve(opts.keep) : join(root, 'history');
  if (existsSync(join(dir, 'lake'))) return dir;
  await fraudHistoryLake(dir);
  return dir;
}

async function main(): Promise<void> {
  const root = mkdtempSync(join(tmpdir(), 'shoplake-bench-fraud-threads-'));
  const servers: { name: string; s: ServeProcess }[] = [];
  const source = { ...synthetic(50_000, 200_000), origin: 'synthetic' };
  try {
    const history = await lake(root);
    const builds: { name: string; args: string[]; bin?: string }[] = [
      ...(opts['no-off'] ? [] : [{ name: 'off', args: ['--no-fraud'] }]),
      { name: 'on', args: [] },
      ...(opts.compare ?? []).map((dir, i) => ({
        name: `cmp${i + 1}`,
        args: [],
        bin: join(resolve(dir), 'bin', 'shoplake.js'),
      })),
    ];
    for (const b of builds) {
      const dir = join(root, b.name);
      cpSync(history, dir, { recursive: true });
      servers.push({ name: b.name, s: await startServe(dir, KEY, b.args, b.bin) });
    }
    // Every server's model built (scoring ready) before the first turn.
    await new Promise((r) => setTimeout(r, 15_000));
    console.log(
      `per-thread CPU µs/record at ${RATE}/s, ${ROUNDS} rounds of ${SECONDS} s; ${builds.map((b) => `${b.name}${b.bin ? ` = ${b.bin}` : ''}`).join(', ')}; load ${loadavg()[0]?.toFixed(2)}`,
    );
    const got = new Map<string, Threads[]>(servers.map(({ name }) => [name, []]));
    // The whole run too: work a server defers (stored scores, compaction) may fall into another's turn.
    const start = new Map(servers.map(({ name, s }) => [name, threads(s.child.pid as number)]));
    const records = new Map<string, number>(servers.map(({ name }) => [name, 0]));
    let tag = 0;
    for (let r = 0; r < ROUNDS; r++)
      for (let k = 0; k < servers.length; k++) {
        const { name, s } = servers[(k + r) % servers.length] as { name: string; s: ServeProcess };
        const pid = s.child.pid as number;
        const before = threads(pid);
        const result = await replay(source, {
          target: s.url,
          key: KEY,
          rate: RATE,
          durationSeconds: SECONDS,
          batch: 100,
          concurrency: 16,
          blackFriday: 1,
          tag: `t${tag++}x`,
        });
        await new Promise((res) => setTimeout(res, SETTLE_MS));
        const after = threads(pid);
        const per = Object.fromEntries(
          GROUPS.map((g) => [g, ((after[g] - before[g]) * 1e6) / Math.max(1, result.ackedRecords)]),
        ) as unknown as Threads;
        got.get(name)?.push(per);
        records.set(name, (records.get(name) ?? 0) + result.ackedRecords);
        console.log(
          `round ${r + 1} ${name.padEnd(5)} load ${(loadavg()[0] ?? 0).toFixed(1).padStart(4)}  ${GROUPS.map((g) => `${g} ${per[g].toFixed(2)}`).join('  ')}  total ${GROUPS.reduce((a, g) => a + per[g], 0).toFixed(2)}`,
        );
      }
    // Longer than the scores' storage interval (30 s at the default compaction interval) and a compaction.
    await new Promise((res) => setTimeout(res, 35_000));
    console.log('whole run, µs a record (idle time and deferred work included):');
    for (const { name, s } of servers) {
      const a = start.get(name) as Threads;
      const b = threads(s.child.pid as number);
      const n = Math.max(1, records.get(name) ?? 0);
      const per = GROUPS.map((g) => ((b[g] - a[g]) * 1e6) / n);
      console.log(
        `${name.padEnd(5)} ${GROUPS.map((g, i) => `${g} ${(per[i] as number).toFixed(2)}`).join('  ')}  total ${per.reduce((x, y) => x + y, 0).toFixed(2)}`,
      );
    }
    console.log('medians of the turns, µs a record (and − off):');
    const off = got.get('off');
    for (const [name, list] of got) {
      const m = (g: (typeof GROUPS)[number]) => median(list.map((t) => t[g]));
      const total = median(list.map((t) => GROUPS.reduce((a, g) => a + t[g], 0)));
      const offTotal = off ? median(off.map((t) => GROUPS.reduce((a, g) => a + t[g], 0))) : Number.NaN;
      console.log(
        `${name.padEnd(5)} ${GROUPS.map((g) => `${g} ${m(g).toFixed(2)}${off ? ` (${(m(g) - median(off.map((t) => t[g]))).toFixed(2)})` : ''}`).join('  ')}  total ${total.toFixed(2)}${off ? ` (${(total - offTotal).toFixed(2)})` : ''}`,
      );
    }
  } finally {
    for (const { s } of servers) await stopServe(s.child);
    rmSync(root, { recursive: true, force: true });
  }
}

await main();
