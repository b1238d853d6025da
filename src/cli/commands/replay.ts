import type { Command } from 'commander';
import { z } from 'zod';
import { UserError } from '../../errors/index.js';
import type { ReplayResult } from '../../replay/index.js';
import { formatFlag, parseFlags, positiveIntFlag } from '../flags.js';
import { dataDir } from '../options.js';
import { formatOption, printRows, status } from '../output.js';

const replayFlags = z.object({
  target: z.string(),
  key: z.string().optional(),
  rate: positiveIntFlag,
  duration: z.coerce
    .number()
    .gt(0, 'expected seconds between 0 and 3600')
    .max(3600, 'expected seconds between 0 and 3600'),
  batch: positiveIntFlag,
  concurrency: positiveIntFlag,
  blackFriday: positiveIntFlag,
  unique: z.boolean().default(false),
  format: formatFlag,
});

/** One-paragraph summary of a replay, as printed. */
export function describeReplay(r: ReplayResult): string {
  const f = (n: number) => Math.round(n).toLocaleString('en-US');
  const errors = Object.entries(r.errors).map(([k, v]) => `${k}: ${v}`);
  return [
    `achieved ${f(r.achievedRate)} records/s of ${f(r.targetRate)} target (${f(r.ackedRecords)} acknowledged in ${r.seconds.toFixed(1)} s, ${f(r.requests)} requests)`,
    `latency p50 ${r.latencyMs.p50.toFixed(1)} ms, p95 ${r.latencyMs.p95.toFixed(1)} ms, p99 ${r.latencyMs.p99.toFixed(1)} ms`,
    `errors: ${errors.length ? errors.join(', ') : 'none'}`,
  ].join('\n');
}

/** `shoplake replay`: send generated orders and events to a collector at a given rate. */
export function registerReplay(program: Command): void {
  program
    .command('replay')
    .description('replay generated orders and events against a collector at a target rate')
    .option('--target <url>', 'collector base URL (loopback only)', 'http://127.0.0.1:8080')
    .option('--key <key>', 'write key (default: first of $SHOPLAKE_WRITE_KEYS)')
    .option('--rate <n>', 'records per second', '1000')
    .option('--duration <s>', 'seconds to run (at most 3600)', '10')
    .option('--batch <n>', 'records per request (1 sends single objects)', '100')
    .option('--concurrency <n>', 'requests in flight at most', '16')
    .option('--black-friday <n>', 'rate multiplier during the middle third of the run', '1')
    .option('--unique', 'tag ids with a run id so every run adds new records')
    .addOption(formatOption())
    .action(async (raw: unknown, cmd: Command) => {
      const opts = parseFlags(replayFlags, raw);
      const key = opts.key ?? process.env.SHOPLAKE_WRITE_KEYS?.split(',')[0]?.trim();
      if (!key) throw new UserError('no write key: pass --key KEY or set SHOPLAKE_WRITE_KEYS');
      // Loaded here: its HTTP client (undici) would slow every `shoplake --help`.
      const { loadSource, loopbackTarget, replay, replayShortfall } = await import('../../replay/index.js');
      loopbackTarget(opts.target);
      const source = loadSource(dataDir(cmd));
      status(`replaying ${source.origin} to ${opts.target}`);
      const result = await replay(source, {
        target: opts.target,
        key,
        rate: opts.rate,
        durationSeconds: opts.duration,
        batch: opts.batch,
        concurrency: opts.concurrency,
        blackFriday: opts.blackFriday,
        tag: opts.unique ? `r${Date.now().toString(36)}` : null,
      });
      if (opts.format === 'table') process.stdout.write(`${describeReplay(result)}\n`);
      else printRows([{ ...result }], opts.format);
      const shortfall = replayShortfall(result, opts.target);
      if (shortfall !== null) throw new UserError(shortfall, { code: 'rate_not_held' });
    });
}
