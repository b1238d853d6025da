import assert from 'node:assert/strict';
import { test } from 'node:test';
import { DuckDbEngine } from '../engines/testing.js';
import { TABLES } from '../lake/index.js';
import { SCORE_KEYS } from './fraud-keys.js';
import { RecordValidator } from './records.js';
import { testCollector } from './testkit.test-helper.js';

const score = (id: string, value: number) => ({
  order_id: id,
  customer_id: 'C1',
  order_date: '2025-11-28 10:00:00',
  scored_at: '2025-11-28 10:00:01',
  score: value,
  alert: value >= 0.3 ? 1 : 0,
  reasons: '',
  model: 'test-1',
});

test('appendValidated stores lines validated elsewhere once per key, beside what collect() stored', async () => {
  const t = await testCollector();
  try {
    // The lines as the fraud worker makes them: the same validator, JSON per line, keyed by order id.
    const validator = new RecordValidator(TABLES.fraud_scores);
    const lines = (rows: ReturnType<typeof score>[]) =>
      rows.map((r, i) => {
        const v = validator.validate(r, i);
        assert.ok('record' in v);
        return { key: validator.key(v.record), line: JSON.stringify(v.record) };
      });
    const first = lines([score('S1', 0.1), score('S2', 0.9)]);
    assert.deepEqual(
      await t.collector.appendValidated(
        'fraud_scores',
        first.map((l) => l.key),
        first.map((l) => `${l.line}\n`).join(''),
      ),
      { accepted: 2, duplicate: 0 },
    );
    // S2 again (a second score of one order) is a duplicate; S3 came in through collect() already.
    const viaCollect = await t.collector.collect('fraud_scores', {
      items: [{ index: 0, value: score('S3', 0.5) }],
      unparsable: [],
    });
    assert.equal(viaCollect.accepted, 1);
    const second = lines([score('S2', 0.2), score('S3', 0.4), score('S4', 0.05)]);
    assert.deepEqual(
      await t.collector.appendValidated(
        'fraud_scores',
        second.map((l) => l.key),
        second.map((l) => `${l.line}\n`).join(''),
      ),
      { accepted: 1, duplicate: 2 },
    );
    await t.collector.compactNow();
    const engine = await DuckDbEngine.open(t.dir);
    try {
      const rows = await engine.query('SELECT order_id, score FROM fraud_scores ORDER BY order_id');
      assert.deepEqual(
        rows.map((r) => [String(r.order_id), Number(r.score)]),
        [
          ['S1', 0.1],
          ['S2', 0.9],
          ['S3', 0.5],
          ['S4', 0.05],
        ],
      );
    } finally {
      await engine.close();
    }
  } finally {
    await t.close();
  }
});

test('score keys: the collector remembers the last SCORE_KEYS, and the lake keeps one score per order beyond them', async () => {
  const t = await testCollector();
  try {
    const line = (id: string, value: number) => `${JSON.stringify(score(id, value))}\n`;
    assert.deepEqual(await t.collector.appendValidated('fraud_scores', ['K0'], line('K0', 0.7)), {
      accepted: 1,
      duplicate: 0,
    });
    await t.collector.compactNow();
    // SCORE_KEYS other scores: K0 is then forgotten by the collector (not by the lake).
    const ids = Array.from({ length: SCORE_KEYS }, (_, i) => `F${i}`);
    await t.collector.appendValidated('fraud_scores', ids, ids.map((id) => line(id, 0.01)).join(''));
    assert.deepEqual(await t.collector.appendValidated('fraud_scores', ['K0'], line('K0', 0.2)), {
      accepted: 1,
      duplicate: 0,
    });
    await t.collector.compactNow();
    const engine = await DuckDbEngine.open(t.dir);
    try {
      const rows = await engine.query(
        "SELECT count(*) AS n, min(score) AS s, (SELECT count(*) FROM fraud_scores) AS total FROM fraud_scores WHERE order_id = 'K0'",
      );
      // One row for K0, the first score's; every other score stored.
      assert.deepEqual(
        rows.map((r) => [Number(r.n), Number(r.s), Number(r.total)]),
        [[1, 0.7, SCORE_KEYS + 1]],
      );
    } finally {
      await engine.close();
    }
  } finally {
    await t.close();
  }
});
