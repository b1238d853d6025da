import { Command, CommanderError } from 'commander';
import { errorMessage, isUserError } from '../errors/index.js';

type Register = (program: Command) => void;

// Commands are loaded on demand: `shoplake query` should not pay for loading the collector's HTTP stack.
const COMMANDS: Record<string, () => Promise<Register>> = {
  generate: async () => (await import('./commands/generate.js')).registerGenerate,
  'build-lake': async () => (await import('./commands/build-lake.js')).registerBuildLake,
  ingest: async () => (await import('./commands/ingest.js')).registerIngest,
  query: async () => (await import('./commands/query.js')).registerQuery,
  sql: async () => (await import('./commands/sql.js')).registerSql,
  demo: async () => (await import('./commands/demo.js')).registerDemo,
  serve: async () => (await import('./commands/serve.js')).registerServe,
  replay: async () => (await import('./commands/replay.js')).registerReplay,
  compact: async () => (await import('./commands/compact.js')).registerCompact,
  tables: async () => (await import('./commands/tables.js')).registerTables,
  batches: async () => (await import('./commands/batches.js')).registerBatches,
  rollback: async () => (await import('./commands/rollback.js')).registerRollback,
};

/** The command named on the command line, skipping the global --data option. */
function commandName(argv: string[]): string | undefined {
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] ?? '';
    if (arg === '--data') i++;
    else if (!arg.startsWith('-')) return arg;
  }
  return undefined;
}

/** Exit code for anything the user can fix (bad flag, missing data, unknown analysis, bad file). */
export const USAGE_EXIT = 2;

async function buildProgram(argv: string[]): Promise<Command> {
  const program = new Command('shoplake')
    .description('E-commerce analytics on a Parquet lake')
    .option('--data <dir>', 'data directory (default $SHOPLAKE_DATA or ./data)')
    .showSuggestionAfterError(true)
    .exitOverride()
    .configureOutput({ writeErr: () => {} });
  const name = commandName(argv);
  // Help and unknown commands need every command (to list them, or to suggest the closest one).
  const wanted = name && name in COMMANDS ? [name] : Object.keys(COMMANDS);
  for (const command of wanted) (await COMMANDS[command]?.())?.(program);
  for (const cmd of program.commands) cmd.exitOverride().configureOutput({ writeErr: () => {} });
  return program;
}

/** Runs the CLI; user mistakes become one line on stderr and exit code 2, never a stack trace. */
export async function main(argv: string[]): Promise<number> {
  // `shoplake … | head` closes the pipe early: that is the reader's choice, not an error to report.
  process.stdout.on('error', (err: NodeJS.ErrnoException) => {
    if (err.code === 'EPIPE') process.exit(0);
    throw err;
  });
  try {
    await (await buildProgram(argv)).parseAsync(argv, { from: 'user' });
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
