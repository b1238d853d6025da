import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { DuckDbEngine } from '../../engines/testing.js';
import { generate, generateDefaults } from '../../generate/index.js';
import { buildLake } from '../../ingest/index.js';
import { tempDir } from '../../testing/index.js';
import { findAnalysis, runAnalysis } from '../index.js';

const AS_OF = new Date('2024-12-02T00:00:00Z');
const SIZE = { orders: 6000, customers: 600, events: 40000, days: 28, seed: 11 };
const DAY = 86400;

// Patterns the generator puts in (docs/DATA.md, src/generate/): device drop-off, churn, a known A/B lift.
describe('analyses find the generator’s patterns', () => {
  let engine: DuckDbEngine;
  let cleanup: () => void;
  let dir: string;
  const run = async (name: string, params: Record<string, unknown> = {}) =>
    (await runAnalysis(engine, await findAnalysis(name), params)) as Record<string, unknown>[];

  before(async () => {
    const t = tempDir();
    cleanup = t.cleanup;
    dir = t.dir;
    await generate({
      ...generateDefaults,
      ...SIZE,
      asOf: AS_OF,
      out: dir,
      experiment: { name: 'checkout-test', lift: 0.3, split: 0.5 },
    });
    await buildLake(dir);
    engine = await DuckDbEngine.open(dir);
  });
  after(async () => {
    await engine.close();
    cleanup();
  });

  it('mobile converts worse than desktop, with separated intervals', async () => {
    const rows = await run('conversion-by-device');
    const by = (d: string) => (rows.find((r) => r.device === d) ?? {}) as Record<string, unknown>;
    assert.ok(Number(by('mobile').ci_high) < Number(by('desktop').ci_low), JSON.stringify(rows));
    const funnel = await run('funnel', { by: 'device' });
    const last = (d: string) =>
      funnel.find((r) => r.segment === d && r.step === 4)?.conversion_from_first as number;
    assert.ok(last('mobile') < last('desktop'));
  });

  it('the experiment’s true lift lies inside the reported interval, without SRM', async () => {
    const label = readFileSync(join(dir, 'labels', 'experiment.csv'), 'utf8')
      .trim()
      .split('\n')[1]
      ?.split(',');
    const trueLift = Number(label?.[1]);
    const [r] = await run('ab-test', { experiment: 'checkout-test' });
    assert.ok(r);
    assert.ok(
      Number(r.relative_ci_low) <= trueLift && trueLift <= Number(r.relative_ci_high),
      JSON.stringify(r),
    );
    assert.equal(r.srm_detected, false);
    assert.equal(r.significant, true);
  });

  it('customers who churned in the first half of the window land in At Risk, Hibernating or Lost', async () => {
    // labels/churn.csv holds each churned customer's churn instant: they stop ordering then.
    const windowStart = AS_OF.getTime() / 1000 - SIZE.days * DAY;
    const midpoint = windowStart + (SIZE.days / 2) * DAY;
    const labels = readFileSync(join(dir, 'labels', 'churn.csv'), 'utf8')
      .trim()
      .split('\n')
      .slice(1);
    const churned = new Set(
      labels
        .map((line) => line.split(','))
        .filter(([, at]) => Date.parse(`${at?.replace(' ', 'T')}Z`) / 1000 < midpoint)
        .map(([id]) => id),
    );
    const rows = await run('rfm-customers', { limit: '10000' });
    const low = new Set(['At Risk', "Can't Lose", 'Hibernating', 'Lost']);
    const mine = rows.filter((r) => churned.has(String(r.customer_id)));
    const others = rows.filter((r) => !churned.has(String(r.customer_id)));
    const share = (rs: typeof rows) => rs.filter((r) => low.has(String(r.segment))).length / rs.length;
    // A sample-size guard: 9 with the fraud generator of issue 13 (its draws shift which customers order).
    assert.ok(mine.length >= 8, `only ${mine.length} churned customers with orders`);
    assert.ok(share(mine) >= 0.8, `churned in low segments: ${share(mine)}`);
    assert.ok(share(others) < 0.5, `active in low segments: ${share(others)}`);
  });

  it('clv beats or matches the naive baseline on the holdout', async () => {
    const [model, naive] = await run('clv-backtest', { holdoutDays: '7' });
    assert.ok(model && naive);
    assert.ok(Number(model.mae) <= Number(naive.mae) * 1.05, JSON.stringify([model, naive]));
  });
});
