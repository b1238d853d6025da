import type { Command } from 'commander';
import { z } from 'zod';
import {
  type BacktestReport,
  backtest,
  labelOrder,
  loadWeights,
  type ModelWeights,
  openLake,
  type ScoreReport,
  saveWeights,
  scoreUnscored,
  trainWeights,
} from '../../fraud/index.js';
import { formatFlag, parseFlags } from '../flags.js';
import { dataDir } from '../options.js';
import { formatOption, printRows, status } from '../output.js';
import { phaseProgress } from '../progress.js';

const pct = (v: number) => `${(v * 100).toFixed(1)} %`;

/** `shoplake fraud score|label|backtest|train`: the fraud model's commands (docs/FRAUD.md). */
export function registerFraud(program: Command): void {
  const fraud = program.command('fraud').description('fraud scores: score, label alerts, backtest, refit');

  fraud
    .command('score')
    .description(
      'score every order of the lake that fraud_scores does not hold yet (ingest and build-lake do it by themselves)',
    )
    .addOption(formatOption())
    .action(async (raw: unknown, cmd: Command) => {
      const { format } = parseFlags(z.object({ format: formatFlag }), raw);
      const r = await scoreWithProgress(dataDir(cmd));
      const row = { scored: r.scored, alerts: r.alerts };
      if (format === 'table') process.stdout.write(`${describeScoring(r.scored, r.alerts)}\n`);
      else printRows([row], format);
    });

  fraud
    .command('label')
    .description('mark an order as confirmed fraud or a false alarm; backtest and train use these labels')
    .argument('<order>', 'an order id (shoplake query fraud-alerts lists them)')
    .argument('<label>', 'confirmed | false')
    .action(async (order: string, label: string, _raw: unknown, cmd: Command) => {
      await labelOrder(dataDir(cmd), order, label);
      process.stdout.write(`labelled ${order} ${label}\n`);
    });

  fraud
    .command('backtest')
    .description('replay the lake through the model: precision, recall, F1, PR curve, against the labels')
    .option('--curve', 'print the precision-recall curve too')
    .addOption(formatOption())
    .action(async (raw: unknown, cmd: Command) => {
      const opts = parseFlags(z.object({ format: formatFlag, curve: z.boolean().optional() }), raw);
      const dir = dataDir(cmd);
      const engine = await openLake(dir);
      const progress = phaseProgress('fraud backtest');
      let report: BacktestReport;
      try {
        report = await backtest(engine, dir, loadWeights(dir), (phase, done) =>
          progress.update(phase, done * 100),
        );
      } finally {
        progress.stop();
        await engine.close();
      }
      if (opts.format === 'table') process.stdout.write(describeBacktest(report, opts.curve === true));
      else printRows([{ ...report }], opts.format);
    });

  fraud
    .command('train')
    .description('refit the model weights on the lake and its labels; writes <data>/fraud/model.json')
    .option('--version <name>', 'a name for the fitted weights', 'local')
    .action(async (raw: unknown, cmd: Command) => {
      const opts = parseFlags(
        z.object({ version: z.string().regex(/^[A-Za-z0-9_.:-]+$/, 'use letters, digits, _ . : -') }),
        raw,
      );
      const dir = dataDir(cmd);
      const engine = await openLake(dir);
      const progress = phaseProgress('fraud train');
      let weights: ModelWeights;
      try {
        weights = await trainWeights(engine, dir, opts.version, (phase, done) =>
          progress.update(phase, done * 100),
        );
      } finally {
        progress.stop();
        await engine.close();
      }
      process.stdout.write(`wrote ${saveWeights(dir, weights)}\n`);
    });
}

/** One line about a scoring run. */
export function describeScoring(scored: number, alerts: number): string {
  return `fraud: scored ${scored} orders, ${alerts} above the alert threshold (shoplake query fraud-alerts)`;
}

function describeBacktest(r: BacktestReport, curve: boolean): string {
  const m = r.model;
  const lines = [
    `${r.orders} orders over ${r.days.toFixed(1)} days, ${r.fraud} labelled fraud`,
    `model at threshold ${m.atThreshold.threshold}: precision ${pct(m.atThreshold.precision)}, recall ${pct(m.atThreshold.recall)}, F1 ${m.atThreshold.f1.toFixed(3)}, ${m.alertsPerDay.toFixed(1)} alerts a day`,
    `average precision: model ${m.averagePrecision.toFixed(3)}, isolation forest alone ${r.forestAlone.averagePrecision.toFixed(3)}, best single rule (${r.bestRule.name}) ${r.bestRule.averagePrecision.toFixed(3)} (${(m.averagePrecision / Math.max(1e-9, r.bestRule.averagePrecision)).toFixed(1)}×)`,
    `recall at precision ≥ 50 %: model ${pct(m.recallAtPrecision50)}, isolation forest ${pct(r.forestAlone.recallAtPrecision50)}, best rule ${pct(r.bestRule.recallAtPrecision50)}`,
  ];
  lines.push(
    `calibration (score band: mean score / share fraud): ${r.calibration
      .filter((c) => c.orders > 0)
      .map((c) => `${c.from}–${c.to}: ${c.meanScore.toFixed(2)} / ${c.fraudShare.toFixed(2)} (${c.orders})`)
      .join('; ')}`,
  );
  if (curve) {
    lines.push('threshold  precision  recall');
    for (const p of r.curve)
      lines.push(
        `${p.threshold.toFixed(4).padStart(9)}  ${pct(p.precision).padStart(9)}  ${pct(p.recall).padStart(6)}`,
      );
  }
  return `${lines.join('\n')}\n`;
}

/**
 * After a load: scores the orders it brought (and any left unscored), when it loaded orders or their
 * checks; one status line on stderr, so --format json output stays one array.
 */
export async function scoreAfterLoad(
  dir: string,
  loaded: readonly { table: string; loaded: number }[],
): Promise<void> {
  if (!loaded.some((r) => (r.table === 'orders' || r.table === 'order_checks') && r.loaded > 0)) return;
  const r = await scoreWithProgress(dir);
  status(describeScoring(r.scored, r.alerts));
}

/** Scores the lake's unscored orders with a progress bar on stderr (a 10 M-order lake takes minutes). */
async function scoreWithProgress(dir: string): Promise<ScoreReport> {
  const progress = phaseProgress('fraud score');
  try {
    return await scoreUnscored(dir, Date.now(), {
      onProgress: (phase, done) => progress.update(phase, done * 100),
    });
  } finally {
    progress.stop();
  }
}
