import { SingleBar } from 'cli-progress';
import { type Command, InvalidArgumentError, Option } from 'commander';
import { type GenerateStats, generate, generateDefaults } from '../../generate/index.js';
import { dataDir, positiveInt } from '../options.js';
import { type Format, formatOption, printRows, status } from '../output.js';

function isoDay(value: string): Date {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(value) || Number.isNaN(Date.parse(`${value}T00:00:00Z`))) {
    throw new InvalidArgumentError('expected a date YYYY-MM-DD');
  }
  return new Date(`${value}T00:00:00Z`);
}

/** `name:lift[:split]`, e.g. checkout-v2:0.1:0.5 for a 10 % relative lift on half the sessions. */
function experiment(value: string): { name: string; lift: number; split: number } {
  const [name, lift, split = '0.5'] = value.split(':');
  const l = Number(lift);
  const s = Number(split);
  if (!name || !/^[\w-]+$/.test(name) || !Number.isFinite(l) || l <= -1 || !(s > 0 && s < 1)) {
    throw new InvalidArgumentError('expected NAME:LIFT[:SPLIT], e.g. checkout-v2:0.1:0.5');
  }
  return { name, lift: l, split: s };
}

/** Today 00:00 UTC: the default end of the generated window. */
export function todayUtc(): Date {
  const now = new Date();
  return new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate()));
}

/** Runs the generator with a progress bar on stderr. */
export async function generateWithProgress(options: Parameters<typeof generate>[0]): Promise<GenerateStats> {
  const bar = new SingleBar({
    format: 'generating [{bar}] {percentage}% | {value}/{total} rows | {eta}s left',
    stream: process.stderr,
    noTTYOutput: false,
    notTTYSchedule: 5000,
  });
  let started = false;
  try {
    return await generate(options, (done, total) => {
      if (!started) {
        bar.start(total, 0);
        started = true;
      }
      bar.update(done);
    });
  } finally {
    if (started) bar.stop();
  }
}

export function registerGenerate(program: Command): void {
  const d = generateDefaults;
  program
    .command('generate')
    .description('generate a realistic, deterministic dataset as seed-compatible CSV under <data>/raw')
    .option('--orders <n>', 'orders', positiveInt, d.orders)
    .option('--customers <n>', 'customers', positiveInt, d.customers)
    .option('--events <n>', 'clickstream events', positiveInt, d.events)
    .option('--days <n>', 'days of orders (clickstream covers the last 7)', positiveInt, d.days)
    .option('--seed <n>', 'random seed: same seed, same bytes', positiveInt, d.seed)
    .option('--as-of <date>', 'end of the window, exclusive (YYYY-MM-DD, default today UTC)', isoDay)
    .option('--black-friday', 'add a Black Friday promotion spike', false)
    .addOption(new Option('--experiment <spec>', 'A/B experiment NAME:LIFT[:SPLIT]').argParser(experiment))
    .option('--out <dir>', 'output data directory (default: --data)')
    .addOption(formatOption())
    .action(async (opts, cmd: Command) => {
      const stats = await generateWithProgress({
        out: opts.out ?? dataDir(cmd),
        orders: opts.orders,
        customers: opts.customers,
        events: opts.events,
        days: opts.days,
        seed: opts.seed,
        asOf: opts.asOf ?? todayUtc(),
        blackFriday: opts.blackFriday,
        ...(opts.experiment ? { experiment: opts.experiment } : {}),
      });
      const rows = stats.orders + stats.customers + stats.events;
      status(
        `generated ${stats.orders} orders, ${stats.customers} customers, ${stats.events} events ` +
          `(${stats.fraudOrders} labelled fraud) in ${stats.seconds.toFixed(1)} s, ${Math.round(rows / stats.seconds)} rows/s`,
      );
      if (opts.format === 'table') for (const f of stats.files) process.stdout.write(`${f}\n`);
      else printRows([{ ...stats }], opts.format as Format);
    });
}
