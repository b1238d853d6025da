import type { Command } from 'commander';
import { findAnalysis, loadCatalog, runAnalysis } from '../../analyses/index.js';
import { DuckDbEngine } from '../../engines/index.js';
import { UserError } from '../../errors/index.js';
import { dataDir, paramArgs } from '../options.js';
import { type Format, formatOption, printRows } from '../output.js';

async function listCatalog(format: 'table' | 'json' | 'csv'): Promise<void> {
  const catalog = await loadCatalog();
  const rows = catalog.map((a) => ({
    name: a.name,
    description: a.description,
    params: Object.entries(a.params.shape)
      .map(
        ([k, v]) =>
          `--${k.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}${(v as { description?: string }).description ? `: ${(v as { description?: string }).description}` : ''}`,
      )
      .join('\n'),
  }));
  if (format === 'table') {
    for (const r of rows)
      process.stdout.write(
        `${r.name}\n  ${r.description}\n${r.params ? `  ${r.params.replaceAll('\n', '\n  ')}\n` : ''}`,
      );
  } else printRows(rows, format);
}

export function registerQuery(program: Command): void {
  program
    .command('query')
    .description('run an analysis of the catalog: shoplake query <name> [--param value ...]')
    .argument('[name]', 'analysis name (see --list)')
    .argument('[params...]', 'analysis parameters, e.g. --from 2026-11-01 --region US-EAST')
    .option('--list', 'list the analyses and their parameters')
    .addOption(formatOption())
    .allowUnknownOption()
    .action(async (name: string | undefined, params: string[], opts, cmd: Command) => {
      const format = opts.format as Format;
      if (opts.list) return listCatalog(format);
      if (!name)
        throw new UserError("name an analysis, e.g. 'shoplake query sales-by-region', or use --list");
      const analysis = await findAnalysis(name);
      const engine = await DuckDbEngine.open(dataDir(cmd));
      try {
        const rows = await runAnalysis(engine, analysis, paramArgs(params));
        const lines = format === 'table' && analysis.render ? analysis.render(rows) : undefined;
        printRows(rows, format, lines, Object.keys(analysis.row.shape));
      } finally {
        await engine.close();
      }
    });
}
