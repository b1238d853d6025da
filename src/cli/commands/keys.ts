import type { Command } from 'commander';
import { z } from 'zod';
import { UserError } from '../../errors/index.js';
import { appendAudit, createKey, listKeys, revokeKey, roleSchema } from '../../security/index.js';
import { formatFlag, parseFlags } from '../flags.js';
import { dataDir } from '../options.js';
import { formatOption, printRows, status } from '../output.js';
import { principalOf } from '../principal.js';

/** `--expires 30d`, `12h` or an ISO date/time; the instant the key stops working. */
const expiresFlag = z
  .string()
  .trim()
  .transform((text, ctx) => {
    const relative = /^(\d+)([dh])$/.exec(text);
    const at = relative
      ? new Date(Date.now() + Number(relative[1]) * (relative[2] === 'd' ? 86_400_000 : 3_600_000))
      : new Date(text);
    if (Number.isNaN(at.getTime())) {
      ctx.addIssue({ code: 'custom', message: 'expected 30d, 12h or a date such as 2027-01-01' });
      return z.NEVER;
    }
    return at;
  });

const createFlags = z.object({
  name: z.string(),
  role: roleSchema,
  expires: expiresFlag.optional(),
  format: formatFlag,
});

const columns = ['id', 'name', 'role', 'state', 'createdAt', 'expiresAt', 'revokedAt'];

/** `shoplake keys create|list|revoke`: API keys with a role, stored as salted hashes in <data>/keys.json. */
export function registerKeys(program: Command): void {
  const keys = program
    .command('keys')
    .description('create, list and revoke API keys (admin; docs/SECURITY.md)');
  keys
    .command('create')
    .description('create a key with a role; prints the key once (only its hash is stored)')
    .requiredOption('--name <name>', 'a name for the key (letters, digits, . _ -)')
    .requiredOption('--role <role>', 'admin, analyst, viewer, ingest or metrics')
    .option('--expires <when>', 'expiry: 30d, 12h or a date (default: never)')
    .addOption(formatOption())
    .action(async (raw: unknown, cmd: Command) => {
      const opts = parseFlags(createFlags, raw);
      const dir = dataDir(cmd);
      const created = createKey(dir, { name: opts.name, role: opts.role, expiresAt: opts.expires ?? null });
      await appendAudit(dir, principalOf(cmd), 'key.create', {
        id: created.info.id,
        name: created.info.name,
        role: created.info.role,
        expiresAt: created.info.expiresAt,
      });
      if (opts.format === 'table') {
        process.stdout.write(`${created.key}\n`);
        status(
          `key ${created.info.name} (${created.info.role}, id ${created.info.id}): store it now, it is not shown again`,
        );
      } else printRows([{ key: created.key, ...created.info }], opts.format);
    });
  keys
    .command('list')
    .description('list keys: id, name, role, state (never the keys or their hashes)')
    .addOption(formatOption())
    .action((raw: unknown, cmd: Command) => {
      const { format } = parseFlags(z.object({ format: formatFlag }), raw);
      printRows(listKeys(dataDir(cmd)), format, { columns });
    });
  keys
    .command('revoke')
    .description('revoke a key by name or id (running servers refuse it within a second)')
    .argument('<key>', 'the name or id of the key')
    .action(async (nameOrId: string, _raw: unknown, cmd: Command) => {
      const dir = dataDir(cmd);
      if (nameOrId.trim() === '') throw new UserError('name the key to revoke');
      const info = revokeKey(dir, nameOrId);
      await appendAudit(dir, principalOf(cmd), 'key.revoke', { id: info.id, name: info.name });
      status(`revoked key ${info.name} (id ${info.id})`);
    });
}
