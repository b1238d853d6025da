import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
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
