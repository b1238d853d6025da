/**
 * What a stored fraud score costs the compaction process (issue 13 "Speed"): `shoplake serve` with scoring
 * on, this build and other builds (`--compare DIR`, repeatable: a build's root with bin/shoplake.js) at once
 * on copies of one lake, each fed batched records at a fixed rate in turns (one round per rate of `--rates`,
 * the order rotating every round). Each compaction process logs every job (SHOPLAKE_BENCH_JOB_LOG: the
 * table, rows read, CPU of the ingest) and this build's also its merges of small files; the compaction
 * process's whole CPU comes from /proc. Printed per build: per table, the CPU per row and its split into a
 * fixed cost per segment and a cost per row (least squares over the jobs, whose sizes the rates vary); the
 * CPU outside the ingests (merges, mostly); and the compaction CPU per fraud_scores row and per collected
 * record. CPU per row moves far less with the machine's load than throughput does.
 *
 * `node dist/bench/fraud-sink.js [--rates 5000,15000,30000] [--seconds S] [--lake DIR] [--compare DIR ...]`
 * (`--lake`: a data directory like the one bench/fraud-history.ts makes, else one of 20,000 orders is made).
 */
import { cpSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { z } from 'zod';
import { replay, synthetic } from '../src/replay/index.js';
import { fraudHistoryLake } from './fraud-history.js';
import { type ServeProcess, startServe, stopServe } from './serve-process.js';

const KEY = 'bench-key-123';
const { values: opts } = parseArgs({
  options: {
    rates: { type: 'string', default: '5000,15000,30000' },
    seconds: { type: 'string', default: '20' },
    lake: { type: 'string' },
    compare: { type: 'string', multiple: true, default: [] },
  },
  strict: true,
});
const RATES = (opts.rates ?? '').split(',').map(Number);
const SECONDS = Number(opts.seconds);
if (RATES.some((r) => !(r > 0)) || !(SECONDS > 0)) {
  process.stderr.write(
    'fraud-sink: --rates takes positive numbers (5000,15000) and --seconds a positive number\n',
  );
  process.exit(2);
}
/** After a turn: the worker stores its last scores (every 5 s) and compaction takes them (every 2 s). */
const SETTLE_MS = 8_000;

/** A compaction job (ingest of one WAL segment) or, from this build, a merge of a table's small files. */
const JobLine = z.union([
  z.object({ table: z.string(), read: z.number(), loaded: z.number(), cpuMs: z.number() }),
  z.object({ table: z.string(), merged: z.number(), cpuMs: z.number() }),
]);
type JobLine = z.infer<typeof JobLine>;

/** CPU seconds of serve's child processes (the compaction process), from /proc. */
function compactionSeconds(pid: number): number {
  let sum = 0;
  for (const task of readdirSync(`/proc/${pid}/task`)) {
    let children: string[];
    try {
      children = readFileSync(`/proc/${pid}/task/${task}/children`, 'utf8').split(' ');
    } catch {
      continue;
    }
    for (const child of children) {
      if (child.trim() === '') continue;
      try {
        const stat = readFileSync(`/proc/${child.trim()}/stat`, 'utf8');
        // utime and stime: the 14th and 15th fields, counted after the command name (which may hold spaces).
        const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
        sum += (Number(f[11]) + Number(f[12])) / 100;
      } catch {
        // The process ended between the listing and the read.
      }
    }
  }
  return sum;
}

function jobLines(path: string): JobLine[] {
  if (!existsSync(path)) return [];
  return readFileSync(path, 'utf8')
    .split('\n')
    .filter((l) => l.trim() !== '')
    .map((l) => JobLine.parse(JSON.parse(l)));
}

/** Least squares of CPU ms on rows: [fixed ms a job, µs a row]; null with fewer than two distinct sizes. */
function fit(jobs: readonly { read: number; cpuMs: number }[]): [number, number] | null {
  const n = jobs.length;
  const mx = jobs.reduce((a, j) => a + j.read, 0) / n;
  const my = jobs.reduce((a, j) => a + j.cpuMs, 0) / n;
  const sxx = jobs.reduce((a, j) => a + (j.read - mx) ** 2, 0);
  if (n < 2 || sxx === 0) return null;
  const slope = jobs.reduce((a, j) => a + (j.read - mx) * (j.cpuMs - my), 0) / sxx;
  return [my - slope * mx, slope * 1000];
}

interface Server {
  name: string;
  s: ServeProcess;
  log: string;
  records: number;
  orders: number;
}

async function main(): Promise<void> {
  const root = mkdtempSync(join(tmpdir(), 'shoplake-bench-fraud-sink-'));
  const servers: Server[] = [];
  const source = { ...synthetic(50_000, 200_000), origin: 'synthetic' };
  const orderShare = source.orders.length / (source.orders.length + source.events.length);
  try {
    const history = opts.lake ? resolve(opts.lake) : join(root, 'history');
    if (!opts.lake) await fraudHistoryLake(history);
    const builds = [
      { name: 'this', bin: undefined },
      ...(opts.compare ?? []).map((dir, i) => ({
        name: `cmp${i + 1}`,
        bin: join(resolve(dir), 'bin', 'shoplake.js'),
      })),
    ];
    for (const b of builds) {
      const dir = join(root, b.name);
      cpSync(history, dir, { recursive: true });
      const log = join(root, `${b.name}.jobs.ndjson`);
      // Read by serve's compaction process, which inherits serve's environment.
      process.env.SHOPLAKE_BENCH_JOB_LOG = log;
      servers.push({ name: b.name, s: await startServe(dir, KEY, [], b.bin), log, records: 0, orders: 0 });
    }
    delete process.env.SHOPLAKE_BENCH_JOB_LOG;
    // Every server's model built (scoring ready) before the first turn.
    await new Promise((r) => setTimeout(r, 15_000));
    console.log(
      `compaction CPU with scoring on; rates ${RATES.join(', ')}/s, turns of ${SECONDS} s (+${SETTLE_MS / 1000} s settle); ${builds.map((b) => `${b.name} = ${b.bin ?? 'this build'}`).join(', ')}; load ${loadavg()
        .map((l) => l.toFixed(2))
        .join(' ')}`,
    );
    const start = new Map(servers.map((v) => [v.name, compactionSeconds(v.s.child.pid as number)]));
    let tag = 0;
    for (const [r, rate] of RATES.entries())
      for (let k = 0; k < servers.length; k++) {
        const server = servers[(k + r) % servers.length] as Server;
        const pid = server.s.child.pid as number;
        const before = compactionSeconds(pid);
        const result = await replay(source, {
          target: server.s.url,
          key: KEY,
          rate,
          durationSeconds: SECONDS,
          batch: 100,
          concurrency: 16,
          blackFriday: 1,
          tag: `s${tag++}x`,
        });
        await new Promise((res) => setTimeout(res, SETTLE_MS));
        const spent = compactionSeconds(pid) - before;
        server.records += result.ackedRecords;
        console.log(
          `round ${r + 1} ${server.name.padEnd(5)} ${rate}/s acked ${result.ackedRecords} load ${(loadavg()[0] ?? 0).toFixed(1)}  compaction ${((spent * 1e6) / Math.max(1, result.ackedRecords)).toFixed(2)} µs/record`,
        );
      }
    // The last stored scores and their compaction.
    await new Promise((res) => setTimeout(res, SETTLE_MS));
    for (const v of servers) {
      const total = (compactionSeconds(v.s.child.pid as number) - (start.get(v.name) ?? 0)) * 1000;
      report(v, total, orderShare);
    }
  } finally {
    for (const { s } of servers) await stopServe(s.child);
    rmSync(root, { recursive: true, force: true });
  }
}

function report(v: Server, totalMs: number, orderShare: number): void {
  const lines = jobLines(v.log);
  const jobs = lines.flatMap((l) => ('read' in l ? [l] : []));
  const merges = lines.flatMap((l) => ('merged' in l ? [l] : []));
  const ingestMs = jobs.reduce((a, j) => a + j.cpuMs, 0);
  console.log(
    `\n${v.name}: ${v.records} records acked (~${Math.round(v.records * orderShare)} orders); compaction process ${totalMs.toFixed(0)} ms CPU = ${((totalMs * 1000) / v.records).toFixed(2)} µs/record; ingests ${ingestMs.toFixed(0)} ms, outside them (merges, the table's size) ${(totalMs - ingestMs).toFixed(0)} ms`,
  );
  const tables = [...new Set(jobs.map((j) => j.table))].sort();
  for (const table of tables) {
    const own = jobs.filter((j) => j.table === table);
    const rows = own.reduce((a, j) => a + j.read, 0);
    const ms = own.reduce((a, j) => a + j.cpuMs, 0);
    const f = fit(own);
    const merged = merges.filter((m) => m.table === table);
    const mergeMs = merged.reduce((a, m) => a + m.cpuMs, 0);
    console.log(
      `  ${table.padEnd(13)} ${String(own.length).padStart(4)} jobs ${String(rows).padStart(8)} rows (${Math.round(rows / own.length)} a job)  ${((ms * 1000) / Math.max(1, rows)).toFixed(2).padStart(6)} µs/row  ${(ms / own.length).toFixed(1).padStart(6)} ms/job` +
        `  fit: ${f ? `${f[0].toFixed(1)} ms/job + ${f[1].toFixed(2)} µs/row` : '—'}` +
        `  ${merged.length > 0 ? `merges ${merged.length}, ${mergeMs.toFixed(0)} ms` : 'merges not logged or none'}` +
        `  → ${(((ms + mergeMs) * 1000) / v.records).toFixed(2)} µs/collected record`,
    );
  }
  const scores = jobs.filter((j) => j.table === 'fraud_scores');
  const scoreRows = scores.reduce((a, j) => a + j.read, 0);
  const scoreMs =
    scores.reduce((a, j) => a + j.cpuMs, 0) +
    merges.filter((m) => m.table === 'fraud_scores').reduce((a, m) => a + m.cpuMs, 0);
  console.log(
    `  fraud_scores: ${((scoreMs * 1000) / Math.max(1, scoreRows)).toFixed(2)} µs a stored score (ingest${merges.length > 0 ? ' + merges' : ''}), ${((scoreMs * 1000) / v.records).toFixed(2)} µs a collected record`,
  );
}

await main();
