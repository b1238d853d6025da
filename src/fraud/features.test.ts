import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { FEATURES, FraudState } from './features.js';
import type { OrderFacts } from './order-facts.js';

const MIN = 60_000;
const T0 = Date.UTC(2026, 10, 1, 12);
const base: OrderFacts = {
  orderId: 'O',
  customerId: 'C1',
  productId: 'P1',
  quantity: 1,
  amount: 100,
  t: T0,
  status: 'COMPLETED',
  region: 'US-EAST',
  payment: 'card',
  ipCountry: 'US',
  deviceId: 'D1',
  accountAgeDays: 400,
};
const f = (x: Float64Array, name: (typeof FEATURES)[number]) => x[FEATURES.indexOf(name)] as number;

describe('fraud features', () => {
  it('counts the customer’s earlier orders in each window, and knows a first order', () => {
    const state = new FraudState(new Map([['C1', { region: 'US-EAST', signupMs: T0 - 400 * 86_400_000 }]]));
    assert.equal(f(state.features(base).x, 'no_history'), 1);
    // Earlier orders 2 days, 50 minutes, 8 minutes and 1 minute before the scored one.
    for (const back of [2 * 24 * 60, 50, 8, 1])
      state.update({ ...base, orderId: `O${back}`, t: T0 - back * MIN });
    const { x } = state.features(base);
    assert.equal(f(x, 'no_history'), 0);
    assert.equal(f(x, 'orders_10m'), Math.log1p(2));
    assert.equal(f(x, 'orders_1h'), Math.log1p(3));
  });

  it('sees a new device, a foreign IP country, a new shipping region and a changed payment method', () => {
    const state = new FraudState(new Map([['C1', { region: 'US-EAST', signupMs: null }]]));
    for (let d = 10; d >= 2; d--) state.update({ ...base, orderId: `O${d}`, t: T0 - d * 86_400_000 });
    const same = state.features(base).x;
    for (const name of [
      'new_device',
      'foreign_ip',
      'new_ip_country',
      'new_ship_region',
      'ships_away_from_home',
      'payment_change',
    ] as const)
      assert.equal(f(same, name), 0, name);
    const odd = state.features({
      ...base,
      deviceId: 'D9',
      ipCountry: 'RO',
      region: 'LATAM',
      payment: 'gift_card',
    }).x;
    for (const name of [
      'new_device',
      'foreign_ip',
      'new_ip_country',
      'new_ship_region',
      'ships_away_from_home',
      'payment_change',
      'gift_card',
      'new_device_and_foreign_ip',
    ] as const)
      assert.equal(f(odd, name), 1, name);
  });

  it('measures the amount against the customer’s history in standard deviations of log amounts', () => {
    const state = new FraudState();
    // log amounts ln 50 and ln 200: mean ln 100, sample sd = ln 4 / √2 ≈ 0.980.
    state.update({ ...base, orderId: 'A', amount: 50, t: T0 - 5 * 86_400_000 });
    state.update({ ...base, orderId: 'B', amount: 200, t: T0 - 4 * 86_400_000 });
    const x = state.features({ ...base, amount: 1600 }).x;
    const expected = Math.log(16) / (Math.log(4) / Math.SQRT2);
    assert.ok(
      Math.abs(f(x, 'amount_vs_customer') - expected) < 1e-9,
      `${f(x, 'amount_vs_customer')} vs ${expected}`,
    );
  });

  it('flags a new account with a large basket, and the share of earlier orders cancelled', () => {
    const state = new FraudState();
    for (let i = 0; i < 20; i++)
      state.update({ ...base, customerId: `K${i}`, orderId: `K${i}`, amount: 100 });
    state.update({ ...base, customerId: 'C2', orderId: 'X1', status: 'CANCELLED', t: T0 - MIN * 30 });
    state.update({ ...base, customerId: 'C2', orderId: 'X2', t: T0 - MIN * 20 });
    const young = state.features({ ...base, customerId: 'C2', accountAgeDays: 2, amount: 5000 }).x;
    assert.ok(f(young, 'new_account_large_basket') > 0);
    assert.equal(f(young, 'prior_cancel_rate'), 0.5);
    const old = state.features({ ...base, customerId: 'C2', accountAgeDays: 30, amount: 5000 }).x;
    assert.equal(f(old, 'new_account_large_basket'), 0);
  });
});

describe('fraud features into a reused vector', () => {
  it('writes every element: a vector full of earlier values gives what a fresh one gives', () => {
    const state = new FraudState(new Map([['C1', { region: 'US-EAST', signupMs: T0 - 3 * 86_400_000 }]]));
    for (let d = 5; d >= 1; d--) state.update({ ...base, orderId: `O${d}`, t: T0 - d * MIN, amount: 20 });
    for (const o of [
      base,
      { ...base, customerId: null },
      { ...base, customerId: 'NEW', payment: 'gift_card', amount: 30 },
      { ...base, region: 'EU-WEST', ipCountry: 'RO', deviceId: 'D2', accountAgeDays: 2, amount: 5000 },
    ]) {
      const dirty = new Float64Array(FEATURES.length).fill(Number.NaN);
      assert.deepEqual(state.features(o, dirty).x, state.features(o).x);
    }
  });

  it('takes the usual IP country and payment as the most frequent, the first seen of those tied', () => {
    const state = new FraudState();
    const seen = (ip: string, payment: string, n: number) =>
      state.update({ ...base, orderId: `O${n}`, ipCountry: ip, payment, t: T0 - (10 - n) * MIN });
    const usual = (ip: string, payment: string) => {
      const { context } = state.features({ ...base, ipCountry: ip, payment });
      return [context.topIp, context.topPayment];
    };
    // By hand: DE 1, US 0 → DE; then US 1 ties DE 1 → DE (seen first); US 2 → US; DE 2 ties → DE again.
    seen('DE', 'paypal', 1);
    assert.deepEqual(usual('US', 'card'), ['DE', 'paypal']);
    seen('US', 'card', 2);
    assert.deepEqual(usual('US', 'card'), ['DE', 'paypal']);
    seen('US', 'card', 3);
    assert.deepEqual(usual('US', 'card'), ['US', 'card']);
    seen('DE', 'paypal', 4);
    assert.deepEqual(usual('US', 'card'), ['DE', 'paypal']);
    assert.equal(f(state.features({ ...base, ipCountry: 'US' }).x, 'foreign_ip'), 1);
    assert.equal(f(state.features({ ...base, ipCountry: 'DE' }).x, 'foreign_ip'), 0);
  });
});
