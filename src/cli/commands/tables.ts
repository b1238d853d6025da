import type { Command } from 'commander';
import { sqlIdent } from '../../duckdb/index.js';
import { DuckDbEngine } from '../../engines/index.js';
import {
  dataLayout,
  filesByPartition,
  TABLE_NAMES,
  TABLES,
  tableBytes,
  tableFiles,
} from '../../lake/index.js';
import { dataDir } from '../options.js';
import { type Format, formatOption, printRows } from '../output.js';

/** `shoplake tables`: what the lake holds — rows, files, bytes, partitions and time range per table. */
export function registerTables(program: Command): void {
  program
    .command('tables')
    .description('list the lake tables with rows, files, size and the time range they cover')
    .addOption(formatOption())
    .action(async (opts, cmd: Command) => {
      const dir = dataDir(cmd);
      const layout = dataLayout(dir);
      const engine = await DuckDbEngine.open(dir);
      try {
        const rows = [];
        for (const name of TABLE_NAMES) {
          const files = tableFiles(layout, TABLES[name]);
          const time = TABLES[name].time;
          const range = time
            ? `, CAST(min(${sqlIdent(time)}) AS VARCHAR) AS first, CAST(max(${sqlIdent(time)}) AS VARCHAR) AS last`
            : '';
          const [stats] = await engine.query(`SELECT count(*) AS rows${range} FROM ${sqlIdent(name)}`);
          rows.push({
            table: name,
            rows: Number(stats?.rows ?? 0),
            files: files.length,
            partitions: filesByPartition(files).size,
            megabytes: Math.round(tableBytes(layout, TABLES[name]) / 1e4) / 100,
            first: (stats?.first as string | undefined) ?? null,
            last: (stats?.last as string | undefined) ?? null,
          });
        }
        printRows(rows, opts.format as Format);
      } finally {
        await engine.close();
      }
    });
}
