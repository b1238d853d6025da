import type { Command } from 'commander';
import { assertAllowed, type Permission, type Principal, principalFromKey } from '../security/index.js';
import { dataDir } from './options.js';

/**
 * What each command needs when it runs with a key (`--key`, SHOPLAKE_KEY). A command not listed needs
 * admin, so a command added later is closed to lesser keys until someone decides otherwise; `none`
 * marks clients of a server (replay sends its own write key).
 */
const NEEDS: Record<string, Permission | 'none'> = {
  query: 'read',
  tables: 'read',
  batches: 'read',
  sql: 'sql',
  ingest: 'ingest',
  replay: 'none',
};

const principals = new WeakMap<Command, Principal>();

/** `keys create` for a subcommand, `query` for a command. */
function commandPath(cmd: Command): string {
  const names: string[] = [];
  for (let c: Command | null = cmd; c?.parent; c = c.parent) names.unshift(c.name());
  return names.join(' ');
}

/** Adds `--key` to every command that does not have an option of that name already (replay has). */
export function addKeyOption(program: Command): void {
  const leaves = (cmd: Command): Command[] =>
    cmd.commands.length === 0 ? [cmd] : cmd.commands.flatMap((c) => leaves(c));
  for (const cmd of program.commands.flatMap(leaves)) {
    if (cmd.options.some((o) => o.long === '--key')) continue;
    cmd.option(
      '--key <key>',
      "act as this key's role, with its masking and refusals (also $SHOPLAKE_KEY; default: admin)",
    );
  }
  program.hook('preAction', async (_program, action) => {
    const needs = NEEDS[commandPath(action)] ?? 'admin';
    if (needs === 'none') return;
    const dir = dataDir(action);
    const flag: unknown = action.opts().key;
    const key = typeof flag === 'string' ? flag : process.env.SHOPLAKE_KEY;
    const principal = await principalFromKey(dir, key);
    await assertAllowed(dir, principal, needs, commandPath(action));
    principals.set(action, principal);
  });
}

/** Who the running command acts as (the local owner, admin, unless a key was given). */
export function principalOf(cmd: Command): Principal {
  const principal = principals.get(cmd);
  if (!principal) throw new Error(`no principal resolved for command ${cmd.name()}`);
  return principal;
}
