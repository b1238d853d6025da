import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { Command } from 'commander';
import { UserError } from '../../errors/index.js';
import { type IngestReport, ingest } from '../../ingest/index.js';
import { dataLayout, TABLE_NAMES, TABLES } from '../../lake/index.js';
import { dataDir } from '../options.js';
import { type Format, formatOption, printRows } from '../output.js';
import { phaseProgress } from '../progress.js';
import { describeReport } from './ingest.js';

/** Ingests every table's raw directory (what `generate` wrote) through the ordinary ingest path. */
export async function buildLake(
  dir: string,
  onReport?: (r: IngestReport) => void,
  options: { showProgress?: boolean } = {},
): Promise<IngestReport[]> {
  const layout = dataLayout(dir);
  const present = TABLE_NAMES.filter((t) => existsSync(join(layout.raw, t)));
  if (present.length === 0) {
    throw new UserError(`no raw data in ${layout.raw}: run 'shoplake generate' first or pass --data DIR`, {
      code: 'no_data',
    });
  }
  const reports: IngestReport[] = [];
  for (const table of present) {
    const progress = options.showProgress ? phaseProgress(`build-lake ${table}`) : undefined;
    const report = await ingest({
      dataDir: dir,
      table: TABLES[table],
      input: join(layout.raw, table),
      ...(progress
        ? { onProgress: (phase: string, percent: number) => progress.update(phase, percent) }
        : {}),
    }).finally(() => progress?.stop());
    onReport?.(report);
    reports.push(report);
  }
  return reports;
}

export function registerBuildLake(program: Command): void {
  program
    .command('build-lake')
    .description('load <data>/raw/<table>/ (from generate) into the Parquet lake; safe to re-run')
    .addOption(formatOption())
    .action(async (opts, cmd: Command) => {
      const format = opts.format as Format;
      const reports = await buildLake(
        dataDir(cmd),
        (r) => {
          if (format === 'table') process.stdout.write(`${describeReport(r)}\n`);
        },
        { showProgress: true },
      );
      if (format !== 'table')
        printRows(
          reports.map((r) => ({ ...r })),
          format,
        );
    });
}
