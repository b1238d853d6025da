import type { Command } from 'commander';
import { DuckDbEngine } from '../../engines/index.js';
import { UserError } from '../../errors/index.js';
import { dataDir } from '../options.js';
import { type Format, formatOption, printRows } from '../output.js';

export function registerSql(program: Command): void {
  program
    .command('sql')
    .description('read-only SQL over the views orders, customers, clickstream, products')
    .argument('<query>', 'one SELECT statement')
    .addOption(formatOption())
    .action(async (query: string, opts, cmd: Command) => {
      const format = opts.format as Format;
      const engine = await DuckDbEngine.open(dataDir(cmd), { sandboxed: true });
      try {
        const rows = await engine.querySelect(query).catch((err: unknown) => {
          if (err instanceof UserError) throw err;
          throw new UserError(`query failed: ${(err as Error).message.split('\n')[0]}`, { cause: err });
        });
        printRows(rows, format);
      } finally {
        await engine.close();
      }
    });
}
