import { existsSync } from 'node:fs';
import type { Command } from 'commander';
import { sqlIdent } from '../../duckdb/index.js';
import { openEngine, type TableStatus } from '../../engines/index.js';
import { type DataLayout, dataLayout, filesByPartition, TABLES, tableBytes } from '../../lake/index.js';
import { engineFlags, formatFlag, parseFlags } from '../flags.js';
import { addEngineOptions, dataDir, engineChoice } from '../options.js';
import { formatOption, printRows } from '../output.js';

/**
 * Size on disk of a loaded table, or null when its files are not here (Spark reading the lake from
 * HDFS or S3, with only the manifests on this machine): the manifest lists files, not their sizes.
 */
function megabytes(layout: DataLayout, status: TableStatus): number | null {
  if (status.state !== 'loaded') return 0;
  if (!status.files.every((f) => existsSync(f))) return null;
  return Math.round(tableBytes(layout, TABLES[status.table]) / 1e4) / 100;
}

/** `shoplake tables`: what the lake holds — state, rows, files, bytes, partitions and time range per table. */
export function registerTables(program: Command): void {
  const command = program
    .command('tables')
    .description('list the lake tables with state, rows, files, size and the time range they cover')
    .addOption(formatOption());
  addEngineOptions(command).action(async (raw: unknown, cmd: Command) => {
    const { format, ...engineSettings } = parseFlags(engineFlags.extend({ format: formatFlag }), raw);
    const dir = dataDir(cmd);
    const layout = dataLayout(dir);
    const engine = await openEngine({ dataDir: dir, ...engineChoice(engineSettings, dir) });
    try {
      const rows = [];
      for (const status of await engine.tables()) {
        const name = status.table;
        const time = TABLES[name].time;
        const range = time
          ? `, CAST(min(${sqlIdent(time)}) AS STRING) AS first, CAST(max(${sqlIdent(time)}) AS STRING) AS last`
          : '';
        // A table that is not loaded or is damaged is listed with its state; the others are counted.
        const [stats] =
          status.state === 'loaded'
            ? await engine.query(`SELECT count(*) AS rows${range} FROM ${sqlIdent(name)}`)
            : [];
        rows.push({
          table: name,
          state: status.problem ? `${status.state}: ${status.problem}` : status.state,
          rows: Number(stats?.rows ?? 0),
          files: status.files.length,
          partitions: filesByPartition(status.files).size,
          megabytes: megabytes(layout, status),
          first: typeof stats?.first === 'string' ? stats.first : null,
          last: typeof stats?.last === 'string' ? stats.last : null,
        });
      }
      printRows(rows, format);
    } finally {
      await engine.close();
    }
  });
}
