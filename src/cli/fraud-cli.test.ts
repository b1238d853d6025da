import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { loadLabels, openLake } from '../fraud/index.js';
import { tempDir } from '../testing/index.js';

const BIN = fileURLToPath(new URL('../../../bin/shoplake.js', import.meta.url));
const shoplake = (args: string[]) => {
  const r = spawnSync(process.execPath, [BIN, ...args], { encoding: 'utf8' });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
};

describe('shoplake fraud and query fraud-alerts', () => {
  let dir: string;
  let cleanup: () => void;
  before(() => {
    ({ dir, cleanup } = tempDir('shoplake-fraud-cli-'));
    const r = shoplake([
      'generate',
      '--orders',
      '3000',
      '--customers',
      '300',
      '--events',
      '500',
      '--days',
      '14',
      '--seed',
      '4',
      '--as-of',
      '2026-11-01',
      '--out',
      dir,
    ]);
    assert.equal(r.code, 0, r.stderr);
    // generate scores what it loaded and says so on stderr.
    assert.match(r.stderr, /fraud: scored 3000 orders, \d+ above the alert threshold/);
  });
  after(() => cleanup());

  it('lists alerts highest score first, all at or above --min-score', () => {
    const r = shoplake(['--data', dir, 'query', 'fraud-alerts', '--min-score', '0.5', '--format', 'json']);
    assert.equal(r.code, 0, r.stderr);
    const rows = JSON.parse(r.stdout) as { order_id: string; score: number; reasons: string }[];
    assert.ok(rows.length > 5, `${rows.length} alerts`);
    rows.forEach((row, i) => {
      assert.ok(row.score >= 0.5);
      if (i > 0) assert.ok(row.score <= (rows[i - 1]?.score ?? 1));
      assert.ok(row.reasons.length > 0);
    });
  });

  it('scores nothing twice: a second fraud score finds nothing to do', () => {
    const r = shoplake(['--data', dir, 'fraud', 'score', '--format', 'json']);
    assert.equal(r.code, 0, r.stderr);
    assert.deepEqual(JSON.parse(r.stdout), [{ scored: 0, alerts: 0 }]);
  });

  it('labels an order, and the evaluation reads the label over the generator’s', async () => {
    assert.equal(shoplake(['--data', dir, 'fraud', 'label', 'ORD00010', 'confirmed']).code, 0);
    const engine = await openLake(dir);
    try {
      assert.equal((await loadLabels(engine, dir)).get('ORD00010'), true);
    } finally {
      await engine.close();
    }
    const unknown = shoplake(['--data', dir, 'fraud', 'label', 'NOPE1', 'confirmed']);
    assert.equal(unknown.code, 2);
    assert.match(unknown.stderr, /^shoplake: no order 'NOPE1' in the lake/);
    const bad = shoplake(['--data', dir, 'fraud', 'label', 'ORD00010', 'maybe']);
    assert.equal(bad.code, 2);
    assert.equal(bad.stderr.trim().split('\n').length, 1);
  });

  it('backtests against the labels', () => {
    const r = shoplake(['--data', dir, 'fraud', 'backtest', '--format', 'json']);
    assert.equal(r.code, 0, r.stderr);
    const [report] = JSON.parse(r.stdout) as {
      orders: number;
      model: { averagePrecision: number };
      bestRule: { averagePrecision: number };
    }[];
    assert.equal(report?.orders, 3000);
    assert.ok((report?.model.averagePrecision ?? 0) > (report?.bestRule.averagePrecision ?? 1));
  });
});
