import type { Command } from 'commander';
import { z } from 'zod';
import {
  type Analysis,
  assertRunsOn,
  describeParams,
  engineSupport,
  findAnalysis,
  loadCatalog,
  type Note,
  runAnalysisWithNotes,
} from '../../analyses/index.js';
import { openEngine, withRunOptions } from '../../engines/index.js';
import { UserError } from '../../errors/index.js';
import { appendAudit } from '../../security/index.js';
import { analysisColumns } from '../columns.js';
import { DEFAULT_TIMEOUT, durationFlag, engineFlags, type Format, formatFlag, parseFlags } from '../flags.js';
import { addEngineOptions, dataDir, engineChoice, paramArgs } from '../options.js';
import { formatOption, printRows } from '../output.js';
import { principalOf } from '../principal.js';
import { stopOnTimeoutOrInterrupt } from '../stop.js';
import { emptyResultReason } from './empty.js';

const queryFlags = engineFlags.extend({
  format: formatFlag,
  timeout: durationFlag,
  list: z.boolean().optional(),
  chart: z.boolean().optional(),
});

async function listCatalog(format: Format): Promise<void> {
  const catalog = (await loadCatalog()).map((a) => ({
    name: a.name,
    description: a.description,
    engines: engineSupport(a),
    params: describeParams(a),
  }));
  if (format !== 'table') {
    printRows(catalog, format);
    return;
  }
  for (const a of catalog) {
    const params = a.params.map((p) => `  ${p.flag}${p.description ? `: ${p.description}` : ''}\n`).join('');
    process.stdout.write(`${a.name}\n  ${a.description}\n  engines: ${a.engines}\n${params}`);
  }
}

/**
 * Notes (what an analysis left out) go to stderr so that stdout keeps only the result: one `note: …` line
 * each, or with --format json one line `{"notes":[{"code","message","count"}, …]}`.
 */
function printNotes(notes: Note[], format: Format): void {
  if (notes.length === 0) return;
  if (format === 'json' || format === 'ndjson') process.stderr.write(`${JSON.stringify({ notes })}\n`);
  else for (const n of notes) process.stderr.write(`note: ${n.message}\n`);
}

/**
 * `--chart`: the dashboard's choice of chart, drawn with characters; on stdout after a table, on stderr
 * with a machine format (so stdout stays parseable).
 */
async function printChart(
  analysis: Analysis,
  rows: Record<string, unknown>[],
  format: Format,
): Promise<void> {
  // Loaded on demand: only --chart pays for the chart code.
  const { analysisTerminalChart } = await import('../../dashboard/index.js');
  const width = Math.max(20, Math.min(60, (process.stdout.columns ?? 80) - 40));
  const lines = analysisTerminalChart(analysis, rows, width);
  const text = lines
    ? `\n${lines.join('\n')}\n`
    : `note: ${analysis.name} has no terminal chart for this result\n`;
  if (format === 'table' && lines) process.stdout.write(text);
  else process.stderr.write(text);
}

export function registerQuery(program: Command): void {
  const command = program
    .command('query')
    .description('run an analysis of the catalog: shoplake query <name> [--param value ...]')
    .argument('[name]', 'analysis name (see --list)')
    .argument('[params...]', 'analysis parameters, e.g. --from 2026-11-01 --region US-EAST')
    .option('--list', 'list the analyses and their parameters')
    .option('--chart', 'also draw the result in the terminal (bars or a line) where it has a natural chart')
    .addOption(formatOption())
    .option(
      '--timeout <duration>',
      'stop the analysis after this long (e.g. 30s, 10m; 0: never)',
      DEFAULT_TIMEOUT,
    )
    .allowUnknownOption();
  addEngineOptions(command).action(
    async (name: string | undefined, params: string[], raw: unknown, cmd: Command) => {
      const { format, timeout, list, chart, ...engineSettings } = parseFlags(queryFlags, raw);
      if (list) return listCatalog(format);
      if (!name)
        throw new UserError("name an analysis, e.g. 'shoplake query sales-by-region', or use --list");
      const analysis = await findAnalysis(name);
      const args = paramArgs(params);
      const dir = dataDir(cmd);
      const choice = engineChoice(engineSettings, dir);
      // Said before connecting to anything: no engine needs to start to know this.
      assertRunsOn(analysis, choice.kind);
      const principal = principalOf(cmd);
      const stop = stopOnTimeoutOrInterrupt(timeout.ms, timeout.text);
      const engine = await openEngine({ dataDir: dir, role: principal.role, ...choice }).catch(
        (err: unknown) => {
          stop.dispose();
          throw err;
        },
      );
      try {
        // Recorded once the engine found the data directory, before anything is read.
        await appendAudit(dir, principal, 'query', {
          analysis: analysis.name,
          params: args,
          format,
          via: 'cli',
        });
        const { rows, notes } = await runAnalysisWithNotes(
          withRunOptions(engine, { signal: stop.signal }),
          analysis,
          args,
        );
        const lines = format === 'table' && analysis.render ? analysis.render(rows) : undefined;
        printRows(rows, format, {
          ...(lines ? { lines } : {}),
          formats: analysisColumns(analysis.row),
          columns: Object.keys(analysis.row.shape),
          emptyReason: rows.length === 0 && format === 'table' ? await emptyResultReason(engine, args) : null,
        });
        printNotes(notes, format);
        if (chart) await printChart(analysis, rows, format);
      } finally {
        stop.dispose();
        await engine.close();
      }
    },
  );
}
