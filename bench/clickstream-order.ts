/**
 * What sorting clickstream's day files by timestamp would cost a build and gain a time-windowed read.
 * The partitioned write does not keep order, so each day file's row groups span the whole day and a
 * read of the last hours cannot skip any of them. Over a built lake's clickstream files (read only),
 * this rewrites every file as it is and sorted by timestamp into a scratch directory (the sorted
 * rewrite's CPU against the plain one's is what sorting costs; a build would pay the sorted rewrite as a
 * pass after the write), then times `SELECT count(*) … WHERE timestamp >= X` over the original and the
 * sorted files, interleaved, for the last day and the last hour, with the row groups each must read.
 * Usage: node dist/bench/clickstream-order.js --data DIR [--rounds N] [--scratch DIR]   (DIR with a built
 * lake/, only read; the rewritten files go to --scratch, default the lake's staging directory, and are
 * deleted at the end)
 */
import { mkdirSync, rmSync } from 'node:fs';
import { cpus, loadavg, totalmem } from 'node:os';
import { basename, dirname, join } from 'node:path';
import { parseArgs } from 'node:util';
import { DuckDbSession, sqlString } from '../src/duckdb/index.js';
import { dataLayout, tableDirectory, tableSnapshot } from '../src/lake/index.js';

const cpuNow = () => {
  const u = process.resourceUsage();
  return (u.userCPUTime + u.systemCPUTime) / 1e6;
};

async function timed<T>(work: () => Promise<T>): Promise<{ result: T; seconds: number; cpu: number }> {
  const wall = performance.now();
  const cpu = cpuNow();
  const result = await work();
  return { result, seconds: (performance.now() - wall) / 1000, cpu: cpuNow() - cpu };
}

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length === 0 ? Number.NaN : (s[Math.floor((s.length - 1) / 2)] ?? Number.NaN);
};

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: { data: { type: 'string' }, rounds: { type: 'string' }, scratch: { type: 'string' } },
  });
  if (!values.data) throw new Error('pass --data DIR (a directory with a built lake/)');
  const rounds = Number(values.rounds ?? 5);
  const layout = dataLayout(values.data);
  const files = tableSnapshot(tableDirectory(layout, 'clickstream')).files;
  const scratch = join(values.scratch ?? layout.staging, `order-bench-${process.pid}`);
  const memoryLimit = process.env.SHOPLAKE_MEMORY_LIMIT ?? '3GB';
  const db = await DuckDbSession.open({ tempDirectory: join(scratch, 'tmp'), memoryLimit });
  console.log(
    `clickstream order bench on ${values.data}: ${files.length} files; ${cpus().length} cores, ` +
      `${Math.round(totalmem() / 2 ** 30)} GB; load ${loadavg()[0]?.toFixed(1)}; ${new Date().toISOString()}`,
  );
  try {
    const rewrite = async (kind: 'plain' | 'sorted') => {
      const out: string[] = [];
      const t = await timed(async () => {
        for (const [i, f] of files.entries()) {
          const target = join(scratch, kind, basename(dirname(f)), `${i}.parquet`);
          mkdirSync(dirname(target), { recursive: true });
          const order = kind === 'sorted' ? 'ORDER BY "timestamp"' : '';
          await db.run(
            `COPY (SELECT * FROM read_parquet(${sqlString(f)}, hive_partitioning = false) ${order})
             TO ${sqlString(target)} (FORMAT parquet, COMPRESSION zstd, COMPRESSION_LEVEL 1)`,
          );
          out.push(target);
        }
      });
      return { files: out, seconds: t.seconds, cpu: t.cpu };
    };
    const plain = await rewrite('plain');
    const sorted = await rewrite('sorted');
    console.log(
      `rewrite every file as it is: ${plain.seconds.toFixed(2)} s wall, ${plain.cpu.toFixed(2)} s CPU`,
    );
    console.log(
      `rewrite sorted by timestamp: ${sorted.seconds.toFixed(2)} s wall, ${sorted.cpu.toFixed(2)} s CPU`,
    );

    const list = (fs: readonly string[]) => `[${fs.map(sqlString).join(', ')}]`;
    const [last] = await db.all(
      `SELECT CAST(max("timestamp") AS VARCHAR) AS t FROM read_parquet(${list(files)}, hive_partitioning = false)`,
    );
    const latest = String(last?.t);
    for (const [label, span] of [
      ['last day', '1 DAY'],
      ['last hour', '1 HOUR'],
    ] as const) {
      const from = `TIMESTAMP ${sqlString(latest)} - INTERVAL ${span}`;
      const groups = async (fs: readonly string[]) => {
        const [row] = await db.all(
          `SELECT count(*) AS total, count(*) FILTER (WHERE CAST(stats_max_value AS TIMESTAMP) >= ${from}) AS needed
           FROM parquet_metadata(${list(fs)}) WHERE path_in_schema = 'timestamp'`,
        );
        return `${row?.needed}/${row?.total}`;
      };
      const query = (fs: readonly string[]) =>
        `SELECT count(*) AS n FROM read_parquet(${list(fs)}, hive_partitioning = false) WHERE "timestamp" >= ${from}`;
      const times: Record<'original' | 'sorted', { wall: number[]; cpu: number[]; n: unknown }> = {
        original: { wall: [], cpu: [], n: null },
        sorted: { wall: [], cpu: [], n: null },
      };
      for (let r = 0; r < rounds; r++) {
        for (const [name, fs] of [
          ['original', files],
          ['sorted', sorted.files],
        ] as const) {
          const t = await timed(() => db.all(query(fs)));
          times[name].wall.push(t.seconds * 1000);
          times[name].cpu.push(t.cpu * 1000);
          times[name].n = t.result[0]?.n;
        }
      }
      for (const name of ['original', 'sorted'] as const) {
        const fs = name === 'original' ? files : sorted.files;
        console.log(
          `${label.padEnd(9)} ${name.padEnd(8)} rows ${String(times[name].n).padStart(10)}  row groups read ${(await groups(fs)).padStart(8)}  ` +
            `median ${median(times[name].wall).toFixed(1)} ms wall, ${median(times[name].cpu).toFixed(1)} ms CPU`,
        );
      }
    }
  } finally {
    db.close();
    rmSync(scratch, { recursive: true, force: true });
  }
}

await main();
