import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { buildOrdersLake } from '../analyses/catalog/parts/orders.test-helper.js';
import { tempDir } from '../testing/index.js';

const BIN = fileURLToPath(new URL('../../../bin/shoplake.js', import.meta.url));

const shoplake = (args: string[]) => {
  const r = spawnSync(process.execPath, [BIN, ...args], { encoding: 'utf8' });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
};

// The order fixture has two completed guest orders (G1, G2) that customer analyses leave out.
describe('shoplake query notes', () => {
  let dir: string;
  let cleanup: () => void;
  before(async () => {
    ({ dir, cleanup } = tempDir());
    await buildOrdersLake(dir);
  });
  after(() => cleanup());

  it('says on stderr how many guest orders were left out, as a line or as one JSON object', () => {
    const table = shoplake(['--data', dir, 'query', 'rfm']);
    assert.equal(table.code, 0, table.stderr);
    assert.match(table.stderr, /^note: left out 2 guest order\(s\)/m);
    const json = shoplake(['--data', dir, 'query', 'rfm', '--format', 'json']);
    assert.equal(json.code, 0, json.stderr);
    assert.ok(Array.isArray(JSON.parse(json.stdout)), 'stdout stays one JSON array');
    const [line, ...rest] = json.stderr.trim().split('\n');
    assert.equal(rest.length, 0, json.stderr);
    const parsed = JSON.parse(line ?? '') as { notes: { code: string; count: number }[] };
    assert.deepEqual(
      parsed.notes.map((n) => [n.code, n.count]),
      [['guest_orders_left_out', 2]],
    );
    // A sales analysis keeps guests and has nothing to say.
    assert.equal(shoplake(['--data', dir, 'query', 'sales-by-region']).stderr, '');
  });
});
