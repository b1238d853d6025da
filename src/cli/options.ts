import { existsSync, statSync } from 'node:fs';
import type { Command } from 'commander';
import { InvalidArgumentError } from 'commander';
import { z } from 'zod';
import { type EngineChoice, engineEnv, readEngineConfig, resolveEngineChoice } from '../engines/index.js';
import { UserError } from '../errors/index.js';
import { type EngineFlags, parseFlags } from './flags.js';

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

/** Adds the flags that choose the engine (`--engine`, `--spark-remote`, `--lake-uri`, `--config`). */
export function addEngineOptions(command: Command): Command {
  return command
    .option(
      '--engine <engine>',
      'duckdb (default) or spark; also $SHOPLAKE_ENGINE or "engine" in <data>/shoplake.json',
    )
    .option(
      '--spark-remote <address>',
      'Spark Connect server for --engine spark, e.g. sc://127.0.0.1:15002; also $SHOPLAKE_SPARK_REMOTE',
    )
    .option(
      '--lake-uri <uri>',
      'the lake directory as Spark reads it, e.g. hdfs://namenode:8020/shoplake/lake (default: the local lake); also $SHOPLAKE_LAKE_URI',
    )
    .option('--config <file>', 'engine settings file (default: <data>/shoplake.json when it exists)');
}

/**
 * The engine to open: each setting from its flag, else the environment, else the config file, else the
 * default (DuckDB). The CLI passes the choice through to openEngine without looking into it.
 */
export function engineChoice(flags: EngineFlags, dir: string): EngineChoice {
  const { config, ...fromFlags } = flags;
  return resolveEngineChoice(fromFlags, engineEnv(process.env), readEngineConfig(dir, config));
}
