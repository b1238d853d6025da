import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { FraudState } from './features.js';
import { LiveQueue } from './live-queue.js';
import { FraudModel } from './model.js';
import type { OrderFacts } from './order-facts.js';
import { SHIPPED_WEIGHTS } from './shipped-weights.js';
import { WaitingOrders } from './waiting-orders.js';

const order = (id: string, amount = 20): OrderFacts => ({
  orderId: id,
  customerId: 'C1',
  productId: 'P1',
  quantity: 1,
  amount,
  t: Date.UTC(2026, 10, 25, 10),
  status: 'PENDING',
  region: 'US-EAST',
  payment: null,
  ipCountry: null,
  deviceId: null,
  accountAgeDays: null,
});

// The arrival ring drained as LiveQueue.next drains it once every order waited long enough.
function drainArrival(w: WaitingOrders): string[] {
  const out: string[] = [];
  for (;;) {
    const s = w.oldestWaiting();
    if (s < 0) return out;
    w.shiftArrival();
    out.push(w.factsOf(s).orderId);
    w.remove(s);
  }
}

describe('WaitingOrders: slots found by id, in arrival and early order', () => {
  it('grows past its first size and keeps every order, in arrival order, with its own facts', () => {
    const w = new WaitingOrders(16);
    assert.equal(w.capacity, 16);
    for (let i = 0; i < 32; i++) w.add(order(`O${i}`, i), i, false);
    // Every slot of both sizes used before the next growth.
    assert.equal(w.capacity, 32);
    for (let i = 32; i < 40; i++) w.add(order(`O${i}`, i), i, false);
    assert.equal(w.size, 40);
    assert.equal(w.capacity, 64);
    for (let i = 0; i < 40; i++) {
      const s = w.find(`O${i}`);
      assert.ok(s >= 0, `O${i}`);
      assert.equal(w.factsOf(s).amount, i);
      assert.equal(w.arrivedAt(s), i);
    }
    assert.equal(w.find('O40'), -1);
    assert.deepEqual(
      drainArrival(w),
      Array.from({ length: 40 }, (_, i) => `O${i}`),
    );
    assert.equal(w.size, 0);
  });

  it('removal in the middle: the others are still found, and the removed one is skipped in the ring', () => {
    const w = new WaitingOrders(16);
    for (const id of ['A', 'B', 'C', 'D', 'E']) w.add(order(id), 0, false);
    w.remove(w.find('C'));
    w.remove(w.find('A'));
    assert.equal(w.find('C'), -1);
    assert.equal(w.find('A'), -1);
    for (const id of ['B', 'D', 'E']) assert.ok(w.find(id) >= 0, id);
    // A freed slot taken again by a new order: the old ring entry for it is stale, the new one counts.
    w.add(order('F'), 1, false);
    assert.deepEqual(drainArrival(w), ['B', 'D', 'E', 'F']);
  });

  it('an id removed and seen again is a new order, found once', () => {
    const w = new WaitingOrders(16);
    w.add(order('A', 1), 0, false);
    w.remove(w.find('A'));
    w.add(order('A', 2), 5, false);
    assert.equal(w.size, 1);
    assert.equal(w.factsOf(w.find('A')).amount, 2);
    assert.deepEqual(drainArrival(w), ['A']);
  });

  it('early slots come out in the order their checks came, once, and leave the arrival ring', () => {
    const w = new WaitingOrders(16);
    for (const id of ['A', 'B', 'C']) w.add(order(id), 0, false);
    w.add(order('D'), 0, true);
    w.markEarly(w.find('C'));
    w.markEarly(w.find('C'));
    assert.equal(w.hasEarly(), true);
    const taken: string[] = [];
    for (let s = w.takeEarly(); s >= 0; s = w.takeEarly()) {
      taken.push(w.factsOf(s).orderId);
      w.remove(s);
    }
    assert.deepEqual(taken, ['D', 'C']);
    assert.equal(w.hasEarly(), false);
    assert.deepEqual(drainArrival(w), ['A', 'B']);
  });

  it('an early slot freed and taken again by another early order comes after the ones before it', () => {
    const w = new WaitingOrders(16);
    w.add(order('A'), 0, true);
    w.add(order('C'), 0, true);
    const a = w.find('A');
    w.remove(a);
    // The last freed slot is the next taken: B gets A's slot, and the ring's first entry for it is stale.
    w.add(order('B'), 0, true);
    assert.equal(w.find('B'), a);
    const taken: string[] = [];
    for (let s = w.takeEarly(); s >= 0; s = w.takeEarly()) {
      taken.push(w.factsOf(s).orderId);
      w.remove(s);
    }
    assert.deepEqual(taken, ['C', 'B']);
    // A stale early entry whose slot now holds an order still waiting for its checks is not an early order.
    w.add(order('P'), 0, true);
    const p = w.find('P');
    w.remove(p);
    w.add(order('Q'), 0, false);
    assert.equal(w.find('Q'), p);
    assert.equal(w.hasEarly(), false);
  });

  it('a slot is in the early ring once, leaves the arrival order when its checks come, and is freed once', () => {
    const w = new WaitingOrders(16);
    w.add(order('A'), 0, false);
    w.add(order('B'), 0, false);
    w.add(order('E'), 0, true);
    const a = w.find('A');
    w.markEarly(a);
    w.markEarly(a);
    w.markEarly(w.find('E'));
    assert.equal(w.oldestWaiting(), w.find('B'));
    assert.equal(w.takeEarly(), w.find('E'));
    assert.equal(w.takeEarly(), a);
    assert.equal(w.takeEarly(), -1);
    w.remove(a);
    w.remove(a);
    assert.equal(w.size, 2);
    w.add(order('X'), 0, false);
    w.add(order('Y'), 0, false);
    // Freed twice, A's slot would be handed to both.
    assert.notEqual(w.find('X'), w.find('Y'));
  });

  it('agrees with a Map and an array under 20,000 random adds and removals (clusters, growth, reuse)', () => {
    const w = new WaitingOrders(16);
    const ref = new Map<string, number>();
    let seed = 12345;
    const rand = () => {
      seed = (Math.imul(seed, 1103515245) + 12345) & 0x7fffffff;
      return seed / 0x80000000;
    };
    for (let step = 0; step < 20_000; step++) {
      const id = `K${Math.floor(rand() * 600)}`;
      const s = w.find(id);
      assert.equal(s >= 0, ref.has(id), `step ${step}: ${id}`);
      if (s >= 0) {
        assert.equal(w.factsOf(s).amount, ref.get(id));
        if (rand() < 0.7) {
          w.remove(s);
          ref.delete(id);
        }
      } else {
        w.add(order(id, step), step, false);
        ref.set(id, step);
      }
      assert.equal(w.size, ref.size);
    }
    for (const [id, amount] of ref) assert.equal(w.factsOf(w.find(id)).amount, amount);
    // Arrival order of the ones still held: the order they were added in (a Map keeps insertion order).
    assert.deepEqual(drainArrival(w), [...ref.keys()]);
  });
});

const model = () => new FraudModel(new FraudState(), null, SHIPPED_WEIGHTS);
const checks = { payment: 'gift_card', ipCountry: 'RO', deviceId: 'D1', accountAgeDays: 3 };

describe('LiveQueue over WaitingOrders: hand-built streams', () => {
  it('a check before its order, an order whose check never comes, an id seen twice, 2,000 waiting at once', () => {
    const q = new LiveQueue(300);
    const m = model();
    q.addChecks('EARLY', checks);
    for (let i = 0; i < 2000; i++) q.addOrder(order(`W${i}`), 1000);
    q.addOrder(order('EARLY'), 1000);
    q.addOrder(order('W5', 99), 1001);
    q.addChecks('W7', checks);
    // A second check line for an order whose checks are in already changes nothing of it.
    q.addChecks('W7', { ...checks, payment: 'card', deviceId: 'D2' });
    assert.equal(q.size, 2001);
    // At once: the orders whose checks are in, with those checks, in the order the checks came to them.
    const first = q.scoreDue(m, 0.3, 1000, 10_000);
    assert.deepEqual(
      first.facts.map((f) => [f.orderId, f.payment, f.deviceId, f.accountAgeDays]),
      [
        ['EARLY', 'gift_card', 'D1', 3],
        ['W7', 'gift_card', 'D1', 3],
      ],
    );
    assert.equal(q.dueIn(1000), 300);
    // After the wait: the rest, in arrival order, with no checks; W5 once, with its first line's amount.
    const rest = q.scoreDue(m, 0.3, 1300, 10_000);
    const expected = Array.from({ length: 2000 }, (_, i) => `W${i}`).filter((id) => id !== 'W7');
    assert.deepEqual(
      rest.facts.map((f) => f.orderId),
      expected,
    );
    assert.equal(rest.facts[5]?.amount, 20);
    assert.equal(
      rest.facts.every((f) => f.payment === null),
      true,
    );
    assert.equal(q.size, 0);
    assert.equal(q.dueIn(1300), null);
  });
});
