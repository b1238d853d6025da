import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { csv, ORDERS_HEADER, tempDir, writeText } from '../testing/index.js';
import { shoplake } from './cli-process.test-helper.js';

const order = (id: string, status = 'COMPLETED') => [
  id,
  'C1',
  'P1',
  'Thing',
  1,
  '3.00',
  '3.00',
  '2026-11-10 08:00:00',
  status,
  'EU-WEST',
];

it('batches on a data directory that does not exist is a one-line mistake (exit 2), not an empty list', () => {
  const { dir, cleanup } = tempDir('shoplake-batches-missing-');
  try {
    const r = shoplake(['batches', '--data', join(dir, 'no-such-lake')]);
    assert.equal(r.code, 2, r.stdout);
    assert.match(r.stderr, /does not exist/);
    assert.equal(r.stdout, '');
  } finally {
    cleanup();
  }
});

describe('shoplake batches, rollback, ingest --max-rejects', () => {
  let dir: string;
  let cleanup: () => void;
  before(() => ({ dir, cleanup } = tempDir()));
  after(() => cleanup());

  it('lists batches, rolls one back, and says where duplicates went', () => {
    const data = join(dir, 'data');
    const input = writeText(join(dir, 'orders.csv'), csv(ORDERS_HEADER, [order('A1'), order('A2')]));
    const first = shoplake(['--data', data, 'ingest', input, '--table', 'orders']);
    assert.equal(first.code, 0, first.stderr);
    assert.match(
      first.stdout,
      /^orders: read 2, loaded 2, duplicate 0, quarantined 0 \(batch b\d{8}T\d{9}-[0-9a-f]{6}\)\n$/,
    );
    const again = shoplake(['--data', data, 'ingest', input, '--table', 'orders']);
    assert.match(again.stdout, /loaded 0, duplicate 2.*; duplicates in .*duplicates\/orders\/b.*\.ndjson\n$/);

    // --table orders: the ingests also scored the orders for fraud (a batch of table fraud_scores).
    const listed = shoplake(['--data', data, 'batches', '--table', 'orders', '--format', 'json']);
    assert.equal(listed.code, 0, listed.stderr);
    const batches = JSON.parse(listed.stdout) as {
      batch: string;
      loaded: number;
      state: string;
      source: string;
    }[];
    assert.deepEqual(
      batches.map((b) => [b.loaded, b.state, b.source]),
      [
        [2, 'live', input],
        [0, 'live', input],
      ],
    );
    const header = shoplake(['--data', data, 'batches', '--table', 'customers', '--format', 'csv']);
    assert.equal(
      header.stdout.split('\n')[0],
      'batch,table,kind,at,source,mapping,read,loaded,duplicate,quarantined,state',
    );

    const rolled = shoplake(['--data', data, 'rollback', batches[0]?.batch ?? '']);
    assert.equal(rolled.code, 0, rolled.stderr);
    assert.match(
      rolled.stdout,
      /^rolled back b.* \(orders, .*orders\.csv\): removed 2 rows; 1 files retired, 0 rewritten\n$/,
    );
    const states = JSON.parse(
      shoplake(['--data', data, 'batches', '--table', 'orders', '--format', 'json']).stdout,
    ) as {
      state: string;
    }[];
    assert.deepEqual(
      states.map((b) => b.state),
      ['rolled back', 'live'],
    );
    const unknown = shoplake(['--data', data, 'rollback', 'b-none']);
    assert.deepEqual(
      [unknown.code, unknown.stderr],
      [2, "shoplake: no batch b-none: 'shoplake batches' lists them\n"],
    );
  });

  it('exits 2 and loads nothing when too many rows are quarantined', () => {
    const data = join(dir, 'rejects');
    const input = writeText(join(dir, 'bad.csv'), csv(ORDERS_HEADER, [order('B1', 'LOST'), order('B2')]));
    const refused = shoplake(['--data', data, 'ingest', input, '--table', 'orders']);
    assert.equal(refused.code, 2);
    assert.match(
      refused.stderr,
      /nothing loaded: 1 of 2 rows quarantined \(50\.0%\), above --max-rejects 5%; reasons in /,
    );
    const bad = shoplake(['--data', data, 'ingest', input, '--table', 'orders', '--max-rejects', 'lots']);
    assert.equal(bad.code, 2);
    assert.match(bad.stderr, /--max-rejects lots: give a percentage/);
    const allowed = shoplake([
      '--data',
      data,
      'ingest',
      input,
      '--table',
      'orders',
      '--max-rejects',
      '1',
      '--format',
      'json',
    ]);
    assert.equal(allowed.code, 0, allowed.stderr);
    assert.equal((JSON.parse(allowed.stdout) as { loaded: number }[])[0]?.loaded, 1);
  });
});
