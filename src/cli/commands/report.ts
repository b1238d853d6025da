import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import type { Command } from 'commander';
import { z } from 'zod';
import { isoDate } from '../../analyses/index.js';
import { buildReport, printPdf, reportHtml } from '../../dashboard/index.js';
import { openEngine } from '../../engines/index.js';
import { UserError } from '../../errors/index.js';
import { engineFlags, parseFlags } from '../flags.js';
import { addEngineOptions, dataDir, engineChoice } from '../options.js';
import { status } from '../output.js';
import { checkOutputFile } from '../output-path.js';

const reportFlags = engineFlags.extend({
  out: z.string().min(1).optional(),
  pdf: z.string().min(1).optional(),
  from: isoDate.optional(),
  to: isoDate.optional(),
  region: z.string().min(1).optional(),
});

/** `shoplake report`: one self-contained HTML report (and optionally its PDF) of the seed's questions. */
export function registerReport(program: Command): void {
  const command = program
    .command('report')
    .description(
      'write a self-contained HTML report (and --pdf) of the scenarios, trend, funnel, RFM, cohorts, A/B tests',
    )
    .option('--out <file>', 'HTML file to write (opens offline)')
    .option('--pdf <file>', 'also print the report to this PDF (needs Chromium)')
    .option('--from <day>', 'first day included (YYYY-MM-DD)')
    .option('--to <day>', 'last day included (YYYY-MM-DD)')
    .option('--region <region>', 'only this region, where an analysis takes one');
  addEngineOptions(command).action(async (raw: unknown, cmd: Command) => {
    const { out, pdf, from, to, region, ...engineSettings } = parseFlags(reportFlags, raw);
    if (!out && !pdf)
      throw new UserError('say where to write the report: --out report.html and/or --pdf report.pdf');
    if (out) checkOutputFile(out, '--out');
    if (pdf) checkOutputFile(pdf, '--pdf');
    const dir = dataDir(cmd);
    const engine = await openEngine({ dataDir: dir, ...engineChoice(engineSettings, dir) });
    let html: string;
    try {
      html = reportHtml(
        await buildReport(engine, {
          ...(from ? { from } : {}),
          ...(to ? { to } : {}),
          ...(region ? { region } : {}),
        }),
      );
    } finally {
      await engine.close();
    }
    const scratch = out ? undefined : mkdtempSync(join(tmpdir(), 'shoplake-report-'));
    const htmlPath = resolve(out ?? join(scratch ?? '', 'report.html'));
    try {
      writeFileSync(htmlPath, html);
      if (out) status(`report written to ${htmlPath}`);
      if (pdf) {
        await printPdf(htmlPath, resolve(pdf));
        status(`PDF written to ${resolve(pdf)}`);
      }
    } finally {
      if (scratch) rmSync(scratch, { recursive: true, force: true });
    }
  });
}
