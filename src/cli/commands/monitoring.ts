import { resolve } from 'node:path';
import type { Command } from 'commander';
import { UserError } from '../../errors/index.js';
import { status } from '../output.js';

/** `shoplake monitoring generate`: writes the Grafana dashboards, Prometheus and Alertmanager files. */
export function registerMonitoring(program: Command): void {
  const monitoring = program
    .command('monitoring')
    .description('Prometheus, Alertmanager and Grafana files for shoplake serve (docs/MONITORING.md)');
  monitoring
    .command('generate')
    .description('write the dashboards, alert rules and configs under a deploy directory')
    .option('--out <dir>', 'deploy directory to write into', 'deploy')
    .option('--force', 'replace files there that differ from the generated ones (your edits are lost)')
    .action(async (opts: { out: string; force?: boolean }) => {
      // resolve('') is the working directory: nine files strewn into it instead of a mistake said.
      if (opts.out.trim() === '') throw new UserError('--out needs a directory, e.g. --out deploy');
      // Loaded here: the files' generators (Grafana SDK, yaml) would slow every `shoplake --help`.
      const { writeMonitoringFiles } = await import('../../monitoring/deploy/index.js');
      const written = writeMonitoringFiles(resolve(opts.out), { force: opts.force === true });
      for (const path of written) process.stdout.write(`${path}\n`);
      status(`wrote ${written.length} files under ${resolve(opts.out)}`);
    });
}
