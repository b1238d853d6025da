/**
 * Lake build throughput: `shoplake build-lake` (validate, dedup, partitioned Parquet) per table, side by
 * side with the floor a bare DuckDB conversion sets (read the same CSV, write one Parquet file, no checks).
 * Usage: node dist/bench/lake.js --data DIR   (a data dir with raw/ from `shoplake generate`)
 */
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { DuckDbSession, defaultMemoryLimit, sqlString } from '../src/duckdb/index.js';
import { buildLake } from '../src/ingest/index.js';
import { dataLayout } from '../src/lake/index.js';

const { values } = parseArgs({ options: { data: { type: 'string' } } });
if (!values.data) throw new Error('pass --data DIR (a directory with raw/ from shoplake generate)');
const layout = dataLayout(values.data);
rmSync(layout.lake, { recursive: true, force: true });

const reports = await buildLake(values.data);
const peakMb = process.resourceUsage().maxRSS / 1024;

const db = await DuckDbSession.open({ memoryLimit: defaultMemoryLimit() });
const scratch = join(layout.root, 'bench-bare.parquet');
console.log(`lake build of ${layout.root} (peak RSS of the build ${Math.round(peakMb)} MB)`);
console.log(
  'table         rows        shoplake (s)  rows/s       bare DuckDB (s)  rows/s       speed vs bare',
);
try {
  for (const r of reports) {
    const csv = join(layout.raw, r.table, `${r.table === 'experiments' ? 'assignments' : r.table}.csv`);
    const t0 = performance.now();
    await db.run(
      `COPY (SELECT * FROM read_csv(${sqlString(csv)})) TO ${sqlString(scratch)} (FORMAT parquet)`,
    );
    const bare = (performance.now() - t0) / 1000;
    const f = (n: number) => Math.round(n).toLocaleString('en-US');
    console.log(
      [
        r.table.padEnd(12),
        f(r.read).padStart(11),
        r.seconds.toFixed(2).padStart(13),
        f(r.read / r.seconds).padStart(12),
        bare.toFixed(2).padStart(16),
        f(r.read / bare).padStart(12),
        `${(bare / r.seconds).toFixed(2)}×`.padStart(14),
      ].join(' '),
    );
  }
} finally {
  db.close();
  rmSync(scratch, { force: true });
}
