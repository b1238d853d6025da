/**
 * What the compaction process's merge of fraud_scores' small files costs (issue 13 "Speed"), the part of
 * bench/fraud-sink.ts a short serve run does not reach (a merge comes once a partition holds 16 files):
 * on a copy of the fraud benches' history lake, 15 segments of `--rows` scores each (a collector's
 * segments: NDJSON as the scoring worker writes it) are ingested as the compaction process ingests them
 * (one DuckDB thread, dedup within the partitions), then the partition's 16 files are merged as it merges
 * them (compactTable, at least 16 files). Prints the CPU of each ingest and of the merge, per row. The
 * merge code is the same in main and this build (src/lake/compact.ts), so one build is measured; what the
 * builds change is how many segments, so how many merges, a number of scores makes.
 *
 * `node dist/bench/fraud-sink-merges.js [--rows 16667,50000] [--lake DIR]`
 */
import { cpSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { DuckDbSession } from '../src/duckdb/index.js';
import { ingest } from '../src/ingest/index.js';
import { compactTable, dataLayout, TABLES } from '../src/lake/index.js';
import { fraudHistoryLake } from './fraud-history.js';

const { values: opts } = parseArgs({
  options: { rows: { type: 'string', default: '16667,50000' }, lake: { type: 'string' } },
  strict: true,
});
const SIZES = (opts.rows ?? '').split(',').map(Number);
if (SIZES.some((n) => !(n > 0))) {
  process.stderr.write('fraud-sink-merges: --rows takes positive numbers (16667,50000)\n');
  process.exit(2);
}
const MERGE_AT = 16;

const cpuMs = () => {
  const c = process.cpuUsage();
  return (c.user + c.system) / 1000;
};

/** `n` score lines as the scoring worker writes them (fraud-score-line.ts), one in twenty with reasons. */
function scoreLines(first: number, n: number): string {
  const now = Date.now();
  const at = (ms: number) => new Date(ms).toISOString().replace('T', ' ').slice(0, 19);
  const out: string[] = [];
  for (let i = first; i < first + n; i++) {
    const reasons =
      i % 20 === 0 ? ',"reasons":"shipped to EU-WEST, customer lives in US-EAST; large order: $480"' : '';
    out.push(
      `{"order_id":"SINK${i}","customer_id":"C${i % 5000}","order_date":"${at(now - 60_000 - (i % 3600) * 1000)}","scored_at":"${at(now)}","score":${(i % 10_000) / 10_000},"alert":${i % 7 === 0 ? 1 : 0}${reasons},"model":"bench-model"}`,
    );
  }
  return `${out.join('\n')}\n`;
}

async function main(): Promise<void> {
  const root = mkdtempSync(join(tmpdir(), 'shoplake-bench-fraud-sink-merges-'));
  try {
    const history = opts.lake ? resolve(opts.lake) : join(root, 'history');
    if (!opts.lake) await fraudHistoryLake(history);
    console.log(
      `fraud_scores: 15 segments ingested, then 16 files merged; load ${loadavg()
        .map((l) => l.toFixed(2))
        .join(' ')}`,
    );
    for (const rows of SIZES) {
      const dir = join(root, `lake-${rows}`);
      cpSync(history, dir, { recursive: true });
      const db = await DuckDbSession.open({ threads: 1, memoryLimit: '1GB' });
      try {
        let ingestMs = 0;
        for (let s = 0; s < MERGE_AT - 1; s++) {
          const input = join(root, `segment-${rows}-${s}.ndjson`);
          writeFileSync(input, scoreLines(s * rows, rows));
          const c0 = cpuMs();
          await ingest({
            session: db,
            dataDir: dir,
            table: TABLES.fraud_scores,
            input,
            threads: 1,
            memoryLimit: '1GB',
            dedupScope: 'partitions',
            kind: 'collector',
          });
          ingestMs += cpuMs() - c0;
          rmSync(input);
        }
        const c0 = cpuMs();
        const merged = await compactTable(db, dataLayout(dir), TABLES.fraud_scores, { minFiles: MERGE_AT });
        const mergeMs = cpuMs() - c0;
        const scores = (MERGE_AT - 1) * rows;
        console.log(
          `${rows} scores a segment: ingest ${(ingestMs / (MERGE_AT - 1)).toFixed(1)} ms a segment, ${((ingestMs * 1000) / scores).toFixed(2)} µs a score; ` +
            `merge of ${merged.filesBefore} files (${merged.partitionsMerged} partition) ${mergeMs.toFixed(0)} ms, ${((mergeMs * 1000) / scores).toFixed(2)} µs a score merged (the history file's 20,000 rewritten too)`,
        );
      } finally {
        db.close();
      }
    }
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
}

await main();
