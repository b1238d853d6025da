import { SingleBar } from 'cli-progress';
import type { Command } from 'commander';
import { z } from 'zod';
import { lakeKey } from '../../duckdb/index.js';
import { type GenerateStats, generate, generateDefaults } from '../../generate/index.js';
import { buildLake } from '../../ingest/index.js';
import { formatFlag, parseFlags, positiveIntFlag, wholeNumberFlag } from '../flags.js';
import { dataDir } from '../options.js';
import { formatOption, printRows, status } from '../output.js';
import { phaseProgress } from '../progress.js';
import { scoreAfterLoad } from './fraud.js';
import { describeReport } from './ingest.js';

const isoDay = z
  .string()
  .regex(/^\d{4}-\d{2}-\d{2}$/, 'expected a date YYYY-MM-DD')
  .transform((value) => new Date(`${value}T00:00:00Z`))
  .refine((d) => !Number.isNaN(d.getTime()), 'expected a date YYYY-MM-DD');

/** `name:lift[:split]`, e.g. checkout-v2:0.1:0.5 for a 10 % relative lift on half the sessions. */
const experiment = z
  .string()
  .transform((value) => {
    const [name = '', lift, split = '0.5'] = value.split(':');
    return { name, lift: Number(lift), split: Number(split) };
  })
  .refine(
    (e) => /^[\w-]+$/.test(e.name) && Number.isFinite(e.lift) && e.lift > -1 && e.split > 0 && e.split < 1,
    'expected NAME:LIFT[:SPLIT], e.g. checkout-v2:0.1:0.5',
  );

const generateFlags = z.object({
  orders: positiveIntFlag,
  customers: positiveIntFlag,
  events: positiveIntFlag,
  days: positiveIntFlag,
  seed: positiveIntFlag,
  asOf: isoDay.optional(),
  blackFriday: z.boolean().default(false),
  experiment: experiment.optional(),
  products: positiveIntFlag
    .pipe(
      z
        .number()
        .min(15, 'the catalog has at least the seed’s 15 products')
        .max(100_000, 'at most 100000 products'),
    )
    .optional(),
  historyDays: wholeNumberFlag.optional(),
  inventory: z.boolean().default(false),
  pricing: z.boolean().default(false),
  out: z.string().min(1).optional(),
  rawOnly: z.boolean().default(false),
  format: formatFlag,
});

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
    .description('generate a realistic, deterministic dataset under <data>/raw and load it into the lake')
    .option('--orders <n>', 'orders', String(d.orders))
    .option('--customers <n>', 'customers', String(d.customers))
    .option('--events <n>', 'clickstream events', String(d.events))
    .option('--days <n>', 'days of orders (clickstream covers the last 7)', String(d.days))
    .option('--seed <n>', 'random seed: same seed, same bytes', String(d.seed))
    .option('--as-of <date>', 'end of the window, exclusive (YYYY-MM-DD, default today UTC)')
    .option('--black-friday', 'add a Black Friday promotion spike')
    .option('--experiment <spec>', 'A/B experiment NAME:LIFT[:SPLIT]')
    .option('--products <n>', "catalog size: the seed's 15 (default) or a long tail of up to 100000")
    .option(
      '--history-days <n>',
      'orders and clickstream cover this many days, churn inside them (default 0: off)',
    )
    .option('--inventory', 'warehouses, stock and replenishment; out-of-stock lines are lost demand')
    .option('--pricing', 'per-product elasticities, list price changes and a competitor price feed')
    .option('--out <dir>', 'output data directory (default: --data)')
    .option('--raw-only', 'write the raw CSV only; load it later with build-lake')
    .addOption(formatOption())
    .action(async (raw: unknown, cmd: Command) => {
      const opts = parseFlags(generateFlags, raw);
      const out = opts.out ?? dataDir(cmd);
      const stats = await generateWithProgress({
        out,
        orders: opts.orders,
        customers: opts.customers,
        events: opts.events,
        days: opts.days,
        seed: opts.seed,
        asOf: opts.asOf ?? todayUtc(),
        blackFriday: opts.blackFriday,
        ...(opts.experiment ? { experiment: opts.experiment } : {}),
        ...(opts.products !== undefined ? { products: opts.products } : {}),
        ...(opts.historyDays !== undefined ? { historyDays: opts.historyDays } : {}),
        ...(opts.inventory ? { inventory: true } : {}),
        ...(opts.pricing ? { pricing: true } : {}),
      });
      const rows = stats.orders + stats.customers + stats.events;
      status(
        `generated ${stats.orders} orders, ${stats.customers} customers, ${stats.events} events ` +
          `(${stats.fraudOrders} labelled fraud${stats.lostLines > 0 ? `, ${stats.lostLines} lines lost to stockouts` : ''}) in ${stats.seconds.toFixed(1)} s, ${Math.round(rows / stats.seconds)} rows/s`,
      );
      if (opts.format === 'table') for (const f of stats.files) process.stdout.write(`${f}\n`);
      // What was written goes into the lake by default, so that analyses answer right away.
      const lake = opts.rawOnly
        ? []
        : await buildLake(
            out,
            (r) => {
              if (opts.format === 'table') process.stdout.write(`${describeReport(r)}\n`);
            },
            { onTable: (table) => phaseProgress(`build-lake ${table}`) },
          );
      await scoreAfterLoad(out, lake);
      // The lake is encrypted, but raw/ holds the generated exports as plain CSV (shoplake never rewrites
      // input files), so say so rather than leave customer emails readable beside an encrypted lake.
      if (lakeKey() !== null) {
        status(
          `note: ${out}/raw/ holds the generated exports in plain text; move them out of the data directory or delete them once loaded (docs/SECURITY.md)`,
        );
      }
      if (opts.format !== 'table') printRows([{ ...stats, lake: lake.map((r) => ({ ...r })) }], opts.format);
    });
}
