import { existsSync, statSync } from 'node:fs';
import type { Command } from 'commander';
import { InvalidArgumentError } from 'commander';
import { z } from 'zod';
import { UserError } from '../errors/index.js';
import { parseFlags } from './flags.js';

const globalFlags = z.object({ data: z.string().min(1, 'expected a directory').optional() });

/** The data directory: --data, else SHOPLAKE_DATA, else ./data; never a file. */
export function dataDir(command: Command): string {
  const { data } = parseFlags(globalFlags, { data: command.optsWithGlobals().data });
  const dir = data ?? process.env.SHOPLAKE_DATA ?? 'data';
  if (existsSync(dir) && !statSync(dir).isDirectory()) {
    throw new UserError(
      `--data ${dir} is a file, not a data directory: pass the directory 'generate' wrote`,
      {
        code: 'no_data',
      },
    );
  }
  return dir;
}

/**
 * Turns `--from 2026-01-01 --min-support=0.1` style arguments into { from, minSupport }: analyses declare
 * their own parameters, so the CLI cannot know them in advance.
 */
export function paramArgs(args: string[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (let i = 0; i < args.length; i++) {
    const arg = args[i] ?? '';
    if (!arg.startsWith('--'))
      throw new InvalidArgumentError(`unexpected argument '${arg}': parameters look like --name value`);
    const eq = arg.indexOf('=');
    const key = (eq > 0 ? arg.slice(2, eq) : arg.slice(2)).replace(/-([a-z])/g, (_, c: string) =>
      c.toUpperCase(),
    );
    let value: string | undefined = eq > 0 ? arg.slice(eq + 1) : args[i + 1];
    if (eq < 0) i++;
    if (value === undefined || (eq < 0 && value.startsWith('--')))
      throw new InvalidArgumentError(`parameter ${arg} needs a value`);
    value = value ?? '';
    out[key] = value;
  }
  return out;
}
