import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { FraudModel, growForest, replayFeatures } from '../fraud/index.js';
import { tempDir } from '../testing/index.js';
import { LineBytes } from './fraud-line-bytes.js';
import { LiveScoring } from './fraud-live.js';
import {
  CHECK_WAIT_MS,
  DIGEST_BLOCK,
  digests,
  drive,
  LIVE_WEIGHTS,
  type LiveStream,
  liveStream,
} from './fraud-live.test-helper.js';
import { ScoreLineWriter } from './fraud-score-line.js';

/*
 * What main b973169's scoring worker wrote for the stream of fraud-live.test-helper.ts: its per-order path
 * (RecordBytes, LiveQueue.scoreDue making a FraudScore per order, ScoreLineWriter.appendTo), run by
 * scripts/fraud-live-reference.mjs against that build (`node scripts/fraud-live-reference.mjs /work/main`).
 * The model, the forest, the features and the reasons all came from that build's code, so any change that
 * moves one score, alert, reason or byte of a line changes these. Recompute them (with the build whose
 * output is the reference) only when a change of the scores is meant, and say so.
 */
const MAIN_LINES = 2500;
const MAIN_ALL = 'b52fbfa2d0c80a2cf50fc02e5d07f34eb52af05ac2c430d598f2e3f46a93a610';
const MAIN_BLOCKS = [
  '755e56a8d22166e84fe850de8cb010c9dde6d0e63366275eadfca83953ca3ed4',
  '6a1719fbbb9ea896eafb19aa5be3ab8c06b120f9fe1c9096e04b9e5a6b3f175a',
  '6b003a626a913d0540927029441b608a8ca1e7ad5a757824f17a995008137967',
  'f2b37a4c969c608876999c5fae1cf849d4716570a042fe7d2c8c150c503ffdf3',
  '98ea8613de831e0c9617f1d7faea6aeda11701552f4c594d591cecaa30d94abf',
  'e9e029bbd5f597f4c865043d9155c6427fcf7f8961f10c57bb0bf0d620e388a3',
  '821396ecae5cdfee72b3d14d429022c09c09a25df8466d6d01696daf12cd3310',
  '59824867e55d63592e31a26660e52235551cfd72b6a0ded56875ba8634172f1c',
  '397638f7b830f2b6bdcdbd1eb9ea3419d4924105a12aba2cdab24fe7e0934dfa',
  'b54d1f2b19b9cebe64b8812c3f2e86c2fadcf3000ef21ff5a57189ca8605b5f4',
];

function scoreStream(stream: LiveStream): string {
  const { state, sample } = replayFeatures(stream.history, stream.profiles);
  const model = new FraudModel(state, growForest(sample), LIVE_WEIGHTS);
  const live = new LiveScoring(CHECK_WAIT_MS);
  const writer = new ScoreLineWriter(LIVE_WEIGHTS.version);
  const out = new LineBytes();
  let at = 0;
  const onScore = () => {
    writer.appendTo(out, live.score, at);
  };
  drive(stream, {
    receive: (m) => live.receive(m.orders, m.checks, m.now),
    scoreDue: (now, max) => {
      at = now;
      return live.scoreDue(model, LIVE_WEIGHTS.threshold, now, max, onScore);
    },
  });
  return out.takeText();
}

describe('the live scoring path (no object per order)', () => {
  it('writes, for a seeded stream of 2,500 generated orders, the score lines main b973169 wrote, byte for byte', async () => {
    const { dir, cleanup } = tempDir('shoplake-fraud-live-');
    try {
      const stream = await liveStream(dir);
      const text = scoreStream(stream);
      const lines = text.split('\n').filter((l) => l !== '');
      // Each live order scored once, some alerting and some with reasons: the stream covers those paths.
      assert.equal(stream.liveOrders, MAIN_LINES);
      assert.equal(
        new Set(lines.map((l) => (JSON.parse(l) as { order_id: string }).order_id)).size,
        MAIN_LINES,
      );
      assert.ok(lines.filter((l) => l.includes('"alert":1')).length > 100);
      assert.ok(lines.filter((l) => l.includes('"reasons":')).length > 500);
      const got = digests(text);
      assert.equal(got.lines, MAIN_LINES);
      const first = got.blocks.findIndex((b, i) => b !== MAIN_BLOCKS[i]);
      assert.equal(
        first,
        -1,
        `lines ${first * DIGEST_BLOCK + 1}–${(first + 1) * DIGEST_BLOCK} differ from main's; the first of them: ${lines[first * DIGEST_BLOCK]}`,
      );
      assert.equal(got.all, MAIN_ALL);
    } finally {
      cleanup();
    }
  });
});
