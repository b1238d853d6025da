import type { Command } from 'commander';
import { z } from 'zod';
import { DuckDbSession } from '../../duckdb/index.js';
import { UserError } from '../../errors/index.js';
import { tableSpec } from '../../lake/index.js';
import { appendAudit, applyRetention, eraseCustomer } from '../../security/index.js';
import { formatFlag, parseFlags, positiveIntFlag } from '../flags.js';
import { dataDir } from '../options.js';
import { formatOption, printRows, status } from '../output.js';
import { principalOf } from '../principal.js';

const eraseFlags = z.object({
  customer: z.string().optional(),
  purge: z.boolean().optional(),
  retainDays: positiveIntFlag.optional(),
  table: z.string().optional(),
  format: formatFlag,
});

/** `shoplake erase`: a person's rows out of every table and report, or old partitions out of a table. */
export function registerErase(program: Command): void {
  program
    .command('erase')
    .description("remove a customer's rows from every table and report, or drop old partitions (admin)")
    .option('--customer <id>', 'the customer id whose rows to remove')
    .option('--purge', 'delete the replaced files at once (a query reading them right now fails)')
    .option('--retain-days <n>', 'instead: drop the partitions of --table older than n days')
    .option('--table <table>', 'the table for --retain-days')
    .addOption(formatOption())
    .action(async (raw: unknown, cmd: Command) => {
      const opts = parseFlags(eraseFlags, raw);
      const dir = dataDir(cmd);
      const principal = principalOf(cmd);
      if (opts.retainDays !== undefined) {
        if (!opts.table || opts.customer)
          throw new UserError('--retain-days needs --table TABLE (and no --customer)');
        const report = await applyRetention(dir, tableSpec(opts.table).name, opts.retainDays);
        await appendAudit(dir, principal, 'retention', { ...report });
        printRows([{ ...report, partitions: report.partitions.join(' ') }], opts.format);
        return;
      }
      if (!opts.customer) throw new UserError('give --customer ID (or --retain-days N --table TABLE)');
      const db = await DuckDbSession.open();
      try {
        const report = await eraseCustomer(db, dir, opts.customer, { purge: opts.purge === true });
        // Nothing was changed: a mistyped id must not read as a done erasure.
        if (report.nearMatches.length > 0) {
          throw new UserError(
            `no row or report holds customer '${opts.customer}' (ids match exactly): the lake has ${report.nearMatches.map((m) => `'${m}'`).join(', ')}; run erase --customer with that id`,
          );
        }
        await appendAudit(dir, principal, 'erase', {
          customer: report.customer,
          tables: report.tables,
          reports: report.reports,
          purged: report.purged,
          walPending: report.walPending,
        });
        const rows = Object.entries(report.tables).map(([table, t]) => ({ place: table, ...t }));
        for (const r of report.reports)
          rows.push({ place: r.file, rows: r.lines, filesRewritten: 1, filesRetired: 0 });
        printRows(rows, opts.format, { columns: ['place', 'rows', 'filesRewritten', 'filesRetired'] });
        if (report.walUnread.length > 0)
          status(
            `erase: WAL segment(s) ${report.walUnread.join(', ')} could not be read now (being written): run erase again after the collector's next compaction`,
          );
        if (report.walPending > 0)
          status(
            `erase: ${report.walPending} record(s) of customer '${opts.customer}' are still in the collector's WAL (acknowledged, not yet in the lake): run erase again after its next compaction (or after stopping serve)`,
          );
        if (rows.every((r) => r.rows === 0))
          status(`erase: no row or report holds customer '${opts.customer}'; nothing was removed`);
      } finally {
        db.close();
      }
    });
}
