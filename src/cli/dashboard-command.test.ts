import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { z } from 'zod';
import { tempDir } from '../testing/index.js';

const BIN = fileURLToPath(new URL('../../../bin/shoplake.js', import.meta.url));

test('shoplake dashboard serves the API on the port it prints, and stops on SIGTERM', async () => {
  const { dir, cleanup } = tempDir('shoplake-dashboard-cli-');
  const child = spawn(process.execPath, [BIN, 'dashboard', '--port', '0', '--data', dir], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  try {
    let out = '';
    child.stdout.setEncoding('utf8');
    const url = await new Promise<string>((resolve, reject) => {
      child.stdout.on('data', (chunk: string) => {
        out += chunk;
        const found = /on (http:\/\/127\.0\.0\.1:\d+)/.exec(out)?.[1];
        if (found) resolve(found);
      });
      child.once('exit', (code) => reject(new Error(`exited ${code} before listening: ${out}`)));
    });
    const analyses = z
      .array(z.object({ name: z.string() }))
      .parse(await (await fetch(`${url}/api/analyses`)).json());
    assert.ok(analyses.some((a) => a.name === 'sales-by-region'));
    // An empty data directory: the lake's tables are not loaded, which the status says.
    const status = z
      .object({ tables: z.array(z.object({ state: z.string() })) })
      .parse(await (await fetch(`${url}/api/status`)).json());
    assert.deepEqual(new Set(status.tables.map((t) => t.state)), new Set(['not loaded']));
    const bad = await fetch(`${url}/api/analyses/sales-by-region?status=LOST`);
    assert.equal(bad.status, 400);
    child.kill('SIGTERM');
    const [code] = await once(child, 'exit');
    assert.equal(code, 0);
  } finally {
    if (child.exitCode === null) child.kill('SIGKILL');
    cleanup();
  }
});
