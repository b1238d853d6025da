import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { buildFixtureLake } from '../analyses/fixture.test-helper.js';
import { tempDir } from '../testing/index.js';

const BIN = fileURLToPath(new URL('../../../bin/shoplake.js', import.meta.url));

describe('an empty answer to --region', () => {
  let dir: string;
  let cleanup: () => void;
  before(async () => {
    ({ dir, cleanup } = tempDir());
    await buildFixtureLake(dir);
  });
  after(() => cleanup());

  it('names the region the orders spell in another case', () => {
    // The fixture's orders are in EU-WEST and US-EAST; "eu-west" matched nothing and said only that.
    const r = spawnSync(
      process.execPath,
      [BIN, '--data', dir, 'query', 'order-status', '--region', 'eu-west'],
      {
        encoding: 'utf8',
      },
    );
    assert.equal(r.status, 0, r.stderr);
    assert.match(
      r.stdout,
      /nothing matches --region eu-west \(regions match exactly: the orders say --region EU-WEST\)/,
    );
    const none = spawnSync(
      process.execPath,
      [BIN, '--data', dir, 'query', 'order-status', '--region', 'MARS'],
      {
        encoding: 'utf8',
      },
    );
    assert.match(none.stdout, /nothing matches --region MARS\)/);
  });
});
