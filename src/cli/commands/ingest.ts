import type { Command } from 'commander';
import { z } from 'zod';
import { type IngestReport, ingest, loadMapping, parseRejectLimit } from '../../ingest/index.js';
import { tableSpec } from '../../lake/index.js';
import { formatFlag, parseFlags } from '../flags.js';
import { dataDir } from '../options.js';
import { formatOption, printRows } from '../output.js';
import { scoreAfterLoad } from './fraud.js';

const ingestFlags = z.object({
  table: z.string(),
  map: z.string().optional(),
  replace: z.boolean().optional(),
  maxRejects: z.string(),
  format: formatFlag,
});

import { phaseProgress } from '../progress.js';

/** One line per ingest run, as the CLI and the demo print it. */
export function describeReport(r: IngestReport): string {
  if (r.unchanged) return `${r.table}: unchanged since batch ${r.batch}, not read again`;
  return (
    `${r.table}: read ${r.read}, loaded ${r.loaded}, duplicate ${r.duplicate}, quarantined ${r.quarantined}` +
    (r.skipped > 0 ? `, skipped ${r.skipped}` : '') +
    ` (batch ${r.batch})` +
    (r.replaced.length > 0 ? `, replaced ${r.replaced.join(', ')}` : '') +
    (r.quarantineFile ? `; reasons in ${r.quarantineFile}` : '') +
    (r.duplicatesFile ? `; duplicates in ${r.duplicatesFile}` : '') +
    r.notes.map((n) => `\n  ${n}`).join('')
  );
}

export function registerIngest(program: Command): void {
  program
    .command('ingest')
    .description('validate CSV, NDJSON or Parquet files and load them into a lake table as one batch')
    .argument('<path>', 'a file or a directory of files')
    .requiredOption('--table <table>', 'orders, customers, clickstream, products or experiments')
    .option('--map <file>', 'JSON or YAML file mapping lake columns to source columns (docs/MAPPING.md)')
    .option('--replace', 'take out what earlier ingests of the same source loaded, in the same commit')
    .option(
      '--max-rejects <limit>',
      'load nothing when more rows than this are quarantined: a share (5%) or a count (100)',
      '5%',
    )
    .addOption(formatOption())
    .action(async (path: string, raw: unknown, cmd: Command) => {
      const opts = parseFlags(ingestFlags, raw);
      const format = opts.format;
      const maxRejects = parseRejectLimit(opts.maxRejects);
      const progress = phaseProgress(`ingest ${opts.table}`);
      const report = await ingest({
        dataDir: dataDir(cmd),
        table: tableSpec(opts.table),
        input: path,
        ...(opts.map ? { mapping: loadMapping(opts.map) } : {}),
        replace: opts.replace === true,
        maxRejects,
        onProgress: (phase, percent) => progress.update(phase, percent),
      }).finally(() => progress.stop());
      await scoreAfterLoad(dataDir(cmd), [report]);
      if (format === 'table') process.stdout.write(`${describeReport(report)}\n`);
      else if (format === 'csv')
        printRows(
          [{ ...report, replaced: report.replaced.join(' '), notes: report.notes.join('; ') }],
          format,
        );
      else printRows([{ ...report }], format);
    });
}
