import type { Command } from 'commander';
import { InvalidArgumentError } from 'commander';

/** Parses a positive integer flag value, e.g. --orders 50000 or --orders 1e7. */
export function positiveInt(value: string): number {
  const n = Number(value.replaceAll('_', ''));
  if (!Number.isInteger(n) || n <= 0) throw new InvalidArgumentError('expected a positive whole number');
  return n;
}

/** Parses a non-negative integer. */
export function wholeNumber(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0) throw new InvalidArgumentError('expected a whole number ≥ 0');
  return n;
}

/** The data directory: --data, else SHOPLAKE_DATA, else ./data. */
export function dataDir(command: Command): string {
  const opts = command.optsWithGlobals() as { data?: string };
  return opts.data ?? process.env.SHOPLAKE_DATA ?? 'data';
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
