import { existsSync } from 'node:fs';
import type { Command } from 'commander';
import { z } from 'zod';
import { type DoctorReport, doctorLake, type Finding, healthy } from '../../doctor/index.js';
import { UserError } from '../../errors/index.js';
import { formatFlag, parseFlags } from '../flags.js';
import { dataDir } from '../options.js';
import { formatOption, printRows } from '../output.js';

const doctorFlags = z.object({ repair: z.boolean().default(false), format: formatFlag });

/** Exit code when the lake has damage (left): the command ran, but the lake needs attention. */
export const DAMAGE_EXIT = 1;

/** `shoplake doctor [--repair]`: checks the lake, and repairs it from what is on disk. */
export function registerDoctor(program: Command): void {
  program
    .command('doctor')
    .description(
      'check the lake (manifests, batch logs, files, WAL, quarantine); exit 0 healthy, 1 damaged; --repair fixes it',
    )
    .option('--repair', 'restore a consistent state from the files on disk and say what it did')
    .addOption(formatOption())
    .action(async (raw: unknown, cmd: Command) => {
      const opts = parseFlags(doctorFlags, raw);
      const dir = dataDir(cmd);
      if (!existsSync(dir)) throw new UserError(`data directory ${dir} does not exist: pass --data DIR`);
      const report = await doctorLake(dir, opts.repair);
      if (opts.format === 'table') process.stdout.write(lines(report, opts.repair).join('\n').concat('\n'));
      else printRows(rows(report), opts.format, { columns: COLUMNS });
      if (!healthy(report)) process.exitCode = DAMAGE_EXIT;
    });
}

const COLUMNS = ['kind', 'severity', 'code', 'table', 'path', 'message', 'action'];

function findingLine(f: Finding): string {
  return `${f.severity}: ${f.table ? `${f.table}: ` : ''}${f.message}; ${f.action}`;
}

function lines(report: DoctorReport, repair: boolean): string[] {
  const out = report.findings.map(findingLine);
  if (!repair) {
    const damage = report.findings.filter((f) => f.severity === 'damage').length;
    const warnings = report.findings.filter((f) => f.severity === 'warning').length;
    out.push(
      damage > 0
        ? `${damage} damage finding(s), ${warnings} warning(s): run 'shoplake doctor --repair'`
        : `the lake is healthy (${warnings} warning(s))`,
    );
    return out;
  }
  out.push(...report.repairs.map((r) => `repaired: ${r.table ? `${r.table}: ` : ''}${r.did}`));
  if (report.repairs.length === 0) out.push('repaired: nothing to do');
  const left = report.after.filter((f) => f.severity === 'damage');
  out.push(...left.map((f) => `still ${findingLine(f)}`));
  out.push(
    left.length > 0
      ? `${left.length} damage finding(s) remain after the repair`
      : 'the lake is healthy after the repair',
  );
  return out;
}

function rows(report: DoctorReport): Record<string, string | null>[] {
  const finding = (kind: string) => (f: Finding) => ({
    kind,
    severity: f.severity,
    code: f.code,
    table: f.table,
    path: f.path,
    message: f.message,
    action: f.action,
  });
  return [
    ...report.findings.map(finding('finding')),
    ...report.repairs.map((r) => ({
      kind: 'repaired',
      severity: null,
      code: null,
      table: r.table,
      path: r.path,
      message: r.did,
      action: null,
    })),
    ...(report.repairs.length > 0 ? report.after.map(finding('remaining')) : []),
  ];
}
