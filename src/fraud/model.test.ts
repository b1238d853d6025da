import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { FEATURES, FraudState } from './features.js';
import { FraudModel } from './model.js';
import type { OrderFacts } from './order-facts.js';
import { SHIPPED_WEIGHTS } from './shipped-weights.js';

const DAY = 86_400_000;
const T0 = Date.UTC(2026, 10, 1, 12);
const usual: OrderFacts = {
  orderId: 'O',
  customerId: 'C1',
  productId: 'P1',
  quantity: 1,
  amount: 80,
  t: T0,
  status: 'COMPLETED',
  region: 'US-EAST',
  payment: 'card',
  ipCountry: 'US',
  deviceId: 'D1',
  accountAgeDays: 400,
};
// Shipped away from home, from a new device in a foreign IP country: three strong signals at once.
const odd: OrderFacts = { ...usual, orderId: 'X', region: 'EU-WEST', ipCountry: 'RO', deviceId: 'D9' };

function history(): FraudState {
  const state = new FraudState(new Map([['C1', { region: 'US-EAST', signupMs: T0 - 400 * DAY }]]));
  for (let d = 30; d >= 2; d -= 2) state.update({ ...usual, orderId: `H${d}`, t: T0 - d * DAY });
  return state;
}

describe('FraudModel: the score and its reasons from the weights', () => {
  it('scores sigmoid(bias + w·x + anomaly weight × 0.5) without a forest, reasons the top three contributions', () => {
    const state = history();
    const { x } = state.features(odd);
    // The log-odds summed here independently of the model's loop; 0.5 is the anomaly score without a forest.
    let z = SHIPPED_WEIGHTS.bias + SHIPPED_WEIGHTS.anomalyWeight * 0.5;
    FEATURES.forEach((_, i) => {
      z += (SHIPPED_WEIGHTS.weights[i] as number) * (x[i] as number);
    });
    const s = new FraudModel(state, null, SHIPPED_WEIGHTS).score(odd, 0.3);
    assert.ok(Math.abs(s.score - 1 / (1 + Math.exp(-z))) < 1e-12, `${s.score} vs ${1 / (1 + Math.exp(-z))}`);
    assert.equal(s.alert, true);
    // Largest contributions: foreign IP (5.04), shipped away from home (4.85), new device (3.93).
    assert.deepEqual(s.reasons, [
      'IP address in RO, customer usually orders from US',
      'shipped to EU-WEST, customer lives in US-EAST',
      'placed from a device this customer never used before',
    ]);
  });

  it('gives each order the score a fresh model gives, whatever it scored before (the feature vector is reused)', () => {
    const reused = new FraudModel(history(), null, SHIPPED_WEIGHTS);
    reused.score(odd, 0.3);
    const after = reused.score({ ...usual, orderId: 'U', t: T0 + 60_000 }, 0.3);
    const fresh = new FraudModel(history(), null, SHIPPED_WEIGHTS).score(
      { ...usual, orderId: 'U', t: T0 + 60_000 },
      0.3,
    );
    assert.deepEqual(after, fresh);
    assert.ok(after.score < 0.1, `an ordinary order: ${after.score}`);
    assert.deepEqual(after.reasons, []);
  });
});
