import { Command, CommanderError } from 'commander';
import { describeFailure, fileSystemUserError, isUserError, type UserError } from '../errors/index.js';
import { addEncryptionKeyOption } from './encryption.js';
import { addKeyOption } from './principal.js';

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
  doctor: async () => (await import('./commands/doctor.js')).registerDoctor,
  monitoring: async () => (await import('./commands/monitoring.js')).registerMonitoring,
  keys: async () => (await import('./commands/keys.js')).registerKeys,
  audit: async () => (await import('./commands/audit.js')).registerAudit,
  erase: async () => (await import('./commands/erase.js')).registerErase,
  dashboard: async () => (await import('./commands/dashboard.js')).registerDashboard,
  report: async () => (await import('./commands/report.js')).registerReport,
  fraud: async () => (await import('./commands/fraud.js')).registerFraud,
  'encryption-key': async () => (await import('./commands/encryption-key.js')).registerEncryptionKey,
};

/** The command named on the command line, skipping the global options. */
function commandName(argv: string[]): string | undefined {
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] ?? '';
    if (arg === '--data' || arg === '--encryption-key-file') i++;
    else if (!arg.startsWith('-')) return arg;
  }
  return undefined;
}

/** Exit code for anything the user can fix (bad flag, missing data, unknown analysis, bad file). */
export const USAGE_EXIT = 2;
/** Exit code after Ctrl-C, as shells report a process ended by SIGINT. */
export const INTERRUPTED_EXIT = 130;

async function buildProgram(argv: string[]): Promise<Command> {
  const program = new Command('shoplake')
    .description('E-commerce analytics on a Parquet lake')
    .option('--data <dir>', 'data directory (default $SHOPLAKE_DATA or ./data)')
    .option('--debug', 'print the stack and causes of an internal error (also SHOPLAKE_DEBUG=1)')
    .showSuggestionAfterError(true)
    .exitOverride()
    .configureOutput({ writeErr: () => {} });
  const name = commandName(argv);
  // Help and unknown commands need every command (to list them, or to suggest the closest one).
  const wanted = name && name in COMMANDS ? [name] : Object.keys(COMMANDS);
  for (const command of wanted) (await COMMANDS[command]?.())?.(program);
  for (const cmd of program.commands) cmd.exitOverride().configureOutput({ writeErr: () => {} });
  addKeyOption(program);
  addEncryptionKeyOption(program);
  return program;
}

function userFailure(err: UserError): number {
  process.stderr.write(`shoplake: ${err.message}\n`);
  return err.code === 'interrupted' ? INTERRUPTED_EXIT : USAGE_EXIT;
}

/**
 * Runs the CLI. A user mistake is one line on stderr and exit 2; an internal failure is one line (with
 * its cause) and exit 1, its stack only with --debug or SHOPLAKE_DEBUG.
 */
export async function main(argv: string[]): Promise<number> {
  // `shoplake … | head` closes the pipe early: that is the reader's choice, not an error to report.
  process.stdout.on('error', (err: NodeJS.ErrnoException) => {
    if (err.code === 'EPIPE') process.exit(0);
    throw err;
  });
  const debug = argv.includes('--debug') || Boolean(process.env.SHOPLAKE_DEBUG);
  try {
    await (await buildProgram(argv)).parseAsync(argv, { from: 'user' });
    // A command that ran but has a finding to report (doctor: damage) sets the exit code itself.
    const code = process.exitCode;
    process.exitCode = undefined;
    return typeof code === 'number' ? code : 0;
  } catch (err) {
    if (err instanceof CommanderError) {
      if (err.exitCode === 0 || err.code === 'commander.helpDisplayed' || err.code === 'commander.version')
        return 0;
      process.stderr.write(`shoplake: ${err.message.replace(/^error: /, '')} (see shoplake --help)\n`);
      return USAGE_EXIT;
    }
    if (isUserError(err)) return userFailure(err);
    const fileSystem = fileSystemUserError(err);
    if (fileSystem) return userFailure(fileSystem);
    process.stderr.write(
      `shoplake: internal error: ${describeFailure(err)}${debug ? '' : ' (run with --debug for details)'}\n`,
    );
    if (debug) console.error(err);
    return 1;
  }
}
