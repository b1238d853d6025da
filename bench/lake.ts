/**
 * Lake build against its floor: `buildLake` (mapping, full validation, identity, dedup, quarantine,
 * partitioned Parquet, manifest) side by side with a bare DuckDB COPY of the same raw CSV files to
 * Parquet (same library, same compression, no checks). Each contender runs in a fresh process, in
 * interleaved rounds; wall time, CPU time (user + system, all threads) and peak RSS (getrusage) of each,
 * per table and per phase of each table's ingest (reading, validating, writing, committing, updating
 * sessions), and the whole build with and without the step that keeps the derived sessions table.
 * `--compare OTHER/bin/shoplake.js` adds a third contender: `build-lake` of another build (e.g. an older
 * commit exported and built elsewhere), timed by GNU time (/usr/bin/time) since it is not this library;
 * that command also scores every order for fraud after the load, which this library's build does not.
 * `--compare OTHER/dist/bench/lake.js` instead runs the other build's own copy of this benchmark as the
 * child, so that both builds are measured the same way (the library's buildLake, nothing after it).
 * `--floor` also times, for orders and clickstream, the bare COPY with a lake batch's layout (day partitions,
 * zstd level 1, the batch column) and then with the derived id too: the floor the checks are set against.
 * Usage: node dist/bench/lake.js --data DIR [--rounds N] [--compare BIN|SCRIPT] [--floor]   (DIR with raw/ from
 * `shoplake generate --raw-only`)
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, readdirSync, rmSync } from 'node:fs';
import { cpus, loadavg, totalmem } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { z } from 'zod';
import { DuckDbSession, sqlString } from '../src/duckdb/index.js';
import { type BuildLakeOptions, buildLake, contentIdSql, type IngestReport } from '../src/ingest/index.js';
import {
  type ColumnSpec,
  dataLayout,
  derivedKeyColumn,
  partitionSql,
  SessionsRefreshFailed,
  sqlType,
  TABLE_NAMES,
  TABLES,
  tableBatches,
} from '../src/lake/index.js';

const phasesSchema = z.record(z.string(), z.object({ seconds: z.number(), cpuSeconds: z.number() }));
const runSchema = z.object({
  tables: z.array(
    z.object({
      table: z.string(),
      rows: z.number(),
      seconds: z.number(),
      cpuSeconds: z.number().optional(),
      /** build only: wall and CPU seconds per phase of the table's ingest ('updating sessions' among them). */
      phases: phasesSchema.optional(),
    }),
  ),
  seconds: z.number(),
  cpuSeconds: z.number(),
  peakMb: z.number(),
  /** build only: the step after the last table that brings the sessions table in step (when needed). */
  finalSessions: z.object({ seconds: z.number(), cpuSeconds: z.number() }).optional(),
  /** build only: why the sessions step failed, when it did (the tables' own figures still stand). */
  sessionsFailure: z.string().optional(),
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

const cpuNow = () => {
  const u = process.resourceUsage();
  return (u.userCPUTime + u.systemCPUTime) / 1e6;
};

/**
 * In a child process: the lake build from scratch, with the wall and CPU time of each table and of each
 * phase of its ingest (reading, validating, writing, committing, updating sessions), taken from the
 * progress callbacks `shoplake build-lake` uses too.
 */
async function childBuild(dir: string): Promise<Run> {
  rmSync(dataLayout(dir).lake, { recursive: true, force: true });
  const start = performance.now();
  const timings = new Map<
    string,
    {
      seconds: number;
      cpuSeconds: number;
      phases: z.infer<typeof phasesSchema>;
      stoppedAt: number;
      cpuAtStop: number;
    }
  >();
  const options: BuildLakeOptions = {
    onTable: (table) => {
      const phases: z.infer<typeof phasesSchema> = {};
      const tableCpu = cpuNow();
      const tableStart = performance.now();
      let current: { name: string; wall: number; cpu: number } | null = null;
      const close = () => {
        if (!current) return;
        const spent = phases[current.name] ?? { seconds: 0, cpuSeconds: 0 };
        spent.seconds += (performance.now() - current.wall) / 1000;
        spent.cpuSeconds += cpuNow() - current.cpu;
        phases[current.name] = spent;
      };
      return {
        update(phase: string) {
          const name = phase.startsWith('reading ') ? 'reading' : phase;
          if (current?.name === name) return;
          close();
          current = { name, wall: performance.now(), cpu: cpuNow() };
        },
        stop() {
          close();
          const seconds = (performance.now() - tableStart) / 1000;
          const cpuAtStop = cpuNow();
          const stoppedAt = performance.now();
          timings.set(table, { seconds, cpuSeconds: cpuAtStop - tableCpu, phases, stoppedAt, cpuAtStop });
        },
      };
    },
  };
  const reports: { table: string; read: number; seconds: number }[] = [];
  const onReport = (r: IngestReport) => {
    if (!r.unchanged) reports.push(r);
  };
  let sessionsFailure: string | undefined;
  try {
    await buildLake(dir, onReport, options);
  } catch (err) {
    // The derived sessions table (src/lake/sessions, not measured here) may fail after clickstream
    // committed: note it, and load the tables that follow it (a second build skips those loaded).
    if (!(err instanceof SessionsRefreshFailed)) throw err;
    sessionsFailure = err.message;
    const layout = dataLayout(dir);
    const last = tableBatches(layout, 'clickstream').at(-1);
    const spent = timings.get('clickstream');
    reports.push({ table: 'clickstream', read: last?.read ?? 0, seconds: spent?.seconds ?? 0 });
    await buildLake(dir, onReport, options).catch((again: unknown) => {
      process.stderr.write(`sessions step of the second build failed too: ${String(again)}\n`);
    });
  }
  // What ran after the last table: buildLake's final step that brings the sessions table in step.
  const lastStop = Math.max(0, ...[...timings.values()].map((t) => t.stoppedAt));
  const lastCpu = [...timings.values()].find((t) => t.stoppedAt === lastStop)?.cpuAtStop ?? cpuNow();
  const finalSessions = { seconds: (performance.now() - lastStop) / 1000, cpuSeconds: cpuNow() - lastCpu };
  const tables = reports.map((r) => {
    const { cpuSeconds, phases } = timings.get(r.table) ?? {};
    return { table: r.table, rows: r.read, seconds: r.seconds, cpuSeconds, phases };
  });
  return { tables, ...usage(start), finalSessions, ...(sessionsFailure ? { sessionsFailure } : {}) };
}

/** In a child process: every raw CSV copied to one Parquet file by DuckDB, nothing checked. */
async function childBare(dir: string, floor: boolean): Promise<Run> {
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
        const c0 = cpuNow();
        const [copied] = await db.all(
          `COPY (SELECT * FROM read_csv(${sqlString(join(raw, table, file))})) TO ${sqlString(join(scratch, `${table}-${file}.parquet`))} (FORMAT parquet, COMPRESSION zstd)`,
        );
        tables.push({
          table,
          rows: Number(copied?.Count ?? 0),
          seconds: (performance.now() - t0) / 1000,
          cpuSeconds: cpuNow() - c0,
        });
        if (floor) tables.push(...(await floorCopies(db, table, join(raw, table, file), scratch)));
      }
    }
  } finally {
    db.close();
    rmSync(scratch, { recursive: true, force: true });
  }
  // The process's totals are the bare COPY's alone: the --floor variants are reported per table only.
  const spent = usage(start);
  for (const t of tables.filter((x) => x.table.includes(' ('))) {
    spent.seconds -= t.seconds;
    spent.cpuSeconds -= t.cpuSeconds ?? 0;
  }
  return { tables, ...spent };
}

/**
 * `--floor`: for a table with a derived id (orders, clickstream), the bare COPY again with what a lake
 * batch must have whatever the checks: day partitions, zstd level 1 and the batch column, then also the
 * derived id (the library's contentIdSql over the CSV's own types). What the validated load costs beyond
 * the second is the checking itself (mapping, casts, rules, the key check).
 */
async function floorCopies(db: DuckDbSession, table: string, file: string, scratch: string) {
  const spec = (TABLE_NAMES as readonly string[]).includes(table)
    ? TABLES[table as keyof typeof TABLES]
    : null;
  const derived = spec ? derivedKeyColumn(spec) : null;
  if (!spec?.time || !derived) return [];
  const day = `${partitionSql(`"${spec.time}"`, 'day')} AS __day`;
  // Columns the file lacks (orders' discount and line_id in a generated export) are NULL, as in ingest.
  const present = new Set(
    (await db.all(`DESCRIBE SELECT * FROM read_csv(${sqlString(file)})`)).map((r) => String(r.column_name)),
  );
  const value = (c: ColumnSpec) => (present.has(c.name) ? `"${c.name}"` : `CAST(NULL AS ${sqlType(c.type)})`);
  const id = `${contentIdSql(spec, value)} AS ${derived.name}`;
  const out: Run['tables'] = [];
  for (const [label, extra] of [
    ['day partitions', ''],
    ['day partitions + id', `, ${id}`],
  ] as const) {
    const target = join(scratch, `${table}-${label.replaceAll(' ', '-')}`);
    const t0 = performance.now();
    const c0 = cpuNow();
    const [copied] = await db.all(
      `COPY (SELECT *${extra}, 'batch' AS _batch, ${day} FROM read_csv(${sqlString(file)})) TO ${sqlString(target)}
       (FORMAT parquet, COMPRESSION zstd, COMPRESSION_LEVEL 1, PARTITION_BY (__day))`,
    );
    out.push({
      table: `${table} (${label})`,
      rows: Number(copied?.Count ?? 0),
      seconds: (performance.now() - t0) / 1000,
      cpuSeconds: cpuNow() - c0,
    });
  }
  return out;
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

function spawnChild(
  kind: 'build' | 'bare',
  dir: string,
  script = new URL(import.meta.url).pathname,
  extra: string[] = [],
): Run {
  const r = spawnSync(process.execPath, [script, '--child', kind, '--data', dir, ...extra], {
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
      floor: { type: 'boolean', default: false },
    },
  });
  if (!values.data)
    throw new Error('pass --data DIR (a directory with raw/ from shoplake generate --raw-only)');
  if (values.child === 'build' || values.child === 'bare') {
    const run =
      values.child === 'build' ? await childBuild(values.data) : await childBare(values.data, values.floor);
    process.stdout.write(`${JSON.stringify(run)}\n`);
    return;
  }
  const rounds = Number(values.rounds);
  const runs: Record<Kind, Run[]> = { build: [], bare: [], compared: [] };
  const loads: number[] = [];
  const kinds: Kind[] = values.compare ? ['bare', 'build', 'compared'] : ['bare', 'build'];
  // Another build's copy of this benchmark runs its own library's build as a child, like this one.
  const compareLibrary = values.compare?.endsWith('bench/lake.js') ? values.compare : undefined;
  for (let round = 0; round < rounds; round++) {
    for (const kind of kinds) {
      loads.push(loadavg()[0] ?? 0);
      runs[kind].push(
        kind === 'compared'
          ? compareLibrary
            ? spawnChild('build', values.data, compareLibrary)
            : spawnCompared(values.compare ?? '', values.data)
          : spawnChild(kind, values.data, undefined, kind === 'bare' && values.floor ? ['--floor'] : []),
      );
    }
  }
  const gb = (totalmem() / 2 ** 30).toFixed(0);
  console.log(
    `lake build of ${values.data}, ${rounds} round(s), fresh process each; ${cpus().length} cores (${cpus()[0]?.model ?? '?'}), ${gb} GB; ` +
      `load average (1 min) at each start ${loads.map((l) => l.toFixed(1)).join(' ')}; ${new Date().toISOString()}`,
  );
  const tableOf = (run: Run, table: string) => run.tables.find((t) => t.table === table);
  const byTable = (kind: Kind, table: string, key: 'seconds' | 'cpuSeconds' = 'seconds') =>
    median(runs[kind].map((r) => tableOf(r, table)?.[key] ?? Number.NaN));
  const sessionsOf = (run: Run, key: 'seconds' | 'cpuSeconds') =>
    run.tables.reduce((sum, t) => sum + (t.phases?.['updating sessions']?.[key] ?? 0), 0) +
    (run.finalSessions?.[key] ?? 0);
  const compared = values.compare ? ['compared wall', '÷ bare', 'compared CPU', '÷ bare'] : [];
  const pad = (xs: string[], widths: number[]) => xs.map((x, i) => x.padStart(widths[i] ?? 10)).join(' ');
  const widths = [17, 11, 10, 10, 8, 9, 9, 8, 14, 7, 13, 7];
  console.log(
    pad(
      ['table', 'rows', 'build s', 'bare s', 'wall ÷', 'build CPU', 'bare CPU', 'CPU ÷', ...compared],
      widths,
    ),
  );
  const ratio = (a: number, b: number) => `${(a / b).toFixed(2)}×`;
  for (const t of runs.build[0]?.tables ?? []) {
    const [b, c, o] = [byTable('build', t.table), byTable('bare', t.table), byTable('compared', t.table)];
    const [bc, cc] = [byTable('build', t.table, 'cpuSeconds'), byTable('bare', t.table, 'cpuSeconds')];
    const oc = byTable('compared', t.table, 'cpuSeconds');
    const extra = values.compare ? [o.toFixed(2), ratio(o, c), oc.toFixed(2), ratio(oc, cc)] : [];
    console.log(
      pad(
        [
          t.table,
          t.rows.toLocaleString('en-US'),
          b.toFixed(2),
          c.toFixed(2),
          ratio(b, c),
          bc.toFixed(2),
          cc.toFixed(2),
          ratio(bc, cc),
          ...extra,
        ],
        widths,
      ),
    );
  }
  const m = (kind: Kind, key: 'seconds' | 'cpuSeconds' | 'peakMb') => median(runs[kind].map((r) => r[key]));
  // "without sessions": the same runs minus the step that keeps the derived sessions table (owned by
  // src/lake/sessions), so that the validated load itself can be set against the bare COPY.
  const withoutSessions = (key: 'seconds' | 'cpuSeconds', kind: Kind = 'build') =>
    median(runs[kind].map((r) => r[key] - sessionsOf(r, key)));
  // A compared build's own benchmark (OTHER/dist/bench/lake.js) reports its phases too; GNU time does not.
  const comparedWithout = (key: 'seconds' | 'cpuSeconds') =>
    runs.compared.some((r) => r.tables.some((t) => t.phases)) ? withoutSessions(key, 'compared') : Number.NaN;
  const lines: [string, number, number, number, number][] = [
    ['whole process wall s', m('build', 'seconds'), m('bare', 'seconds'), m('compared', 'seconds'), 2],
    ['  without sessions', withoutSessions('seconds'), m('bare', 'seconds'), comparedWithout('seconds'), 2],
    [
      'CPU s (all threads)',
      m('build', 'cpuSeconds'),
      m('bare', 'cpuSeconds'),
      m('compared', 'cpuSeconds'),
      2,
    ],
    [
      '  without sessions',
      withoutSessions('cpuSeconds'),
      m('bare', 'cpuSeconds'),
      comparedWithout('cpuSeconds'),
      2,
    ],
    ['peak RSS MB', m('build', 'peakMb'), m('bare', 'peakMb'), m('compared', 'peakMb'), 0],
  ];
  console.log(
    pad(
      ['', 'build-lake', 'bare COPY', 'ratio', ...(values.compare ? ['compared', '÷'] : [])],
      [24, 12, 12, 8, 12, 7],
    ),
  );
  for (const [label, b, c, o, digits] of lines) {
    const extra = values.compare && !Number.isNaN(o) ? [o.toFixed(digits), ratio(o, c)] : [];
    console.log(
      `${label.padEnd(24)} ${pad([b.toFixed(digits), c.toFixed(digits), ratio(b, c), ...extra], [12, 12, 8, 12, 7])}`,
    );
  }
  for (const run of runs.build)
    if (run.sessionsFailure) console.log(`sessions step failed in a build run: ${run.sessionsFailure}`);
  // Where the build's time goes: CPU seconds per table and phase (median over rounds).
  // The direct write (src/ingest/direct.ts) sizes partitions, then validates and writes in one statement,
  // then counts keys; the checked-table path validates (and counts), then writes.
  const phaseNames = [
    'reading',
    'sizing partitions',
    'validating and writing',
    'counting keys',
    'validating',
    'writing',
    'committing',
    'updating sessions',
  ];
  const phaseWidths = [17, 9, 18, 23, 14, 11, 9, 11, 18];
  console.log(`\nbuild CPU s by phase\n${pad(['table', ...phaseNames], phaseWidths)}`);
  for (const t of runs.build[0]?.tables ?? []) {
    const cells = phaseNames.map((p) =>
      median(runs.build.map((r) => tableOf(r, t.table)?.phases?.[p]?.cpuSeconds ?? 0)).toFixed(2),
    );
    console.log(pad([t.table, ...cells], phaseWidths));
  }
  // --floor: the bare COPY with a batch's layout, then also with the derived id (see floorCopies).
  const floors = (runs.bare[0]?.tables ?? []).filter((t) => t.table.includes(' ('));
  if (floors.length === 0) return;
  console.log(
    `\nfloor: bare COPY with a lake batch's layout\n${pad(['', 'wall s', 'CPU s', 'CPU ÷ bare'], [34, 9, 9, 11])}`,
  );
  for (const t of floors) {
    const base = t.table.slice(0, t.table.indexOf(' ('));
    const cpu = byTable('bare', t.table, 'cpuSeconds');
    const cells = [
      byTable('bare', t.table).toFixed(2),
      cpu.toFixed(2),
      ratio(cpu, byTable('bare', base, 'cpuSeconds')),
    ];
    console.log(pad([t.table, ...cells], [34, 9, 9, 11]));
  }
}

await main();
