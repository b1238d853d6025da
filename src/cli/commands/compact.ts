import { existsSync } from 'node:fs';
import type { Command } from 'commander';
import { z } from 'zod';
import { DuckDbSession, defaultMemoryLimit } from '../../duckdb/index.js';
import { UserError } from '../../errors/index.js';
import { compactTable, dataLayout, TABLE_NAMES, TABLES, tableSpec } from '../../lake/index.js';
import { formatFlag, parseFlags, positiveIntFlag } from '../flags.js';
import { dataDir } from '../options.js';
import { formatOption, printRows } from '../output.js';

const compactFlags = z.object({
  table: z.string().optional(),
  minFiles: positiveIntFlag,
  format: formatFlag,
});

/** `shoplake compact`: merge the many small files a running collector leaves into one per partition. */
export function registerCompact(program: Command): void {
  program
    .command('compact')
    .description(
      'merge small Parquet files per partition (readers keep working; old files retire after 10 min)',
    )
    .option('--table <table>', 'only this table')
    .option('--min-files <n>', 'merge a partition once it has this many files', '8')
    .addOption(formatOption())
    .action(async (raw: unknown, cmd: Command) => {
      const opts = parseFlags(compactFlags, raw);
      const layout = dataLayout(dataDir(cmd));
      if (!existsSync(layout.lake))
        throw new UserError(`no lake in ${layout.root}: run 'shoplake build-lake' or pass --data DIR`);
      const specs = opts.table ? [tableSpec(opts.table)] : TABLE_NAMES.map((t) => TABLES[t]);
      const db = await DuckDbSession.open({ memoryLimit: defaultMemoryLimit() });
      try {
        const reports = [];
        for (const spec of specs)
          reports.push(await compactTable(db, layout, spec, { minFiles: opts.minFiles }));
        printRows(
          reports.map((r) => ({ ...r })),
          opts.format,
        );
      } finally {
        db.close();
      }
    });
}
