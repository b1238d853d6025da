/**
 * Lake build against its floor: `buildLake` (mapping, full validation, identity, dedup, quarantine,
 * partitioned Parquet, manifest) side by side with a bare DuckDB COPY of the same raw CSV files to
 * Parquet (same library, same compression, no checks). Each contender runs in a fresh process, in
 * interleaved rounds; wall time, CPU time (user + system, all threads) and peak RSS (getrusage) of each.
 * `--compare OTHER/bin/shoplake.js` adds a third contender: `build-lake` of another build (e.g. an older
 * commit exported and built elsewhere), timed by GNU time (/usr/bin/time) since it is not this library.
 * Usage: node dist/bench/lake.js --data DIR [--rounds N] [--compare BIN]   (DIR with raw/ from
 * `shoplake generate --raw-only`)
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, readdirSync, rmSync } from 'node:fs';
import { cpus, loadavg, totalmem } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { z } from 'zod';
import { DuckDbSession, sqlString } from '../src/duckdb/index.js';
import { buildLake } from '../src/ingest/index.js';
import { dataLayout } from '../src/lake/index.js';

const runSchema = z.object({
  tables: z.array(z.object({ table: z.string(), rows: z.number(), seconds: z.number() })),
  seconds: z.number(),
  cpuSeconds: z.number(),
  peakMb: z.number(),
});
type Run = z.infer<typeof runSchema>;
type Kind = 'build' | 'bare' | 'compared';

function usage(start: number): Pick<Run, 'seconds' | 'cpuSeconds' | 'peakMb'> {
  const u = process.resourceUsage();
  return {
    seconds: (performance.now() - start) / 1000,
    cpuSeconds: (u.userCPUTime + u.systemCPUTime) / 1e6,
    peakMb: u.maxRSS / 1024,
  };
}

/** In a child process: the lake build from scratch. */
async function childBuild(dir: string): Promise<Run> {
  rmSync(dataLayout(dir).lake, { recursive: true, force: true });
  const start = performance.now();
  const reports = await buildLake(dir);
  const tables = reports.map((r) => ({ table: r.table, rows: r.read, seconds: r.seconds }));
  return { tables, ...usage(start) };
}

/** In a child process: every raw CSV copied to one Parquet file by DuckDB, nothing checked. */
async function childBare(dir: string): Promise<Run> {
  const { raw, root } = dataLayout(dir);
  const scratch = join(root, 'bench-bare');
  rmSync(scratch, { recursive: true, force: true });
  mkdirSync(scratch, { recursive: true });
  const start = performance.now();
  const db = await DuckDbSession.open();
  const tables: Run['tables'] = [];
  try {
    for (const table of readdirSync(raw).sort()) {
      for (const file of readdirSync(join(raw, table)).filter((f) => f.endsWith('.csv'))) {
        const t0 = performance.now();
        const [copied] = await db.all(
          `COPY (SELECT * FROM read_csv(${sqlString(join(raw, table, file))})) TO ${sqlString(join(scratch, `${table}-${file}.parquet`))} (FORMAT parquet, COMPRESSION zstd)`,
        );
        tables.push({ table, rows: Number(copied?.Count ?? 0), seconds: (performance.now() - t0) / 1000 });
      }
    }
  } finally {
    db.close();
    rmSync(scratch, { recursive: true, force: true });
  }
  return { tables, ...usage(start) };
}

const reportsSchema = z.array(z.object({ table: z.string(), read: z.number(), seconds: z.number() }));

/** Another build's `build-lake` from scratch, as a whole process under GNU time. */
function spawnCompared(bin: string, dir: string): Run {
  rmSync(dataLayout(dir).lake, { recursive: true, force: true });
  const r = spawnSync(
    '/usr/bin/time',
    ['-f', 'TIME %e %U %S %M', process.execPath, bin, '--data', dir, 'build-lake', '--format', 'json'],
    { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 },
  );
  if (r.status !== 0) throw new Error(`compared build-lake failed (exit ${r.status}): ${r.stderr}`);
  const time = r.stderr.split('\n').find((l) => l.startsWith('TIME '));
  const [wall, user, system, maxKb] = (time ?? '').split(' ').slice(1).map(Number);
  const reports = reportsSchema.parse(JSON.parse(r.stdout));
  return {
    tables: reports.map((t) => ({ table: t.table, rows: t.read, seconds: t.seconds })),
    seconds: wall ?? Number.NaN,
    cpuSeconds: (user ?? Number.NaN) + (system ?? Number.NaN),
    peakMb: (maxKb ?? Number.NaN) / 1024,
  };
}

function spawnChild(kind: 'build' | 'bare', dir: string): Run {
  const r = spawnSync(process.execPath, [new URL(import.meta.url).pathname, '--child', kind, '--data', dir], {
    encoding: 'utf8',
    maxBuffer: 64 * 1024 * 1024,
  });
  if (r.status !== 0) throw new Error(`${kind} child failed (exit ${r.status}): ${r.stderr}`);
  const line = r.stdout.trim().split('\n').at(-1) ?? '';
  return runSchema.parse(JSON.parse(line));
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)] ?? Number.NaN;
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      data: { type: 'string' },
      rounds: { type: 'string', default: '1' },
      child: { type: 'string' },
      compare: { type: 'string' },
    },
  });
  if (!values.data)
    throw new Error('pass --data DIR (a directory with raw/ from shoplake generate --raw-only)');
  if (values.child === 'build' || values.child === 'bare') {
    const run = values.child === 'build' ? await childBuild(values.data) : await childBare(values.data);
    process.stdout.write(`${JSON.stringify(run)}\n`);
    return;
  }
  const rounds = Number(values.rounds);
  const runs: Record<Kind, Run[]> = { build: [], bare: [], compared: [] };
  const loads: number[] = [];
  const kinds: Kind[] = values.compare ? ['bare', 'build', 'compared'] : ['bare', 'build'];
  for (let round = 0; round < rounds; round++) {
    for (const kind of kinds) {
      loads.push(loadavg()[0] ?? 0);
      runs[kind].push(
        kind === 'compared'
          ? spawnCompared(values.compare ?? '', values.data)
          : spawnChild(kind, values.data),
      );
    }
  }
  const gb = (totalmem() / 2 ** 30).toFixed(0);
  console.log(
    `lake build of ${values.data}, ${rounds} round(s), fresh process each; ${cpus().length} cores (${cpus()[0]?.model ?? '?'}), ${gb} GB; ` +
      `load average (1 min) at each start ${loads.map((l) => l.toFixed(1)).join(' ')}; ${new Date().toISOString()}`,
  );
  const byTable = (kind: Kind, table: string) =>
    median(runs[kind].map((r) => r.tables.find((t) => t.table === table)?.seconds ?? Number.NaN));
  const compared = values.compare ? ['compared build', '÷ bare'] : [];
  console.log(
    ['table       ', '       rows', '  build-lake s', '   bare COPY s', '  build ÷ bare', ...compared].join(
      ' ',
    ),
  );
  const extra = (b: number, c: number) =>
    values.compare ? [b.toFixed(2).padStart(14), `${(b / c).toFixed(2)}×`.padStart(6)] : [];
  for (const t of runs.build[0]?.tables ?? []) {
    const [b, c, o] = [byTable('build', t.table), byTable('bare', t.table), byTable('compared', t.table)];
    console.log(
      [
        t.table.padEnd(12),
        t.rows.toLocaleString('en-US').padStart(11),
        b.toFixed(2).padStart(14),
        c.toFixed(2).padStart(14),
        `${(b / c).toFixed(2)}×`.padStart(14),
        ...extra(o, c),
      ].join(' '),
    );
  }
  const m = (kind: Kind, key: 'seconds' | 'cpuSeconds' | 'peakMb') => median(runs[kind].map((r) => r[key]));
  for (const [label, key] of [
    ['whole process wall s', 'seconds'],
    ['CPU s (all threads)', 'cpuSeconds'],
    ['peak RSS MB', 'peakMb'],
  ] as const) {
    const [b, c] = [m('build', key), m('bare', key)];
    const digits = key === 'peakMb' ? 0 : 2;
    const o = m('compared', key);
    console.log(
      `${label.padEnd(24)} ${b.toFixed(digits).padStart(14)} ${c.toFixed(digits).padStart(14)} ${`${(b / c).toFixed(2)}×`.padStart(14)}` +
        (values.compare ? ` ${o.toFixed(digits).padStart(14)} ${`${(o / c).toFixed(2)}×`.padStart(6)}` : ''),
    );
  }
}

await main();
