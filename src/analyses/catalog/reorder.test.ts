import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { inStockDays, proposePolicy, uncensor } from './parts/reorder-policy.js';
import { simulatePolicy } from './parts/reorder-sim.js';

describe('reorder arithmetic, by hand', () => {
  it('reorder point μL + zσ√L and order quantity μ × order days, rounded up', () => {
    // μ 10, σ 4, L 4: μL = 40, σ√L = 8, z(0.95) = 1.644854 → 40 + 13.16 = 53.16 → 54; Q = 10 × 7 = 70.
    assert.deepEqual(proposePolicy({ mean: 10, sd: 4 }, 4, 0.95, 7), { reorderPoint: 54, orderQuantity: 70 });
    // z(0.5) = 0: no safety stock; Q never below 1.
    assert.deepEqual(proposePolicy({ mean: 0.01, sd: 1 }, 3, 0.5, 7), { reorderPoint: 1, orderQuantity: 1 });
    assert.deepEqual(proposePolicy({ mean: 0, sd: 0 }, 3, 0.99, 7), { reorderPoint: 0, orderQuantity: 1 });
  });

  it('replays an (s, Q) policy day by day', () => {
    // Start 5, demand 3 a day, s 4, Q 6, lead 2:
    // d0 5→2 (order, due d2) · d1 2→0, 1 short · d2 +6 → 3 (order, due d4) · d3 3→0 · d4 +6 → 3 (order).
    // Units on hand at day ends 2 + 0 + 3 + 0 + 3 = 8; filled 14 of 15.
    assert.deepEqual(
      simulatePolicy(5, [3, 3, 3, 3, 3], new Map(), { reorderPoint: 4, orderQuantity: 6 }, 2),
      {
        shortUnits: 1,
        stockoutDays: 1,
        fillRate: 14 / 15,
        unitDays: 8,
        orders: 3,
      },
    );
    // Stock already on its way counts in the position: 10 due on day 1 keeps the policy from ordering.
    const piped = simulatePolicy(0, [2, 2, 2], new Map([[1, 10]]), { reorderPoint: 5, orderQuantity: 4 }, 5);
    assert.deepEqual([piped.shortUnits, piped.orders, piped.unitDays], [2, 0, 0 + 8 + 6]);
  });

  it('takes demand on days the warehouse ran out as at least the estimated mean', () => {
    // Start 2: d0 sells 2 → 0 (censored: 2), d1 0 left (censored: round(1.6) = 2), d2 +5 − 1 = 4.
    assert.deepEqual(uncensor(2, [2, 0, 1], new Map([[2, 5]]), 1.6), { demand: [2, 2, 1], censored: 2 });
  });

  it('estimates from the days before the cut-off that ended with stock', () => {
    // Counting back from the cut-off with 0 on hand: day 0 ended at 0 (dropped); day 1 ended at
    // 0 − 0 + 1 = 1 (kept, sold 2); day 2 ended at 1 − 5 + 2 = −2 (dropped).
    assert.deepEqual(inStockDays(0, [1, 2, 3], [0, 5, 0]), [2]);
  });
});
