/**
 * The sessions table's full computation (`refreshSessions(…, 'all')`, what build-lake and a catch-up
 * run), alone: `node dist/bench/sessions-full.js --lake L [--events-per-pass N] [--runs N] [--profile]
 * [--compare OTHER/dist/bench/sessions-full.js] [--export DIR]`. L is a built lake (a writable copy: its
 * sessions table is recomputed, and committed, by every run). Each run is a fresh process (its peak RSS
 * is its own) with build-lake's DuckDB memory limit; CPU is the whole process's (`process.cpuUsage`,
 * DuckDB's threads included). `--compare` runs another build's copy of this file alternately with this
 * one (e.g. the code before a change). `--profile` adds CPU and wall seconds per SQL statement.
 * `--export DIR` writes each run's sessions rows (without the batch column) to DIR/<contender>-<run>.parquet;
 * `--diff A B` then counts the rows of A not in B and of B not in A (EXCEPT ALL both ways).
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { z } from 'zod';
import { DuckDbSession, sqlString } from '../src/duckdb/index.js';
import { ingestMemoryLimit } from '../src/ingest/index.js';
import { dataLayout, lakeParquetSql, TABLES, tableDirectory, tableSnapshot } from '../src/lake/index.js';
import { flag } from './lake-option.js';
import { loadNow, recomputeAllSessions, runStamp } from './sessions-kit.js';

const cpuSeconds = () => {
  const c = process.cpuUsage();
  return (c.user + c.system) / 1e6;
};
const round = (x: number, digits = 2) => Math.round(x * 10 ** digits) / 10 ** digits;

interface Statement {
  sql: string;
  cpu: number;
  wall: number;
}

// Times every statement the session runs (the three query methods refreshSessions and the writer use).
function profiled(db: DuckDbSession, log: Statement[]): void {
  const wrap =
    <A extends unknown[], R>(f: (...a: A) => Promise<R>) =>
    async (...a: A): Promise<R> => {
      const c0 = cpuSeconds();
      const t0 = performance.now();
      try {
        return await f(...a);
      } finally {
        const sql = String(a[0]).replace(/\s+/g, ' ').slice(0, 110);
        log.push({ sql, cpu: cpuSeconds() - c0, wall: (performance.now() - t0) / 1000 });
      }
    };
  db.run = wrap(db.run.bind(db));
  db.all = wrap(db.all.bind(db));
  db.column = wrap(db.column.bind(db));
}

/** One full computation in this process; its figures as one JSON line on stdout. */
async function child(lake: string, eventsPerPass: number, profile: boolean, exportTo: string | undefined) {
  const layout = dataLayout(lake);
  const db = await DuckDbSession.open({ memoryLimit: ingestMemoryLimit() });
  const log: Statement[] = [];
  if (profile) profiled(db, log);
  const c0 = cpuSeconds();
  const t0 = performance.now();
  try {
    const report = await recomputeAllSessions(db, layout, eventsPerPass);
    const cpu = cpuSeconds() - c0;
    const wall = (performance.now() - t0) / 1000;
    const files = tableSnapshot(tableDirectory(layout, 'sessions')).files;
    if (exportTo) {
      const columns = TABLES.sessions.columns.map((c) => `"${c.name}"`).join(', ');
      await db.run(
        `COPY (SELECT ${columns} FROM ${lakeParquetSql(files)}) TO ${sqlString(exportTo)} (FORMAT parquet)`,
      );
    }
    console.log(
      JSON.stringify({
        sessions: report.written,
        files: files.length,
        cpuSeconds: round(cpu),
        wallSeconds: round(wall),
        peakRssMb: Math.round(process.resourceUsage().maxRSS / 1024),
        statements: profile
          ? log
              .filter((s) => s.wall > 0.05)
              .map((s) => ({ cpu: round(s.cpu), wall: round(s.wall), sql: s.sql }))
          : undefined,
      }),
    );
  } finally {
    db.close();
  }
}

async function diff(a: string, b: string) {
  const db = await DuckDbSession.open({ memoryLimit: ingestMemoryLimit() });
  try {
    const count = async (x: string, y: string) => {
      const [r] = await db.all(
        `SELECT count(*) AS n FROM (SELECT * FROM read_parquet(${sqlString(x)}) EXCEPT ALL SELECT * FROM read_parquet(${sqlString(y)}))`,
      );
      return Number(r?.n);
    };
    const [r] = await db.all(`SELECT count(*) AS n FROM read_parquet(${sqlString(a)})`);
    console.log(
      JSON.stringify({ a, b, rowsA: Number(r?.n), aNotB: await count(a, b), bNotA: await count(b, a) }),
    );
  } finally {
    db.close();
  }
}

const runSchema = z.object({
  sessions: z.number(),
  files: z.number(),
  cpuSeconds: z.number(),
  wallSeconds: z.number(),
  peakRssMb: z.number(),
  statements: z.array(z.object({ sql: z.string(), cpu: z.number(), wall: z.number() })).optional(),
});
type Run = z.infer<typeof runSchema> & { contender: string };

if (process.argv[1] && fileURLToPath(import.meta.url) === resolve(process.argv[1])) {
  const argv = process.argv.slice(2);
  const diffAt = argv.indexOf('--diff');
  const lake = flag('lake');
  const perPass = Number(flag('events-per-pass') ?? 4_000_000);
  const profile = argv.includes('--profile');
  if (diffAt >= 0) {
    await diff(argv[diffAt + 1] ?? '', argv[diffAt + 2] ?? '');
  } else if (!lake) {
    throw new Error(
      'usage: sessions-full --lake L [--events-per-pass N] [--runs N] [--profile] [--compare OTHER/dist/bench/sessions-full.js] [--export DIR] | --diff A B',
    );
  } else if (argv.includes('--child')) {
    await child(lake, perPass, profile, flag('export-file'));
  } else {
    const runs = Number(flag('runs') ?? 1);
    const exportDir = flag('export');
    if (exportDir) mkdirSync(exportDir, { recursive: true });
    const compare = flag('compare');
    const contenders: [string, string][] = [['this', fileURLToPath(import.meta.url)]];
    if (compare) contenders.push(['compared', resolve(compare)]);
    const stamped = runStamp();
    const results: Run[] = [];
    for (let r = 0; r < runs; r++) {
      // Alternated, and the other way round every other run, so that neither always goes first.
      const order = r % 2 === 0 ? contenders : [...contenders].reverse();
      for (const [name, script] of order) {
        const args = [script, '--child', '--lake', lake, '--events-per-pass', String(perPass)];
        if (profile) args.push('--profile');
        if (exportDir) args.push('--export-file', join(exportDir, `${name}-${r}.parquet`));
        const out = spawnSync(process.execPath, args, { encoding: 'utf8', maxBuffer: 64 * 2 ** 20 });
        if (out.status !== 0) throw new Error(`${name} run failed (exit ${out.status}): ${out.stderr}`);
        const line = out.stdout.trim().split('\n').pop() ?? '';
        const run: Run = { contender: name, ...runSchema.parse(JSON.parse(line)) };
        results.push(run);
        console.error(
          `${name}: ${run.sessions} sessions, ${run.files} files, CPU ${run.cpuSeconds} s, wall ${run.wallSeconds} s, peak ${run.peakRssMb} MB (load ${loadNow()})`,
        );
        for (const s of run.statements ?? [])
          console.error(`  ${s.cpu.toFixed(2)} cpu ${s.wall.toFixed(2)} wall  ${s.sql}`);
      }
    }
    console.log(
      JSON.stringify(
        {
          ...stamped.stamp(),
          lake,
          eventsPerPass: perPass,
          runs: results.map(({ statements: _, ...r }) => r),
        },
        null,
        2,
      ),
    );
  }
}
