import type { Command } from 'commander';
import {
  describeParams,
  findAnalysis,
  loadCatalog,
  type Note,
  runAnalysisWithNotes,
} from '../../analyses/index.js';
import { DuckDbEngine } from '../../engines/index.js';
import { UserError } from '../../errors/index.js';
import { dataDir, paramArgs } from '../options.js';
import { type Format, formatOption, printRows } from '../output.js';

async function listCatalog(format: Format): Promise<void> {
  const catalog = (await loadCatalog()).map((a) => ({
    name: a.name,
    description: a.description,
    params: describeParams(a),
  }));
  if (format !== 'table') {
    printRows(catalog, format);
    return;
  }
  for (const a of catalog) {
    const params = a.params.map((p) => `  ${p.flag}${p.description ? `: ${p.description}` : ''}\n`).join('');
    process.stdout.write(`${a.name}\n  ${a.description}\n${params}`);
  }
}

/**
 * Notes (what an analysis left out) go to stderr so that stdout keeps only the result: one `note: …` line
 * each, or with --format json one line `{"notes":[{"code","message","count"}, …]}`.
 */
function printNotes(notes: Note[], format: Format): void {
  if (notes.length === 0) return;
  if (format === 'json') process.stderr.write(`${JSON.stringify({ notes })}\n`);
  else for (const n of notes) process.stderr.write(`note: ${n.message}\n`);
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
        const { rows, notes } = await runAnalysisWithNotes(engine, analysis, paramArgs(params));
        const lines = format === 'table' && analysis.render ? analysis.render(rows) : undefined;
        printRows(rows, format, lines, Object.keys(analysis.row.shape));
        printNotes(notes, format);
      } finally {
        await engine.close();
      }
    });
}
