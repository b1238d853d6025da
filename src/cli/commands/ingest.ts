import type { Command } from 'commander';
import { z } from 'zod';
import { type IngestReport, ingest, loadMapping } from '../../ingest/index.js';
import { tableSpec } from '../../lake/index.js';
import { formatFlag, parseFlags } from '../flags.js';
import { dataDir } from '../options.js';
import { formatOption, printRows } from '../output.js';

const ingestFlags = z.object({ table: z.string(), map: z.string().optional(), format: formatFlag });

import { phaseProgress } from '../progress.js';

/** One line per ingest run, as the CLI and the demo print it. */
export function describeReport(r: IngestReport): string {
  return (
    `${r.table}: read ${r.read}, loaded ${r.loaded}, duplicate ${r.duplicate}, quarantined ${r.quarantined}` +
    (r.skipped > 0 ? `, skipped ${r.skipped}` : '') +
    (r.quarantineFile ? ` (reasons in ${r.quarantineFile})` : '') +
    r.notes.map((n) => `\n  ${n}`).join('')
  );
}

export function registerIngest(program: Command): void {
  program
    .command('ingest')
    .description('validate CSV, NDJSON or Parquet files and load them into a lake table')
    .argument('<path>', 'a file or a directory of files')
    .requiredOption('--table <table>', 'orders, customers, clickstream, products or experiments')
    .option('--map <file>', 'JSON or YAML file mapping lake columns to source columns (docs/MAPPING.md)')
    .addOption(formatOption())
    .action(async (path: string, raw: unknown, cmd: Command) => {
      const opts = parseFlags(ingestFlags, raw);
      const format = opts.format;
      const progress = phaseProgress(`ingest ${opts.table}`);
      const report = await ingest({
        dataDir: dataDir(cmd),
        table: tableSpec(opts.table),
        input: path,
        ...(opts.map ? { mapping: loadMapping(opts.map) } : {}),
        onProgress: (phase, percent) => progress.update(phase, percent),
      }).finally(() => progress.stop());
      if (format !== 'table') printRows([{ ...report }], format);
      else process.stdout.write(`${describeReport(report)}\n`);
    });
}
