import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { monitoringFiles } from '../monitoring/deploy/index.js';
import { tempDir } from '../testing/index.js';

const BIN = fileURLToPath(new URL('../../../bin/shoplake.js', import.meta.url));

test('shoplake monitoring generate writes every deploy file, one path per line', () => {
  const { dir, cleanup } = tempDir('shoplake-monitoring-cli-');
  try {
    const r = spawnSync(process.execPath, [BIN, 'monitoring', 'generate', '--out', dir], {
      encoding: 'utf8',
    });
    assert.equal(r.status, 0, r.stderr);
    const expected = [...monitoringFiles().keys()];
    assert.deepEqual(
      r.stdout.trim().split('\n'),
      expected.map((p) => join(dir, p)),
    );
    for (const [path, text] of monitoringFiles()) assert.equal(readFileSync(join(dir, path), 'utf8'), text);
    assert.match(r.stderr, /wrote 9 files/);
  } finally {
    cleanup();
  }
});

test('monitoring generate: an empty --out and an edited file are one-line mistakes (exit 2), nothing overwritten', () => {
  const { dir, cleanup } = tempDir('shoplake-monitoring-cli-edit-');
  try {
    const empty = spawnSync(process.execPath, [BIN, 'monitoring', 'generate', '--out', ''], {
      encoding: 'utf8',
      cwd: dir,
    });
    assert.equal(empty.status, 2, empty.stderr);
    assert.equal(empty.stderr.trim().split('\n').length, 1, empty.stderr);
    assert.deepEqual(readdirSync(dir), [], 'nothing written into the working directory');
    const run = () =>
      spawnSync(process.execPath, [BIN, 'monitoring', 'generate', '--out', dir], { encoding: 'utf8' });
    assert.equal(run().status, 0);
    const alertmanager = join(dir, 'alertmanager', 'alertmanager.yml');
    writeFileSync(alertmanager, 'receivers: [{name: team-pager}]\n');
    const again = run();
    assert.equal(again.status, 2, again.stderr);
    assert.match(again.stderr, /alertmanager\/alertmanager\.yml.*--force/);
    assert.equal(readFileSync(alertmanager, 'utf8'), 'receivers: [{name: team-pager}]\n');
  } finally {
    cleanup();
  }
});
