import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { CHURN_FEATURES, type ChurnCase, fitChurn, predictChurn, toCases } from './churn.js';

/** A small deterministic generator (LCG), so the cases do not depend on the code under test. */
function lcg(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 4294967296;
  };
}

/** 40 training cases: every fourth leaves (no order, no visit); everyone else orders (nobody is quiet). */
function cases(): ChurnCase[] {
  const rand = lcg(3);
  return Array.from({ length: 40 }, (_, i) => {
    const gone = i % 4 === 0 ? 1 : 0;
    const x = CHURN_FEATURES.map((_f, j) => rand() * 10 + (j === 0 ? gone * 20 : 0));
    return {
      role: 'train',
      customerId: `C${i}`,
      tier: 'BRONZE',
      x,
      y: gone,
      yGone: gone,
      yNoOrder: gone,
      facts: {
        recency: 0,
        gap: 1,
        orders90: 0,
        before90: 0,
        sessions30: 0,
        sessionsBefore: 0,
        usualSessions: 0,
        abandoned: 0,
        carts: 0,
        sinceVisit: 0,
        aov: 0,
        tenure: 0,
      },
      history: { customerId: `C${i}`, tier: 'BRONZE', lifetimeValue: 0, t: 30, x: 1, value: 1, future: 0 },
    };
  });
}

describe('fitChurn with the order target', () => {
  it('everyone who stayed ordered: the quiet part is the smoothed share 0.5 / 31, not a diverging fit', () => {
    const all = cases();
    const m = fitChurn(all, 30, 'order');
    const share = 0.5 / 31; // 30 stayed, none of them quiet
    assert.ok(m.quiet);
    assert.ok(Math.abs(m.quiet.intercept - Math.log(share / (1 - share))) < 1e-12);
    assert.ok(m.quiet.coef.every((w) => w === 0));
    // P(no order) = P(leave) + (1 − P(leave)) × share, for every case.
    for (const k of all) {
      const { p, pLeave } = predictChurn(m, k);
      assert.ok(Math.abs(p - (pLeave + (1 - pLeave) * share)) < 1e-12);
    }
  });

  it('the activity target has no quiet part: its probability is the leave probability', () => {
    const m = fitChurn(cases(), 30, 'activity');
    assert.equal(m.quiet, undefined);
    const k = cases()[0] as ChurnCase;
    const { p, pLeave } = predictChurn(m, k);
    assert.equal(p, pLeave);
  });
});

describe('churn features of a customer whose refunds outweigh their purchases', () => {
  it('are finite: the average order value is floored at 0 (log1p(0) = 0)', () => {
    const DAY = 86400;
    const c = 400 * DAY;
    // One purchase of 30 and a refund of 80 before the cut-off: value −50 over 1 order.
    const [k] = toCases(
      [
        {
          role: 'test',
          c,
          s0: 0,
          first_event: 0,
          customer_id: 'C1',
          tier: 'GOLD',
          lifetime_value: 100,
          signup: 0,
          orders_before: 1,
          value_before: -50,
          last_order: c - 10 * DAY,
          orders_90: 1,
          orders_next: 0,
          sessions_30: 1,
          sessions_prev_60: 0,
          carts_30: 0,
          abandoned_30: 0,
          sessions_next: 0,
          last_visit: c - DAY,
          sessions_14: 1,
          sessions_base: 0,
          first_visit: 0,
        },
      ],
      'order',
    );
    assert.ok(k);
    const aov = k.x[CHURN_FEATURES.indexOf('avg_order_value_log')];
    assert.equal(aov, 0);
    for (const [i, v] of k.x.entries()) assert.ok(Number.isFinite(v), `${CHURN_FEATURES[i]} = ${v}`);
  });
});
