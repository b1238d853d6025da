import type { Command } from 'commander';
import { z } from 'zod';
import { dashboardAuthenticator, startDashboard } from '../../dashboard/index.js';
import { engineFlags, parseFlags, positiveIntFlag, wholeNumberFlag } from '../flags.js';
import { addEngineOptions, dataDir, engineChoice } from '../options.js';
import { status } from '../output.js';

const dashboardFlags = engineFlags.extend({
  port: wholeNumberFlag.pipe(z.number().max(65535, 'expected a port 0-65535')),
  host: z.string().min(1),
  refresh: positiveIntFlag,
});

/** `shoplake dashboard`: the web dashboard alone, over a lake it only reads (a collector may write it). */
export function registerDashboard(program: Command): void {
  const command = program
    .command('dashboard')
    .description('serve the web dashboard over the lake, read-only (docs/DASHBOARD.md)')
    .option('--port <port>', 'port to listen on (0: any free port)', '3000')
    .option('--host <host>', 'address to listen on', '127.0.0.1')
    .option('--refresh <seconds>', 'how often shared analysis results are computed again', '10');
  addEngineOptions(command).action(async (raw: unknown, cmd: Command) => {
    const { port, host, refresh, ...engineSettings } = parseFlags(dashboardFlags, raw);
    const dir = dataDir(cmd);
    const choice = engineChoice(engineSettings, dir);
    const signal = new Promise<string>((resolve) => {
      process.on('SIGTERM', () => resolve('SIGTERM'));
      process.on('SIGINT', () => resolve('SIGINT'));
    });
    const running = await startDashboard({
      engine: { dataDir: dir, ...choice },
      // Its own Authenticator (and throttle): keys from <data>/keys.json, failures in the audit log.
      auth: dashboardAuthenticator(dir, status),
      refreshMs: refresh * 1000,
      host,
      port,
    });
    process.stdout.write(`shoplake dashboard on ${running.url}\n`);
    status(`${await signal}: stopping`);
    await running.close();
  });
}
