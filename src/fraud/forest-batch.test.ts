import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { FEATURES, FraudState } from './features.js';
import { IsolationForest } from './isolation-forest.js';
import { FraudModel, type FraudScore } from './model.js';
import type { OrderFacts } from './order-facts.js';
import { seededRandom } from './random.js';
import { SHIPPED_WEIGHTS } from './shipped-weights.js';

const WIDTH = FEATURES.length;
const SPECIAL = [Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY, 0, -0];

// Rows of mixed scales; with `specials`, one value in ten is NaN, ±∞ or a signed zero.
function randomRows(n: number, seed: number, specials: boolean): Float64Array[] {
  const random = seededRandom(seed);
  return Array.from({ length: n }, () => {
    const row = new Float64Array(WIDTH);
    for (let f = 0; f < WIDTH; f++) {
      const v = f % 3 === 0 ? Math.floor(random() * 4) : (random() - 0.3) * 10 ** (f % 4);
      row[f] = specials && random() < 0.1 ? (SPECIAL[Math.floor(random() * SPECIAL.length)] as number) : v;
    }
    return row;
  });
}

describe('IsolationForest.scoreRows: the forest walked tree by tree over a batch', () => {
  it('gives every row exactly the score of the node-by-node walk, NaN and ±∞ features included', () => {
    const forest = IsolationForest.fit(randomRows(2000, 7, false), { trees: 100, sampleSize: 256, seed: 11 });
    // 3,001 rows: batches of every size 1..64 plus the rest, so the eight-row lanes and the leftover rows
    // both run.
    const rows = randomRows(3001, 13, true);
    const packed = new Float64Array(rows.length * WIDTH);
    rows.forEach((r, i) => {
      packed.set(r, i * WIDTH);
    });
    const scores = new Float64Array(rows.length);
    let at = 0;
    for (let size = 1; at < rows.length; size = (size % 64) + 1) {
      const n = Math.min(size, rows.length - at);
      const out = new Float64Array(n);
      forest.scoreRows(packed.subarray(at * WIDTH), WIDTH, n, out);
      scores.set(out, at);
      at += n;
    }
    let differ = 0;
    for (let i = 0; i < rows.length; i++) {
      const row = rows[i] as Float64Array;
      const walked = forest.walkScore(row);
      if (scores[i] !== walked || forest.score(row) !== walked) differ++;
    }
    assert.equal(differ, 0, `${differ} of ${rows.length} rows scored otherwise than the node-by-node walk`);
    // The rows' scores spread (a forest sending every row to one leaf would pass the comparison vacuously).
    assert.ok(new Set(scores).size > 1000, `${new Set(scores).size} distinct scores`);
  });
});

// Orders of 40 customers, often several within minutes (velocity reasons read the customer's recent orders),
// now and then shipped abroad from a new device.
function orders(n: number, seed: number): OrderFacts[] {
  const random = seededRandom(seed);
  let t = Date.UTC(2026, 10, 1);
  return Array.from({ length: n }, (_, i) => {
    t += random() < 0.3 ? 1000 : Math.floor(random() * 3_600_000);
    const odd = random() < 0.1;
    return {
      orderId: `O${i}`,
      customerId: random() < 0.02 ? null : `C${Math.floor(random() * 40)}`,
      productId: `P${Math.floor(random() * 10)}`,
      quantity: 1 + Math.floor(random() * (odd ? 12 : 3)),
      amount: Math.round(random() * (odd ? 3000 : 150) * 100) / 100,
      t,
      status: random() < 0.1 ? 'CANCELLED' : 'COMPLETED',
      region: odd ? 'EU-WEST' : 'US-EAST',
      payment: odd && random() < 0.5 ? 'gift_card' : 'card',
      ipCountry: odd ? 'RO' : 'US',
      deviceId: odd ? `D${i}` : 'D1',
      accountAgeDays: Math.floor(random() * 900),
    };
  });
}

function profiles(): Map<string, { region: string; signupMs: number }> {
  return new Map(Array.from({ length: 40 }, (_, c) => [`C${c}`, { region: 'US-EAST', signupMs: 0 }]));
}

describe('FraudModel.scoreAndLearnBatch: many orders scored with one forest walk', () => {
  it('gives every order the score, alert and reasons of scoring order by order, in the same order', () => {
    const stream = orders(3000, 5);
    // The forest grown on the stream's own features, as the model grows it from the lake's.
    const replay = new FraudState(profiles());
    const sample = stream.map((o) => {
      const { x } = replay.features(o);
      replay.update(o);
      return Float64Array.from(x);
    });
    const forest = IsolationForest.fit(sample, { trees: 100, sampleSize: 256, seed: 1 });
    // A bias that words some scores and not others: both ways through the batch run.
    const weights = { ...SHIPPED_WEIGHTS, bias: SHIPPED_WEIGHTS.bias + 4 };
    const one = new FraudModel(new FraudState(profiles()), forest, weights);
    const batched = new FraudModel(new FraudState(profiles()), forest, weights);
    const expected: FraudScore[] = [];
    const out = FraudModel.emptyScore();
    for (const o of stream) {
      one.scoreAndLearnInto(o, 0.5, out);
      expected.push({ ...out, reasons: [...out.reasons] });
    }
    const got: FraudScore[] = [];
    const random = seededRandom(3);
    for (let at = 0; at < stream.length; ) {
      // Hand-overs of 1 to 300 orders, as the live queue's due orders come.
      const part = stream.slice(at, at + 1 + Math.floor(random() * 300));
      batched.scoreAndLearnBatch(part, part.length, 0.5, out, (o) => {
        assert.equal(out.orderId, o.orderId);
        got.push({ ...out, reasons: [...out.reasons] });
      });
      at += part.length;
    }
    assert.equal(got.length, expected.length);
    for (let i = 0; i < expected.length; i++) assert.deepEqual(got[i], expected[i], `order ${i}`);
    const worded = expected.filter((s) => s.reasons.length > 0).length;
    assert.ok(worded > 100 && worded < 2500, `${worded} of 3000 scores worded`);
    assert.ok(
      expected.some((s) => s.reasons.some((r) => r.includes('orders in'))),
      'some velocity reason (read from the state) is worded',
    );
  });
});
