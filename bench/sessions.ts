/**
 * Session analyses against peers, and what keeping the sessions table costs: `npm run bench:sessions --
 * [--orders N] [--events N] [--customers N] [--rounds N] [--peer-rounds N] [--data DIR] [--only a,b]
 * [--no-maintenance]`. `--peer-rounds` (default: --rounds) caps the peers' rounds, for sizes where a peer
 * takes many times shoplake's time (its first rounds still interleave with shoplake's).
 *
 * Contenders, each in a fresh process per measurement, rounds interleaved (the order rotates), answers
 * checked identical to shoplake's: shoplake (catalog analysis reading the sessions table), hand-written
 * DuckDB SQL from events through the same library (bench/sessions-worker.ts), and chDB (ClickHouse
 * in-process, bench/sessions_chdb.py) from events, installed from PyPI into .cache/pychdb if missing.
 * Each process runs the analysis twice; "warm" is the second run.
 *
 * Maintenance cost: the clickstream load of the dataset into a fresh lake (what build-lake does), and
 * twenty collector-sized batches (2,000 events each after the data's end, half continuing the most
 * recently started sessions, on one thread as the collector's compaction runs) onto it, each split into the load itself and the sessions refresh that followed it.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type IngestReport, ingest } from '../src/ingest/index.js';
import { dataLayout, TABLES, tableFiles } from '../src/lake/index.js';
import { buildBenchDataset } from './dataset.js';
import { flag } from './lake-option.js';
import { recentSessions } from './sessions-kit.js';

const ANALYSES = ['funnel', 'sessions', 'conversion-by-device', 'user-paths', 'ab-test'];
const CHDB_VERSION = '4.4.0';
const here = resolve(fileURLToPath(import.meta.url), '..');
const root = resolve(here, '..', '..');

interface Measure {
  coldMs: number;
  warmMs: number;
  rssMb: number;
  answer: unknown;
}

const num = (name: string, fallback: number) => Number(flag(name) ?? fallback);

/** The venv's python with chdb, installing it (pinned) into .cache/pychdb when missing; null if that fails. */
function chdbPython(): string | null {
  const venv = join(root, '.cache', 'pychdb');
  const python = join(venv, 'bin', 'python');
  const ok = () => spawnSync(python, ['-c', 'import chdb'], { stdio: 'ignore' }).status === 0;
  if (existsSync(python) && ok()) return python;
  try {
    execFileSync('python3', ['-m', 'venv', venv], { stdio: 'inherit' });
    execFileSync(python, ['-m', 'pip', 'install', '-q', `chdb==${CHDB_VERSION}`], { stdio: 'inherit' });
  } catch (err) {
    console.log(`chDB not installed (${(err as Error).message.split('\n')[0]}): measuring without it`);
    return null;
  }
  return ok() ? python : null;
}

function measure(contender: string, analysis: string, dir: string, python: string | null): Measure {
  const layout = dataLayout(dir);
  const [cmd, args] =
    contender === 'chdb'
      ? [
          python ?? 'python3',
          [
            join(root, 'bench', 'sessions_chdb.py'),
            analysis,
            JSON.stringify(tableFiles(layout, TABLES.clickstream)),
            JSON.stringify(tableFiles(layout, TABLES.experiments)),
          ],
        ]
      : [process.execPath, [join(here, 'sessions-worker.js'), contender, analysis, dir]];
  const out = spawnSync(cmd, args, { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
  if (out.status !== 0) throw new Error(`${contender} ${analysis} failed: ${out.stderr.slice(-2000)}`);
  const line = out.stdout.trim().split('\n').at(-1) ?? '';
  return JSON.parse(line) as Measure;
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? Number.NaN;

function benchAnalyses(
  dir: string,
  rounds: { own: number; peers: number },
  only: string[],
  python: string | null,
) {
  const contenders = ['shoplake', 'duckdb-events', ...(python ? ['chdb'] : [])];
  const results: Record<string, Record<string, Measure[]>> = {};
  for (let round = 0; round < Math.max(rounds.own, rounds.peers); round++) {
    for (const analysis of only) {
      const order = contenders
        .map((_, i) => contenders[(i + round) % contenders.length] ?? '')
        .filter((c) => round < (c === 'shoplake' ? rounds.own : rounds.peers));
      for (const contender of order) {
        const m = measure(contender, analysis, dir, python);
        const perAnalysis = results[analysis] ?? {};
        results[analysis] = perAnalysis;
        const list = perAnalysis[contender] ?? [];
        perAnalysis[contender] = list;
        list.push(m);
        console.log(
          `round ${round + 1} ${analysis.padEnd(21)} ${contender.padEnd(14)} warm ${m.warmMs.toFixed(0).padStart(6)} ms  cold ${m.coldMs.toFixed(0).padStart(6)} ms  rss ${m.rssMb} MB`,
        );
      }
    }
  }
  const table: Record<string, unknown>[] = [];
  for (const analysis of only) {
    const byContender = results[analysis] ?? {};
    const reference = JSON.stringify(byContender.shoplake?.[0]?.answer);
    const row: Record<string, unknown> = { analysis };
    let fastestPeer = Number.POSITIVE_INFINITY;
    for (const [contender, ms] of Object.entries(byContender)) {
      const same = ms.every((m) => JSON.stringify(m.answer) === reference);
      const warm = median(ms.map((m) => m.warmMs));
      row[contender] = {
        warmMs: Math.round(warm),
        coldMs: Math.round(median(ms.map((m) => m.coldMs))),
        rssMb: Math.max(...ms.map((m) => m.rssMb)),
        sameAnswer: same,
      };
      if (!same)
        console.log(
          `ANSWER DIFFERS: ${analysis} ${contender}: ${JSON.stringify(ms[0]?.answer).slice(0, 400)} vs ${reference.slice(0, 400)}`,
        );
      if (contender !== 'shoplake') fastestPeer = Math.min(fastestPeer, warm);
    }
    // Against shoplake's rounds that ran beside the peers' (the load of a shared machine drifts).
    const own = median((byContender.shoplake ?? []).slice(0, Math.max(1, rounds.peers)).map((m) => m.warmMs));
    row.speedup = Math.round((fastestPeer / own) * 10) / 10;
    table.push(row);
  }
  return table;
}

function split(r: IngestReport): { total: number; sessions: number } {
  return { total: r.seconds, sessions: r.sessions?.seconds ?? 0 };
}

/** Load of the dataset's clickstream into a fresh lake, then 20 collector-sized batches on top. */
async function benchMaintenance(dir: string) {
  const copy = join(tmpdir(), `shoplake-bench-sessions-maint-${process.pid}`);
  rmSync(copy, { recursive: true, force: true });
  try {
    mkdirSync(copy, { recursive: true });
    const load = await ingest({
      dataDir: copy,
      table: TABLES.clickstream,
      input: join(dir, 'raw', 'clickstream'),
      kind: 'build-lake',
    });
    const build = split(load);
    const rows = load.loaded;
    // Collector-sized batches as live traffic brings them: events from the end of the data on, half of
    // them continuing the 5,000 most recently started sessions, half in new sessions.
    const recent = await recentSessions(copy);
    const end = Date.parse(`${recent.end.replace(' ', 'T')}Z`);
    let collector = { total: 0, sessions: 0, rows: 0 };
    const batch = 2000;
    for (let i = 0; i < 20; i++) {
      const file = join(copy, 'batches', `b${i}.ndjson`);
      mkdirSync(join(copy, 'batches'), { recursive: true });
      const lines: string[] = [];
      for (let k = 0; k < batch; k++) {
        const n = i * batch + k;
        const ts = new Date(end + (n + 1) * 1000).toISOString().replace('T', ' ').slice(0, 19);
        const continued = recent.sessions[n % recent.sessions.length];
        const session = k % 2 === 0 && continued ? continued.id : `LIVE${i}-${Math.floor(k / 8)}`;
        const customer =
          k % 2 === 0 && continued ? continued.customer : `CUST${String(1 + (n % 90000)).padStart(5, '0')}`;
        lines.push(
          JSON.stringify({
            event_id: `bench-${i}-${k}`,
            timestamp: ts,
            session_id: session,
            customer_id: customer,
            action: k % 11 === 0 ? 'PURCHASE' : 'VIEW',
            page: k % 11 === 0 ? 'checkout' : 'product',
            product_id: null,
            device: 'mobile',
            duration_seconds: 10,
          }),
        );
      }
      writeFileSync(file, `${lines.join('\n')}\n`);
      const r = await ingest({
        dataDir: copy,
        table: TABLES.clickstream,
        input: file,
        threads: 1,
        dedupScope: 'partitions',
        kind: 'collector',
      });
      const s = split(r);
      collector = {
        total: collector.total + s.total,
        sessions: collector.sessions + s.sessions,
        rows: collector.rows + r.loaded,
      };
    }
    const pct = (x: { total: number; sessions: number }) =>
      Math.round((x.sessions / (x.total - x.sessions)) * 1000) / 10;
    return {
      buildLake: {
        rows,
        secondsWith: build.total,
        secondsWithout: build.total - build.sessions,
        rowsPerSecondWith: Math.round(rows / build.total),
        rowsPerSecondWithout: Math.round(rows / (build.total - build.sessions)),
        costPercent: pct(build),
      },
      collector: {
        rows: collector.rows,
        secondsWith: collector.total,
        secondsWithout: collector.total - collector.sessions,
        rowsPerSecondWith: Math.round(collector.rows / collector.total),
        rowsPerSecondWithout: Math.round(collector.rows / (collector.total - collector.sessions)),
        costPercent: pct(collector),
      },
    };
  } finally {
    rmSync(copy, { recursive: true, force: true });
  }
}

if (process.argv[1] && fileURLToPath(import.meta.url) === resolve(process.argv[1])) {
  const orders = num('orders', 1_000_000);
  const size = { orders, events: num('events', orders * 4), customers: num('customers', orders / 10) };
  const given = flag('data');
  const dir = given ?? join(tmpdir(), `shoplake-bench-sessions-${orders}`);
  const started = new Date().toISOString();
  const load = loadavg()
    .map((x) => x.toFixed(1))
    .join(' ');
  const built = !existsSync(join(dir, 'lake', 'clickstream'));
  if (built) await buildBenchDataset(dir, size);
  const own = num('rounds', 3);
  const rounds = { own, peers: Math.min(own, num('peer-rounds', own)) };
  const python = rounds.peers > 0 ? chdbPython() : null;
  const only = (flag('only') ?? ANALYSES.join(',')).split(',');
  const analyses = benchAnalyses(dir, rounds, only, python);
  const maintenance = process.argv.includes('--no-maintenance') ? null : await benchMaintenance(dir);
  const summary = {
    started,
    machine: `${cpus().length} × ${cpus()[0]?.model ?? 'cpu'}`,
    loadAtStart: load,
    loadAtEnd: loadavg()
      .map((x) => x.toFixed(1))
      .join(' '),
    // An existing lake (--data) is measured as it is: its size is not the flags'.
    size: built ? size : `as in ${dir}`,
    analyses,
    maintenance,
  };
  console.log(JSON.stringify(summary, null, 2));
}
