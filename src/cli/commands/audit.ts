import type { Command } from 'commander';
import { z } from 'zod';
import { readAudit, verifyAudit } from '../../security/index.js';
import { formatFlag, parseFlags } from '../flags.js';
import { dataDir } from '../options.js';
import { formatOption, printRows } from '../output.js';

const dateFlag = z
  .string()
  .transform((t) => new Date(t))
  .refine((d) => !Number.isNaN(d.getTime()), 'expected a date such as 2026-11-25 or 2026-11-25T10:00:00Z');

const listFlags = z.object({
  action: z.string().optional(),
  actor: z.string().optional(),
  since: dateFlag.optional(),
  until: dateFlag.optional(),
  format: formatFlag,
});

/** `shoplake audit [verify]`: lists the audit log's entries, or checks its hash chain. */
export function registerAudit(program: Command): void {
  const audit = program
    .command('audit')
    .description('list the audit log (<data>/audit.log), filtered; `audit verify` checks it (admin)')
    .option('--action <action>', 'only this action (e.g. sql, key, auth.failure)')
    .option('--actor <name>', 'only entries by this key name (local: the data directory owner)')
    .option('--since <date>', 'only entries at or after this time')
    .option('--until <date>', 'only entries before this time')
    .addOption(formatOption())
    .action((raw: unknown, cmd: Command) => {
      const { format, ...filter } = parseFlags(listFlags, raw);
      const rows = readAudit(dataDir(cmd), {
        ...(filter.action ? { action: filter.action } : {}),
        ...(filter.actor ? { actor: filter.actor } : {}),
        ...(filter.since ? { since: filter.since } : {}),
        ...(filter.until ? { until: filter.until } : {}),
      }).map((e) => ({
        seq: e.seq,
        at: e.at,
        actor: e.actor.name,
        role: e.actor.role,
        action: e.action,
        detail: format === 'table' ? JSON.stringify(e.detail) : e.detail,
      }));
      printRows(rows, format, { columns: ['seq', 'at', 'actor', 'role', 'action', 'detail'] });
    });
  audit
    .command('verify')
    .description('check that no entry of the audit log was changed, inserted or removed (exit 1 if one was)')
    .addOption(formatOption())
    .action((raw: unknown, cmd: Command) => {
      const { format } = parseFlags(z.object({ format: formatFlag }), raw);
      const result = verifyAudit(dataDir(cmd));
      if (format === 'table') {
        process.stdout.write(
          result.ok
            ? `audit log intact: ${result.entries} entries\n`
            : result.problems.map((p) => `line ${p.line}: ${p.message}\n`).join(''),
        );
      } else printRows([{ ok: result.ok, entries: result.entries, problems: result.problems }], format);
      if (!result.ok) process.exitCode = 1;
    });
}
