import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { z } from 'zod';
import { createKey } from '../security/index.js';
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

/** Starts a shoplake server command on a free port and returns its URL (printed as "… on URL" / "listening on URL"). */
async function startCommand(args: string[]): Promise<{ child: ReturnType<typeof spawn>; url: string }> {
  const child = spawn(process.execPath, [BIN, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  child.stderr?.on('data', (d: Buffer) => {
    err += d.toString();
  });
  const url = await new Promise<string>((resolve, reject) => {
    child.stdout?.on('data', (d: Buffer) => {
      out += d.toString();
      const found = / on (https?:\/\/127\.0\.0\.1:\d+)/.exec(out)?.[1];
      if (found) resolve(found);
    });
    child.once('exit', (code) => reject(new Error(`exited ${code} before listening: ${out} ${err}`)));
  });
  return { child, url };
}

test('shoplake dashboard and serve put the dashboard API behind keys once a viewer key exists', async () => {
  const { dir, cleanup } = tempDir('shoplake-dashboard-keys-');
  const viewer = createKey(dir, { name: 'wall', role: 'viewer' });
  const analyst = createKey(dir, { name: 'ana', role: 'analyst' });
  // serve refuses to start without a way to ingest.
  createKey(dir, { name: 'shop', role: 'ingest' });
  const children: ReturnType<typeof spawn>[] = [];
  try {
    for (const args of [
      ['dashboard', '--port', '0', '--data', dir],
      ['serve', '--port', '0', '--data', dir, '--no-fraud'],
    ]) {
      const { child, url } = await startCommand(args);
      children.push(child);
      const get = (path: string, key?: string) =>
        fetch(url + path, key ? { headers: { authorization: `Bearer ${key}` } } : {});
      const sql = (key: string) =>
        fetch(`${url}/api/sql`, {
          method: 'POST',
          headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
          body: JSON.stringify({ sql: 'SELECT 1 AS one' }),
        });
      assert.equal((await get('/api/status')).status, 401, args[0]);
      assert.equal((await get('/api/status', viewer.key)).status, 200, args[0]);
      assert.equal((await sql(viewer.key)).status, 403, args[0]);
      assert.equal((await sql(analyst.key)).status, 200, args[0]);
      const page = await get('/');
      assert.equal(page.status, 200, args[0]);
      assert.match(page.headers.get('content-security-policy') ?? '', /default-src 'none'/, args[0]);
      child.kill('SIGTERM');
      const [code] = await once(child, 'exit');
      assert.equal(code, 0, args[0]);
    }
  } finally {
    for (const child of children) if (child.exitCode === null) child.kill('SIGKILL');
    cleanup();
  }
});
