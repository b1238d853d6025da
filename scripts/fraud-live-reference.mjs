// The digests fraud-live.test.ts expects, computed by another build's scoring code (main b973169 for the
// committed ones): `node scripts/fraud-live-reference.mjs /work/main` after `sh scripts/setup.sh` here.
// The stream comes from this build (dist/src/collector/fraud-live.test-helper.js: generated data cut into
// hand-over messages); the model, the queue, the byte reader and the line writer come from the other build,
// driven as its scoring worker (src/collector/fraud-worker.ts there) drove them per message and per batch.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

const other = resolve(process.argv[2] ?? '/work/main');
const here = resolve(new URL('..', import.meta.url).pathname);
const helper = await import(join(here, 'dist/src/collector/fraud-live.test-helper.js'));
const fraud = await import(join(other, 'dist/src/fraud/index.js'));
const bytes = await import(join(other, 'dist/src/collector/fraud-order-bytes.js'));
const protocol = await import(join(other, 'dist/src/collector/fraud-protocol.js'));
const walFields = await import(join(other, 'dist/src/collector/wal-fields.js'));
const scoreLine = await import(join(other, 'dist/src/collector/fraud-score-line.js'));
const lineBytes = await import(join(other, 'dist/src/collector/fraud-line-bytes.js'));

const dir = mkdtempSync(join(tmpdir(), 'shoplake-fraud-live-reference-'));
try {
  const stream = await helper.liveStream(dir);
  const { state, sample } = fraud.replayFeatures(stream.history, stream.profiles);
  const model = new fraud.FraudModel(state, fraud.growForest(sample), helper.LIVE_WEIGHTS);
  const threshold = helper.LIVE_WEIGHTS.threshold;
  const queue = new fraud.LiveQueue(helper.CHECK_WAIT_MS);
  const records = new bytes.RecordBytes();
  const orderFields = new walFields.WalFields(protocol.ORDER_FIELDS);
  const checkFields = new walFields.WalFields(protocol.CHECK_FIELDS);
  const values = [];
  const writer = new scoreLine.ScoreLineWriter(helper.LIVE_WEIGHTS.version);
  const out = new lineBytes.LineBytes();
  helper.drive(stream, {
    receive(m) {
      records.use(m.checks);
      bytes.eachLine(m.checks, (from, to) => {
        const read =
          records.orderChecks(from, to) ?? protocol.checksOfLine(records.line(from, to), checkFields, values);
        queue.addChecks(read.orderId, read.checks);
      });
      records.use(m.orders);
      bytes.eachLine(m.orders, (from, to) => {
        queue.addOrder(
          records.orderFacts(from, to) ?? protocol.orderOfLine(records.line(from, to), orderFields, values),
          m.now,
        );
      });
    },
    scoreDue(now, max) {
      const { scores } = queue.scoreDue(model, threshold, now, max);
      for (const s of scores) writer.appendTo(out, s, now);
      return scores.length;
    },
  });
  const text = out.takeText();
  const d = helper.digests(text);
  const alerts = text.split('\n').filter((l) => l.includes('"alert":1')).length;
  const reasons = text.split('\n').filter((l) => l.includes('"reasons"')).length;
  console.log(JSON.stringify({ from: other, liveOrders: stream.liveOrders, alerts, reasons, ...d }, null, 2));
} finally {
  rmSync(dir, { recursive: true, force: true });
}
