import assert from 'node:assert/strict';
import { appendFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { dataLayout, tableBatches } from '../lake/index.js';
import { csv, ORDERS_HEADER, tempDir, writeText } from '../testing/index.js';
import { buildLake } from './index.js';

const line = (id: string) =>
  [id, 'C1', 'P1', 'Thing', 1, '4.00', '4.00', '2026-11-03 09:00:00', 'COMPLETED', 'LATAM'].join(',');

describe('build-lake', () => {
  let dir: string;
  let cleanup: () => void;
  before(() => ({ dir, cleanup } = tempDir()));
  after(() => cleanup());

  it('does not read raw files again that its live batch already loaded, and reads them once they change', async () => {
    const file = writeText(
      join(dir, 'raw', 'orders', 'orders.csv'),
      csv(ORDERS_HEADER, [[line('O1')], [line('O2')]]),
    );
    const [first] = await buildLake(dir);
    assert.deepEqual([first?.loaded, first?.unchanged], [2, undefined]);
    const [again] = await buildLake(dir);
    assert.deepEqual(
      [again?.batch, again?.read, again?.loaded, again?.unchanged],
      [first?.batch, 0, 0, true],
    );
    assert.equal(tableBatches(dataLayout(dir), 'orders').length, 1, 'no batch for a run that read nothing');
    appendFileSync(file, `${line('O3')}\n`);
    const [changed] = await buildLake(dir);
    assert.deepEqual([changed?.read, changed?.loaded, changed?.duplicate], [3, 1, 2]);
  });
});
