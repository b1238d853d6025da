import { Command, CommanderError } from 'commander';
import { errorMessage, isUserError } from '../errors/index.js';
import { registerBuildLake } from './commands/build-lake.js';
import { registerDemo } from './commands/demo.js';
import { registerGenerate } from './commands/generate.js';
import { registerIngest } from './commands/ingest.js';
import { registerQuery } from './commands/query.js';
import { registerReplay } from './commands/replay.js';
import { registerServe } from './commands/serve.js';
import { registerSql } from './commands/sql.js';

/** Exit code for anything the user can fix (bad flag, missing data, unknown analysis, bad file). */
export const USAGE_EXIT = 2;

function buildProgram(): Command {
  const program = new Command('shoplake')
    .description('E-commerce analytics on a Parquet lake')
    .option('--data <dir>', 'data directory (default $SHOPLAKE_DATA or ./data)')
    .showSuggestionAfterError(true)
    .exitOverride()
    .configureOutput({ writeErr: () => {} });
  for (const register of [
    registerGenerate,
    registerBuildLake,
    registerIngest,
    registerQuery,
    registerSql,
    registerDemo,
    registerServe,
    registerReplay,
  ]) {
    register(program);
  }
  for (const cmd of program.commands) cmd.exitOverride().configureOutput({ writeErr: () => {} });
  return program;
}

/** Runs the CLI; user mistakes become one line on stderr and exit code 2, never a stack trace. */
export async function main(argv: string[]): Promise<number> {
  try {
    await buildProgram().parseAsync(argv, { from: 'user' });
    return 0;
  } catch (err) {
    if (err instanceof CommanderError) {
      if (err.exitCode === 0 || err.code === 'commander.helpDisplayed' || err.code === 'commander.version')
        return 0;
      process.stderr.write(`shoplake: ${err.message.replace(/^error: /, '')} (see shoplake --help)\n`);
      return USAGE_EXIT;
    }
    if (isUserError(err)) {
      process.stderr.write(`shoplake: ${err.message}\n`);
      return USAGE_EXIT;
    }
    process.stderr.write(`shoplake: internal error: ${errorMessage(err)}\n`);
    if (process.env.SHOPLAKE_DEBUG) console.error(err);
    return 1;
  }
}
