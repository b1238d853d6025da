import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { buildFixtureLake } from '../analyses/fixture.test-helper.js';
import { tempDir } from '../testing/index.js';
import { shoplake } from './cli-process.test-helper.js';

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
    const r = shoplake(['--data', dir, 'query', 'order-status', '--region', 'eu-west']);
    assert.equal(r.code, 0, r.stderr);
    assert.match(
      r.stdout,
      /nothing matches --region eu-west \(regions match exactly: the orders say --region EU-WEST\)/,
    );
    const none = shoplake(['--data', dir, 'query', 'order-status', '--region', 'MARS']);
    assert.match(none.stdout, /nothing matches --region MARS\)/);
  });
});
