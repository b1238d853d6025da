import type { Command } from 'commander';
import { z } from 'zod';
import { buildLake } from '../../ingest/index.js';
import { formatFlag, parseFlags } from '../flags.js';
import { dataDir } from '../options.js';
import { formatOption, printRows } from '../output.js';
import { phaseProgress } from '../progress.js';
import { scoreAfterLoad } from './fraud.js';
import { describeReport } from './ingest.js';

export function registerBuildLake(program: Command): void {
  program
    .command('build-lake')
    .description('load <data>/raw/<table>/ (from generate) into the Parquet lake; safe to re-run')
    .addOption(formatOption())
    .action(async (raw: unknown, cmd: Command) => {
      const { format } = parseFlags(z.object({ format: formatFlag }), raw);
      const reports = await buildLake(
        dataDir(cmd),
        (r) => {
          if (format === 'table') process.stdout.write(`${describeReport(r)}\n`);
        },
        { onTable: (table) => phaseProgress(`build-lake ${table}`) },
      );
      await scoreAfterLoad(dataDir(cmd), reports);
      if (format !== 'table')
        printRows(
          reports.map((r) => ({ ...r })),
          format,
        );
    });
}
