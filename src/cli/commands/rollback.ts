import type { Command } from 'commander';
import { z } from 'zod';
import { DuckDbSession, defaultMemoryLimit } from '../../duckdb/index.js';
import { dataLayout, rollbackBatch } from '../../lake/index.js';
import { formatFlag, parseFlags } from '../flags.js';
import { dataDir } from '../options.js';
import { formatOption, printRows } from '../output.js';

const rollbackFlags = z.object({ format: formatFlag });

/** `shoplake rollback BATCH`: takes one batch's rows out of the lake in one atomic commit. */
export function registerRollback(program: Command): void {
  program
    .command('rollback')
    .description('remove every row a batch loaded, atomically (readers keep working)')
    .argument('<batch>', "a batch id from 'shoplake batches'")
    .addOption(formatOption())
    .action(async (batch: string, raw: unknown, cmd: Command) => {
      const opts = parseFlags(rollbackFlags, raw);
      const db = await DuckDbSession.open({ memoryLimit: defaultMemoryLimit() });
      try {
        const report = await rollbackBatch(db, dataLayout(dataDir(cmd)), batch);
        const { format } = opts;
        if (format === 'table') {
          process.stdout.write(
            `rolled back ${report.batch} (${report.table}, ${report.source}): removed ${report.rows} rows; ` +
              `${report.filesRetired} files retired, ${report.filesRewritten} rewritten\n`,
          );
        } else printRows([{ ...report }], format);
      } finally {
        db.close();
      }
    });
}
