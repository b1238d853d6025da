import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { z } from 'zod';
import type { Engine } from '../engines/index.js';
import { generate, generateDefaults } from '../generate/index.js';
import { buildLake } from '../ingest/index.js';
import { tempDir } from '../testing/index.js';
import { FraudState } from './features.js';
import { loadLabels, loadOrderFacts, loadProfiles, openLake } from './load.js';
import { FraudModel, type FraudScore } from './model.js';
import type { OrderFacts } from './order-facts.js';
import { OrderIdList } from './order-ids.js';
import { scoreRecord } from './records.js';
import { scoreUnscored } from './score-lake.js';
import { SHIPPED_WEIGHTS } from './shipped-weights.js';
import { loadFraudRows } from './store.js';
import { fitWeights, growForest, rebuildFromLake, replayFeatures, scoreLake, trainWeights } from './train.js';

const NOW = Date.parse('2026-06-02T00:00:00Z');
const ORDERS = 6000;
const stored = z.object({
  order_id: z.string(),
  score: z.coerce.number(),
  alert: z.coerce.number(),
  reasons: z.string().nullable(),
});
type Row = { order_id: string; score: number; alert: number; reasons: string };
const row = (r: Record<string, string | number>): Row => ({
  order_id: String(r.order_id),
  score: Number(r.score),
  alert: Number(r.alert),
  reasons: String(r.reasons ?? ''),
});

/**
 * Scoring a lake in batches (the lake streamed a few thousand orders at a time, read twice when many
 * orders lack a score, scores stored per small batch) gives exactly the scores of everything in one go:
 * every order loaded at once, the forest grown from the whole replay, then each order scored online
 * against the state before it (scoreAndLearn), the reference computed here without the batched code.
 */
describe('scoring the lake in batches', { timeout: 180_000 }, () => {
  let dir: string;
  let cleanup: () => void;
  let facts: OrderFacts[];
  let expected: Row[];
  before(async () => {
    ({ dir, cleanup } = tempDir('shoplake-score-lake-'));
    await generate({
      ...generateDefaults,
      orders: ORDERS,
      customers: 400,
      events: 500,
      days: 10,
      seed: 13,
      asOf: new Date('2026-06-01T00:00:00Z'),
      out: dir,
    });
    await buildLake(dir);
    const engine = await openLake(dir);
    try {
      facts = await loadOrderFacts(engine);
      const profiles = await loadProfiles(engine);
      const forest = growForest(replayFeatures(facts, profiles).sample);
      const online = new FraudModel(new FraudState(profiles), forest, SHIPPED_WEIGHTS);
      expected = facts.map((o) => row(scoreRecord(online.scoreAndLearn(o), SHIPPED_WEIGHTS.version, NOW)));
    } finally {
      await engine.close();
    }
  });
  after(() => cleanup?.());

  async function scoredBy(options: { batch: number; keepUnscored?: number }) {
    const engine = await openLake(dir);
    const calls: number[] = [];
    const scores: FraudScore[] = [];
    try {
      const r = await scoreLake(engine, SHIPPED_WEIGHTS, {
        ...options,
        onScores: (s, f) => {
          calls.push(s.length);
          assert.deepEqual(
            f.map((o) => o.orderId),
            s.map((x) => x.orderId),
          );
          scores.push(...s);
        },
      });
      return { ...r, calls, rows: scores.map((s) => row(scoreRecord(s, SHIPPED_WEIGHTS.version, NOW))) };
    } finally {
      await engine.close();
    }
  }

  // serve's rebuild with its scores gathered as they are handed over, and the size of each hand-over.
  async function rebuiltBy(engine: Engine, options: { batch?: number; keepUnscored?: number }) {
    const calls: number[] = [];
    const scores: FraudScore[] = [];
    const factIds: string[] = [];
    const r = await rebuildFromLake(engine, SHIPPED_WEIGHTS, SHIPPED_WEIGHTS.threshold, {
      ...options,
      onScores: (s, f) => {
        calls.push(s.length);
        scores.push(...s);
        factIds.push(...f.map((o) => o.orderId));
      },
    });
    return {
      ...r,
      calls,
      factIds,
      rows: scores.map((s) => row(scoreRecord(s, SHIPPED_WEIGHTS.version, NOW))),
    };
  }

  it("serve's rebuild of a never-scored lake hands its scores over in batches as it reads, one read or two", async () => {
    const engine = await openLake(dir);
    try {
      for (const keepUnscored of [undefined, 0]) {
        const r = await rebuiltBy(engine, {
          batch: 700,
          ...(keepUnscored === undefined ? {} : { keepUnscored }),
        });
        // Regression: serve's rebuild returned every unscored order's score in one array (millions on a
        // lake loaded without scores); now each hand-over is at most one batch.
        assert.ok(r.calls.length >= Math.ceil(ORDERS / 700), `${r.calls.length} hand-overs`);
        assert.ok(Math.max(...r.calls) <= 700);
        assert.equal(r.unscored, ORDERS);
        assert.deepEqual(r.rows, expected);
        assert.deepEqual(
          r.factIds,
          facts.map((o) => o.orderId),
        );
        assert.deepEqual(
          [...r.known],
          facts.map((o) => o.orderId),
        );
        assert.equal(r.model.state.orders, ORDERS);
      }
    } finally {
      await engine.close();
    }
  });

  it('the lake holds several stream batches of orders and some alerts (the fixture tests something)', () => {
    assert.equal(facts.length, ORDERS);
    assert.ok(expected.filter((r) => r.alert === 1).length > 10);
    assert.ok(expected.filter((r) => r.reasons !== '').length > 100);
  });

  it("serve's rebuild scores the lake's unscored orders as online, reasons included", async () => {
    const engine = await openLake(dir);
    try {
      const rebuilt = await rebuiltBy(engine, {});
      assert.deepEqual(rebuilt.rows, expected);
      assert.deepEqual(
        rebuilt.factIds,
        facts.map((o) => o.orderId),
      );
      // Regression: reasons were once worded after the whole replay, from each customer's last state, so
      // "N small orders in 10 minutes" counted the order itself twice, or lost orders that the last 32
      // had pushed out. The fixture has such orders: the old way words them differently.
      const profiles = await loadProfiles(engine);
      const replay = replayFeatures(facts, profiles);
      const model = new FraudModel(replay.state, growForest(replay.sample), SHIPPED_WEIGHTS);
      const old = replay.kept.map((k) =>
        row(scoreRecord(model.scoreVector(k.o, k.x, k.context), SHIPPED_WEIGHTS.version, NOW)),
      );
      assert.deepEqual(
        old.map((r) => r.score),
        expected.map((r) => r.score),
      );
      assert.ok(old.some((r, i) => r.reasons !== expected[i]?.reasons));
    } finally {
      await engine.close();
    }
  });

  it('two reads of the lake, scores handed over 1,000 at a time: the same scores and reasons', async () => {
    const r = await scoredBy({ batch: 1000, keepUnscored: 0 });
    assert.equal(r.passes, 2);
    assert.equal(r.orders, ORDERS);
    assert.equal(r.unscored, ORDERS);
    assert.deepEqual(r.calls, Array(6).fill(1000));
    assert.deepEqual(r.rows, expected);
  });

  it('one read keeping the unscored orders, scores handed over 700 at a time: the same', async () => {
    const r = await scoredBy({ batch: 700 });
    assert.equal(r.passes, 1);
    assert.deepEqual(r.calls, [...Array(8).fill(700), ORDERS - 8 * 700]);
    assert.deepEqual(r.rows, expected);
  });

  it('a keep limit reached midway falls back to a second read: the same', async () => {
    const r = await scoredBy({ batch: 100_000, keepUnscored: 2500 });
    assert.equal(r.passes, 2);
    assert.deepEqual(r.calls, [ORDERS]);
    assert.deepEqual(r.rows, expected);
  });

  it('after a run stopped midway (2 of 6 batches stored), the next run stores exactly the rest', async () => {
    // The first two batches a stopped run stored, as it stored them.
    const engine = await openLake(dir);
    let done: FraudScore[] = [];
    try {
      await scoreLake(engine, SHIPPED_WEIGHTS, {
        batch: 1000,
        keepUnscored: 0,
        onScores: (s) => {
          if (done.length < 2000) done = done.concat(s);
        },
      });
    } finally {
      await engine.close();
    }
    for (let i = 0; i < 2000; i += 1000)
      await loadFraudRows(
        dir,
        'fraud_scores',
        done.slice(i, i + 1000).map((s) => scoreRecord(s, SHIPPED_WEIGHTS.version, NOW)),
      );
    const report = await scoreUnscored(dir, NOW, { batch: 1000, keepUnscored: 0 });
    assert.equal(report.scored, ORDERS - 2000);
    assert.equal(report.alerts, expected.slice(2000).filter((r) => r.alert === 1).length);
    const lake = await openLake(dir);
    try {
      const rows = (await lake.query('SELECT order_id, score, alert, reasons FROM fraud_scores')).map((r) => {
        const v = stored.parse(r);
        return { ...v, reasons: v.reasons ?? '' };
      });
      const byId = new Map(rows.map((r) => [r.order_id, r]));
      assert.equal(rows.length, ORDERS);
      assert.deepEqual(
        expected.map((r) => byId.get(r.order_id)),
        expected,
      );
    } finally {
      await lake.close();
    }
    assert.equal((await scoreUnscored(dir, NOW)).scored, 0, 'a further run finds nothing to score');
  });

  it("serve's rebuild: every order id in time order, the same model state, nothing left unscored", async () => {
    const engine = await openLake(dir);
    try {
      const rebuilt = await rebuiltBy(engine, { keepUnscored: 0 });
      assert.equal(rebuilt.unscored, 0);
      assert.deepEqual(rebuilt.calls, []);
      assert.equal(rebuilt.known.length, ORDERS);
      assert.deepEqual(
        [...rebuilt.known],
        facts.map((o) => o.orderId),
      );
      assert.equal(rebuilt.model.state.orders, ORDERS);
    } finally {
      await engine.close();
    }
  });

  it('training reads the lake once in batches and fits exactly the weights of the one-go fit', async () => {
    const engine = await openLake(dir);
    try {
      const labels = await loadLabels(engine, dir);
      const replay = replayFeatures(facts, await loadProfiles(engine));
      const forest = growForest(replay.sample);
      const oneGo = fitWeights(
        replay.rows,
        replay.rows.map((r) => (forest ? forest.score(r) : 0.5)),
        facts.map((o) => (labels.get(o.orderId) ? 1 : 0)),
        'v',
      );
      assert.ok(labels.size > 10);
      assert.deepEqual(await trainWeights(engine, dir, 'v'), oneGo);
    } finally {
      await engine.close();
    }
  });
});

describe('OrderIdList', () => {
  it('gives back every id in order across its blocks, and counts them', () => {
    const ids = Array.from({ length: 10_000 }, (_, i) => `ORD${String(i * 7919).padStart(9, '0')}-${i % 13}`);
    const list = new OrderIdList();
    for (const id of ids) list.push(id);
    assert.equal(list.length, 10_000);
    assert.deepEqual([...list], ids);
    assert.deepEqual([...new OrderIdList()], []);
    list.clear();
    assert.equal(list.length, 0);
    assert.deepEqual([...list], []);
    list.push('A1');
    assert.deepEqual([...list], ['A1']);
  });
});
