import assert from 'node:assert/strict';
import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { buildFixtureLake } from '../analyses/fixture.test-helper.js';
import { tempDir } from '../testing/index.js';
import { shoplake } from './cli-process.test-helper.js';

describe('output files the user names', () => {
  let dir: string;
  let cleanup: () => void;
  before(async () => {
    ({ dir, cleanup } = tempDir());
    await buildFixtureLake(dir);
  });
  after(() => cleanup());

  it('report --out into a missing directory is one line and exit 2, not an internal error', () => {
    // It printed "internal error: ENOENT …" with exit 1, after building the whole report.
    const out = join(dir, 'no-such-dir', 'report.html');
    const r = shoplake(['--data', dir, 'report', '--out', out]);
    assert.equal(r.code, 2, r.stderr);
    assert.equal(r.stderr.trim().split('\n').length, 1, r.stderr);
    assert.match(r.stderr, /--out .*no-such-dir.* does not exist/);
  });

  it('report --out naming a directory is a user error', () => {
    const out = join(dir, 'reports');
    mkdirSync(out);
    const r = shoplake(['--data', dir, 'report', '--out', out]);
    assert.equal(r.code, 2, r.stderr);
    assert.match(r.stderr, /is a directory/);
  });

  it('encryption-key --out into a missing directory is one line and exit 2', () => {
    const out = join(dir, 'missing', 'lake.key');
    const r = shoplake(['encryption-key', '--out', out]);
    assert.equal(r.code, 2, r.stderr);
    assert.match(r.stderr, /does not exist/);
    assert.equal(existsSync(out), false);
  });
});
