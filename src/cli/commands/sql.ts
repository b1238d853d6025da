import type { Command } from 'commander';
import { openEngine } from '../../engines/index.js';
import { appendAudit } from '../../security/index.js';
import { sqlColumns } from '../columns.js';
import { DEFAULT_TIMEOUT, durationFlag, engineFlags, formatFlag, parseFlags } from '../flags.js';
import { addEngineOptions, dataDir, engineChoice } from '../options.js';
import { formatOption, printStream } from '../output.js';
import { principalOf } from '../principal.js';
import { stopOnTimeoutOrInterrupt } from '../stop.js';
import { emptyResultReason } from './empty.js';

const sqlFlags = engineFlags.extend({ format: formatFlag, timeout: durationFlag });

/**
 * `shoplake sql`: one user-written SELECT over the lake's views, run behind the engine's guard (a
 * sandboxed engine that reads the live files only), rows written as they arrive.
 */
export function registerSql(program: Command): void {
  const command = program
    .command('sql')
    .description('read-only SQL over the views orders, customers, clickstream, products, experiments')
    .argument('<query>', 'one SELECT statement')
    .addOption(formatOption())
    .option(
      '--timeout <duration>',
      'stop the query after this long (e.g. 30s, 10m, 1h; 0: never)',
      DEFAULT_TIMEOUT,
    );
  addEngineOptions(command).action(async (query: string, raw: unknown, cmd: Command) => {
    const { format, timeout, ...engineSettings } = parseFlags(sqlFlags, raw);
    const dir = dataDir(cmd);
    const choice = engineChoice(engineSettings, dir);
    // Listening for Ctrl-C before the engine opens, so that no interrupt falls between the two.
    const principal = principalOf(cmd);
    const stop = stopOnTimeoutOrInterrupt(timeout.ms, timeout.text);
    const engine = await openEngine({ dataDir: dir, sandboxed: true, role: principal.role, ...choice }).catch(
      (err: unknown) => {
        stop.dispose();
        throw err;
      },
    );
    try {
      // Recorded once the engine found the data directory, before the statement runs.
      await appendAudit(dir, principal, 'sql', { sql: query, format, via: 'cli' });
      const stream = await engine.querySelect(query, { signal: stop.signal });
      await printStream(stream, format, {
        formats: sqlColumns(stream.columns),
        whenEmpty: () => emptyResultReason(engine, {}),
      });
    } finally {
      stop.dispose();
      await engine.close();
    }
  });
}
