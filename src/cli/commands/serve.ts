import { readFileSync } from 'node:fs';
import type { RequestListener } from 'node:http';
import type { Command } from 'commander';
import { z } from 'zod';
import { loadCatalog } from '../../analyses/index.js';
import { loadCollectorConfig, startCollector } from '../../collector/index.js';
import { createDashboard, type Dashboard } from '../../dashboard/index.js';
import { engineEnv, readEngineConfig, resolveEngineChoice } from '../../engines/index.js';
import { UserError } from '../../errors/index.js';
import { hasActiveKey } from '../../security/index.js';
import { durationFlag, parseFlags, positiveIntFlag, wholeNumberFlag } from '../flags.js';
import { dataDir } from '../options.js';

const serveFlags = z.object({
  port: wholeNumberFlag.pipe(z.number().max(65535, 'expected a port 0-65535')),
  host: z.string().min(1),
  config: z.string().optional(),
  compactInterval: wholeNumberFlag.optional(),
  tlsCert: z.string().min(1).optional(),
  tlsKey: z.string().min(1).optional(),
  dashboard: z.boolean(),
  refresh: positiveIntFlag,
  alertWebhook: z.url({ protocol: /^https?$/, error: 'expected an http(s) URL' }).optional(),
  alertThreshold: z.coerce.number().min(0, 'expected a score 0-1').max(1, 'expected a score 0-1').optional(),
  alertGroupWindow: durationFlag.optional(),
  checkWait: durationFlag.optional(),
  fraud: z.boolean().default(true),
});

/** The PEM files of --tls-cert and --tls-key (both or neither). */
function readTls(
  cert: string | undefined,
  key: string | undefined,
): { cert: Buffer; key: Buffer } | undefined {
  if (cert === undefined && key === undefined) return undefined;
  if (cert === undefined || key === undefined) throw new UserError('give both --tls-cert and --tls-key');
  const read = (path: string, flag: string) => {
    try {
      return readFileSync(path);
    } catch (err) {
      throw new UserError(
        `${flag} ${path}: cannot read it (${(err as NodeJS.ErrnoException).code ?? 'error'})`,
        { cause: err },
      );
    }
  };
  return { cert: read(cert, '--tls-cert'), key: read(key, '--tls-key') };
}

import { status } from '../output.js';

/** `shoplake serve`: the real-time collector, until SIGTERM or SIGINT (then drain, compact, exit 0). */
export function registerServe(program: Command): void {
  program
    .command('serve')
    .description('run the HTTP collector for orders and clickstream events (docs/COLLECTOR.md)')
    .option('--port <port>', 'port to listen on (0: any free port)', '8080')
    .option('--host <host>', 'address to listen on', '127.0.0.1')
    .option('--config <file>', 'JSON config: writeKeys, limits, compactIntervalMs (docs/COLLECTOR.md)')
    .option('--compact-interval <ms>', 'how often acknowledged records are moved into the lake')
    .option('--tls-cert <file>', 'PEM certificate (chain): serve HTTPS (with --tls-key)')
    .option('--tls-key <file>', 'PEM private key for --tls-cert')
    .option('--no-dashboard', 'do not serve the web dashboard at / (docs/DASHBOARD.md)')
    .option('--refresh <seconds>', "how often the dashboard's shared results are computed again", '10')
    .option(
      '--alert-webhook <url>',
      'POST fraud alerts (JSON: order, score, reasons) to this URL (docs/FRAUD.md)',
    )
    .option(
      '--alert-threshold <score>',
      "fraud score from which an order raises an alert (default: the model's)",
    )
    .option(
      '--alert-group-window <duration>',
      "a customer's alerts within this window go out as one (default 10m)",
    )
    .option(
      '--check-wait <duration>',
      'how long an order waits for its POST /v1/order-checks before it is scored (default 300ms)',
    )
    .option('--no-fraud', 'do not score orders for fraud')
    .action(async (raw: unknown, cmd: Command) => {
      const opts = parseFlags(serveFlags, raw);
      const dir = dataDir(cmd);
      const tls = readTls(opts.tlsCert, opts.tlsKey);
      // --config here is the collector's; the dashboard's engine comes from the environment or <data>/shoplake.json.
      // The dashboard is built once the collector runs, to share its Authenticator (one failure throttle);
      // the collector only listens once start-up is done, so no request reaches it before.
      let dashboard: Dashboard | undefined;
      const fallback: RequestListener = (req, res) => {
        if (dashboard) return dashboard.listener(req, res);
        res.writeHead(503, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ error: { message: 'starting: retry', code: 'starting', status: 503 } }));
      };
      const config = loadCollectorConfig(
        opts.config,
        process.env,
        opts.compactInterval ? { compactIntervalMs: opts.compactInterval } : {},
        // Ingest keys from `shoplake keys create --role ingest` are enough without any write key.
        !hasActiveKey(dir, ['ingest', 'admin']),
      );
      // Listening for signals before start-up, so a SIGTERM during recovery still ends in a clean drain.
      const signal = new Promise<string>((resolve) => {
        // `on`, not `once`: a second signal during the drain must not kill the process half-way.
        process.on('SIGTERM', () => resolve('SIGTERM'));
        process.on('SIGINT', () => resolve('SIGINT'));
      });
      const sparkRemote = engineEnv(process.env).sparkRemote ?? readEngineConfig(dir).sparkRemote;
      const analyses = (await loadCatalog()).map((a) => a.name);
      const running = await startCollector({
        dataDir: dir,
        monitor: { analyses, ...(sparkRemote ? { sparkRemote } : {}) },
        config,
        ...(tls ? { tls } : {}),
        ...(opts.dashboard ? { fallback } : {}),
        host: opts.host,
        port: opts.port,
        log: (line) => status(line),
        fraud: opts.fraud
          ? {
              ...(opts.alertWebhook ? { webhook: opts.alertWebhook } : {}),
              ...(opts.alertThreshold !== undefined ? { threshold: opts.alertThreshold } : {}),
              ...(opts.alertGroupWindow ? { groupWindowMs: opts.alertGroupWindow.ms } : {}),
              ...(opts.checkWait ? { checkWaitMs: opts.checkWait.ms } : {}),
            }
          : false,
      });
      if (opts.dashboard) {
        dashboard = createDashboard({
          engine: {
            dataDir: dir,
            ...resolveEngineChoice({}, engineEnv(process.env), readEngineConfig(dir)),
          },
          refreshMs: opts.refresh * 1000,
          auth: running.auth,
          https: tls !== undefined,
        });
      }
      process.stdout.write(`shoplake collector listening on ${running.url}\n`);
      status(`${await signal}: draining and compacting`);
      await dashboard?.close();
      const left = await running.close();
      status(
        left.bytes === 0
          ? 'stopped: every acknowledged record is in the lake'
          : `stopped: ${left.bytes} bytes of acknowledged records in ${left.segments} WAL segment(s) could not ` +
              'be compacted now; they are safe in the WAL and will be compacted on the next start',
      );
    });
}
