import { existsSync } from 'node:fs';
import type { Command } from 'commander';
import { z } from 'zod';
import { UserError } from '../../errors/index.js';
import { dataLayout, TABLE_NAMES, tableBatches, tableSpec } from '../../lake/index.js';
import { formatFlag, parseFlags } from '../flags.js';
import { dataDir } from '../options.js';
import { formatOption, printRows } from '../output.js';

const batchesFlags = z.object({ table: z.string().optional(), format: formatFlag });

/** `shoplake batches`: every ingest, lake build and collector compaction, with its counts and state. */
export function registerBatches(program: Command): void {
  program
    .command('batches')
    .description('list the batches loaded into the lake (source, mapping, time, counts, state)')
    .option('--table <table>', 'only this table')
    .addOption(formatOption())
    .action((raw: unknown, cmd: Command) => {
      const opts = parseFlags(batchesFlags, raw);
      const layout = dataLayout(dataDir(cmd));
      // A mistyped --data listed '(no rows)' and exit 0, as if the lake had never been loaded.
      if (!existsSync(layout.root)) {
        throw new UserError(
          `data directory ${layout.root} does not exist: run 'shoplake generate' or pass --data DIR`,
        );
      }
      const tables = opts.table ? [tableSpec(opts.table).name] : TABLE_NAMES;
      const rows = tables
        .flatMap((t) => tableBatches(layout, t))
        .sort((a, b) => a.id.localeCompare(b.id))
        .map((b) => ({
          batch: b.id,
          table: b.table,
          kind: b.kind,
          at: b.at,
          source: b.source,
          mapping: b.mapping,
          read: b.read,
          loaded: b.loaded,
          duplicate: b.duplicate,
          quarantined: b.quarantined,
          state: b.replacedBy ? `replaced by ${b.replacedBy}` : b.state,
        }));
      printRows(rows, opts.format, {
        columns: [
          'batch',
          'table',
          'kind',
          'at',
          'source',
          'mapping',
          'read',
          'loaded',
          'duplicate',
          'quarantined',
          'state',
        ],
      });
    });
}
