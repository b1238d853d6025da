import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { generate, generateDefaults } from '../generate/index.js';
import { buildLake } from '../ingest/index.js';
import { tempDir } from '../testing/index.js';
import { type BacktestReport, backtest } from './backtest.js';
import { oneGoBacktest } from './backtest-one-go.test-helper.js';
import { openLake } from './load.js';
import { SHIPPED_WEIGHTS } from './shipped-weights.js';

/**
 * Issue 13's goals, on a dataset the shipped weights were not fitted on (another seed, size and date):
 * average precision at least 1.5× the best single rule's, and recall ≥ 0.8 at precision ≥ 0.5.
 */
describe('fraud backtest', { timeout: 120_000 }, () => {
  let dir: string;
  let cleanup: () => void;
  let report: BacktestReport;
  let oneGo: BacktestReport;
  before(async () => {
    ({ dir, cleanup } = tempDir('shoplake-backtest-'));
    await generate({
      ...generateDefaults,
      orders: 25_000,
      customers: 2500,
      events: 1000,
      days: 30,
      seed: 77,
      asOf: new Date('2026-06-01T00:00:00Z'),
      out: dir,
    });
    await buildLake(dir);
    const engine = await openLake(dir);
    try {
      report = await backtest(engine, dir, SHIPPED_WEIGHTS);
      oneGo = await oneGoBacktest(engine, dir, SHIPPED_WEIGHTS);
    } finally {
      await engine.close();
    }
  });
  after(() => cleanup?.());

  it("streaming the lake gives exactly the one-go replay's report: curve, average precisions, calibration, alerts a day", () => {
    // The one-go replay (every order at once, metrics.ts over per-order arrays) is how the backtest worked
    // before it streamed; equal to the last bit, not approximately.
    assert.deepEqual(report, oneGo);
    assert.ok(report.curve.length > 20 && report.model.atThreshold.flagged > 100);
  });

  it('beats the best single rule 1.5× on average precision', (t) => {
    t.diagnostic(
      `model AP ${report.model.averagePrecision.toFixed(3)}, forest ${report.forestAlone.averagePrecision.toFixed(3)}, best rule ${report.bestRule.name} ${report.bestRule.averagePrecision.toFixed(3)}`,
    );
    assert.ok(report.model.averagePrecision >= 1.5 * report.bestRule.averagePrecision);
    assert.ok(report.model.averagePrecision > report.forestAlone.averagePrecision);
  });

  it('reaches recall 0.8 at precision 0.5', (t) => {
    t.diagnostic(
      `recall at precision ≥ 0.5: ${report.model.recallAtPrecision50.toFixed(3)}; at the threshold: ${JSON.stringify(report.model.atThreshold)}`,
    );
    assert.ok(report.model.recallAtPrecision50 >= 0.8);
  });

  it('is calibrated: in each well-filled score band the share of fraud is near the mean score', (t) => {
    for (const band of report.calibration) {
      t.diagnostic(
        `${band.from}–${band.to}: ${band.orders} orders, mean score ${band.meanScore.toFixed(3)}, fraud ${band.fraudShare.toFixed(3)}`,
      );
      if (band.orders < 50) continue;
      // Mid bands run up to 0.2 under-confident on this dataset (docs/FRAUD.md "Thresholds"); beyond 0.25 the
      // score could no longer be read as a probability.
      assert.ok(Math.abs(band.meanScore - band.fraudShare) < 0.25, `band ${band.from}–${band.to}`);
    }
    assert.equal(
      report.calibration.reduce((n, b) => n + b.orders, 0),
      report.orders,
    );
  });

  it('counts orders, fraud labels and alerts a day consistently', () => {
    assert.equal(report.orders, 25_000);
    assert.ok(report.fraud > 200 && report.fraud < 750, `${report.fraud} labelled`);
    assert.ok(Math.abs(report.model.alertsPerDay * report.days - report.model.atThreshold.flagged) < 1e-6);
  });
});
