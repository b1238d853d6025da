import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { DuckDbEngine } from '../../engines/testing.js';
import { isUserError } from '../../errors/index.js';
import { generate, generateDefaults } from '../../generate/index.js';
import { buildLake } from '../../ingest/index.js';
import { tempDir } from '../../testing/index.js';
import { findAnalysis, runAnalysis } from '../index.js';
import { averagePrecision, rocAuc } from '../models/index.js';
import { backtestScores } from './churn-backtest.js';
import { churnFeaturesSql } from './parts/churn-features.js';

const AS_OF = new Date('2025-06-01T00:00:00Z');
const DAY = 86400;

function csvRows(path: string): string[][] {
  return readFileSync(path, 'utf8')
    .trim()
    .split('\n')
    .slice(1)
    .map((l) => l.split(','));
}

async function lake(over: Partial<Parameters<typeof generate>[0]>) {
  const t = tempDir();
  await generate({ ...generateDefaults, asOf: AS_OF, out: t.dir, ...over });
  await buildLake(t.dir);
  return { ...t, engine: await DuckDbEngine.open(t.dir) };
}

async function userError(p: Promise<unknown>, pattern: RegExp): Promise<void> {
  await assert.rejects(p, (e: unknown) => isUserError(e) && pattern.test((e as Error).message));
}

// A 1,000-product catalog whose customers keep their tastes (docs/DATA.md): the recommenders must find them.
describe('recommendations on a long-tail catalog', () => {
  let t: Awaited<ReturnType<typeof lake>>;
  const run = async (name: string, params: Record<string, unknown> = {}) =>
    (await runAnalysis(t.engine, await findAnalysis(name), params)) as Record<string, unknown>[];

  before(async () => {
    t = await lake({
      products: 1000,
      orders: 50_000,
      customers: 5000,
      events: 200_000,
      historyDays: 365,
      // Not a seed the hybrid's weights were tuned on (42 and 7, docs/BENCHMARKS.md).
      seed: 11,
    });
  });
  after(async () => {
    await t?.engine.close();
    t?.cleanup();
  });

  it('recommend-backtest: the hybrid recalls at least 1.5× the held-out purchases most-popular does', async () => {
    const rows = await run('recommend-backtest');
    const by = new Map(rows.map((r) => [r.method, r]));
    const hybrid = Number(by.get('hybrid')?.recall_at_k);
    const knn = Number(by.get('item-knn')?.recall_at_k);
    const popular = Number(by.get('most-popular')?.recall_at_k);
    assert.ok(Number(by.get('hybrid')?.customers) > 300);
    // The goal, on a seed the weights were not tuned on (measured 1.58× here, docs/BENCHMARKS.md).
    assert.ok(hybrid >= 1.5 * popular, `hybrid recall ${hybrid} vs most-popular ${popular}`);
    assert.ok(hybrid > knn, `hybrid recall ${hybrid} vs item-kNN alone ${knn}`);
    assert.ok(knn >= 1.25 * popular, `item-knn recall ${knn} vs most-popular ${popular}`);
    assert.ok(Number(by.get('hybrid')?.ndcg_at_k) > Number(by.get('most-popular')?.ndcg_at_k));
  });

  it('also-bought finds the planted complements at the top', async () => {
    const planted = csvRows(join(t.dir, 'labels', 'copurchase.csv')).filter((r) => r[3] === '1');
    const sold = new Map(
      (await t.engine.query('SELECT product_id, count(*) AS n FROM orders GROUP BY product_id')).map((r) => [
        String(r.product_id),
        Number(r.n),
      ]),
    );
    // The 15 planted pairs whose first product sells most (a rarely sold product has too few baskets).
    const pairs = planted
      .sort((a, b) => (sold.get(b[0] ?? '') ?? 0) - (sold.get(a[0] ?? '') ?? 0))
      .slice(0, 15);
    let found = 0;
    for (const [from, to] of pairs) {
      const top = await run('also-bought', { product: from, limit: 5 });
      if (top.some((r) => r.product_id === to)) found++;
    }
    assert.ok(found >= 12, `${found} of ${pairs.length} planted complements in the top 5`);
  });

  it('recommend: similar items not bought before; GUEST and new customers get best sellers', async () => {
    const [buyer] = await t.engine.query(
      "SELECT customer_id, count(*) AS n FROM orders WHERE status <> 'CANCELLED' GROUP BY customer_id ORDER BY n DESC, customer_id LIMIT 1",
    );
    const id = String(buyer?.customer_id);
    const bought = new Set(
      (
        await t.engine.query(
          `SELECT DISTINCT product_id FROM orders WHERE customer_id = '${id}' AND status <> 'CANCELLED'`,
        )
      ).map((r) => String(r.product_id)),
    );
    const recs = await run('recommend', { customer: id, limit: 10 });
    assert.equal(recs.length, 10);
    assert.ok(recs.every((r) => !bought.has(String(r.product_id))));
    // A heavy buyer's list is personal: neighbours of what they bought, or best sellers of their categories.
    assert.ok(recs.every((r) => r.source === 'similar-items' || r.source === 'category-taste'));
    assert.ok(recs.some((r) => r.source === 'similar-items'));
    const guest = await run('recommend', { customer: 'GUEST', limit: 5 });
    assert.deepEqual(
      guest.map((r) => r.source),
      ['popular', 'popular', 'popular', 'popular', 'popular'],
    );
    // A customer with no order and no cart yet: the best sellers of their region.
    const [fresh] = await t.engine.query(
      `SELECT c.customer_id FROM customers c WHERE NOT EXISTS (SELECT 1 FROM orders o WHERE o.customer_id = c.customer_id)
         AND NOT EXISTS (SELECT 1 FROM clickstream e WHERE e.customer_id = c.customer_id) ORDER BY c.customer_id LIMIT 1`,
    );
    if (fresh) {
      const cold = await run('recommend', { customer: String(fresh.customer_id), limit: 3 });
      assert.ok(cold.every((r) => r.source === 'popular-in-region'));
    }
  });

  it('bad input is one user error: unknown customer or product', async () => {
    await userError(run('recommend', { customer: 'CUST99999' }), /unknown customer 'CUST99999'/);
    await userError(run('also-bought', { product: 'NOPE' }), /unknown product 'NOPE'/);
  });
});

// Churners fade before they go (docs/DATA.md, "Churn"); labels/churn.csv says when each went.
describe('churn prediction against the generator’s churn labels', () => {
  let t: Awaited<ReturnType<typeof lake>>;
  const run = async (name: string, params: Record<string, unknown> = {}) =>
    (await runAnalysis(t.engine, await findAnalysis(name), params)) as Record<string, unknown>[];

  before(async () => {
    // Seed 11: not one the churn features were chosen on (3 and 42, docs/BENCHMARKS.md).
    t = await lake({ orders: 30_000, customers: 2000, events: 1_500_000, historyDays: 365, seed: 11 });
  });
  after(async () => {
    await t?.engine.close();
    t?.cleanup();
  });

  it('ranks who churns in the next 30 days (labels) well above recency alone', async () => {
    const rows = await t.engine.query(churnFeaturesSql(true), { asOf: null, horizon: 30, activeDays: 180 });
    const { test } = backtestScores(rows, 30, 'order');
    const churnedAt = new Map(
      csvRows(join(t.dir, 'labels', 'churn.csv')).map(([id, at]) => [
        id,
        Date.parse(`${at?.replace(' ', 'T')}Z`) / 1000,
      ]),
    );
    const cut = AS_OF.getTime() / 1000 - 30 * DAY;
    // Customers who churned before the cut-off are not predictions.
    const kept = test.filter((s) => !((churnedAt.get(s.case.customerId) ?? Number.POSITIVE_INFINITY) < cut));
    const y = kept.map((s) =>
      (churnedAt.get(s.case.customerId) ?? Number.POSITIVE_INFINITY) < cut + 30 * DAY ? 1 : 0,
    );
    const positives = y.filter((v) => v === 1).length;
    assert.ok(positives >= 20, `${positives} churners in the test window`);
    // Who leaves is ranked by the leave probability (churn_probability also counts who stays but does not order).
    const auc = rocAuc(
      kept.map((s) => s.pLeave),
      y,
    );
    const ap = averagePrecision(
      kept.map((s) => s.pLeave),
      y,
    );
    const apRecency = averagePrecision(
      kept.map((s) => s.pRecency),
      y,
    );
    // At 5,000 customers AUC 0.81–0.84 on three seeds, 0.82 on this one (docs/BENCHMARKS.md); with 2,000
    // customers (39 churners in the window, 0.77 measured) the goal's 0.80 is within noise, so 0.72 here.
    assert.ok(auc >= 0.72, `AUC ${auc}`);
    assert.ok(ap >= 1.5 * apRecency, `average precision ${ap} vs recency alone ${apRecency}`);
  });

  it('churn-backtest: P(no order in 30 days) ranks and is calibrated on what happened, above recency alone', async () => {
    const rows = await run('churn-backtest');
    const [model, recency] = rows;
    assert.equal(model?.method, 'logistic-model');
    // Measured 0.86 against recency's 0.74 here (docs/BENCHMARKS.md).
    assert.ok(Number(model?.roc_auc) >= 0.8, `AUC ${model?.roc_auc}`);
    assert.ok(Number(model?.roc_auc) > Number(recency?.roc_auc));
    assert.ok(Number(model?.average_precision) > Number(recency?.average_precision));
    assert.ok(Number(model?.brier) < Number(recency?.brier));
    assert.ok(Number(model?.calibration_error) < 0.05, `calibration error ${model?.calibration_error}`);
  });

  it('churn-risk: probability, three reasons, value at risk = probability × predicted value', async () => {
    const rows = await run('churn-risk', { limit: 50, by: 'value' });
    assert.equal(rows.length, 50);
    for (const r of rows) {
      const p = Number(r.churn_probability);
      assert.ok(p >= 0 && p <= 1);
      // No order = leaving, or staying without an order: never less likely than leaving (to rounding).
      assert.ok(Number(r.leave_probability) <= p + 1e-4);
      assert.ok(
        Math.abs(Number(r.value_at_risk) - p * Number(r.predicted_value)) <
          0.01 + 1e-4 * Number(r.predicted_value),
      );
      assert.ok(String(r.reason_1).length > 0);
    }
    const values = rows.map((r) => Number(r.value_at_risk));
    assert.deepEqual(
      values,
      [...values].sort((a, b) => b - a),
    );
  });

  it('bad input is one user error: unknown customer, too little history', async () => {
    await userError(run('churn-risk', { customer: 'CUST99999' }), /not an active customer/);
    await userError(run('churn-risk', { asOf: '2024-06-20' }), /too little history/);
  });
});
