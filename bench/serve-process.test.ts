import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { once } from 'node:events';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';

const WATCH = new URL('./parent-watch.js', import.meta.url).href;
const FRAUD = fileURLToPath(new URL('./fraud.js', import.meta.url));

const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

/** Polls until `pid` is gone; false if it still runs after `ms` (a generous bound, not a timing claim). */
async function gone(pid: number, ms: number): Promise<boolean> {
  for (const end = Date.now() + ms; Date.now() < end; ) {
    if (!alive(pid)) return true;
    await new Promise((r) => setTimeout(r, 100));
  }
  return !alive(pid);
}

/**
 * A stand-in bench: a node process that starts a long-running child (with or without the watch, which
 * every serve a bench starts gets) and prints the child's pid; then the stand-in is killed with SIGKILL.
 */
async function orphan(watch: boolean): Promise<{ child: number; kill: () => void }> {
  const childArgs = [...(watch ? ['--import', WATCH] : []), '-e', 'setInterval(() => {}, 1000)'];
  const script = `const c = require('node:child_process').spawn(process.execPath, ${JSON.stringify(childArgs)}, { stdio: 'ignore' }); console.log(c.pid); setInterval(() => {}, 1000);`;
  const bench = spawn(process.execPath, ['-e', script], { stdio: ['ignore', 'pipe', 'inherit'] });
  const [line] = (await once(bench.stdout, 'data')) as [Buffer];
  return { child: Number(String(line).trim()), kill: () => bench.kill('SIGKILL') };
}

test('a child with the parent watch stops once its bench is killed with SIGKILL, and not before', async () => {
  const { child, kill } = await orphan(true);
  try {
    await new Promise((r) => setTimeout(r, 600));
    assert.equal(alive(child), true, 'the child runs while its bench does');
    kill();
    assert.equal(await gone(child, 15_000), true, 'the child outlived its bench');
  } finally {
    if (alive(child)) process.kill(child, 'SIGKILL');
  }
});

test('without the watch the same child outlives its bench (what the watch is for)', async () => {
  const { child, kill } = await orphan(false);
  try {
    kill();
    assert.equal(await gone(child, 2_000), false);
  } finally {
    if (alive(child)) process.kill(child, 'SIGKILL');
  }
});

test('fraud.js refuses an unknown argument in one line, before starting any server', () => {
  const r = spawnSync(process.execPath, [FRAUD, '--bogus'], { encoding: 'utf8', timeout: 60_000 });
  assert.equal(r.status, 2);
  assert.equal(r.stdout, '');
  const lines = r.stderr.trim().split('\n');
  assert.equal(lines.length, 1);
  assert.match(lines[0] as string, /--bogus.*usage: node dist\/bench\/fraud\.js/);
});

test('fraud.js --help prints its usage and starts nothing', () => {
  const r = spawnSync(process.execPath, [FRAUD, '--help'], { encoding: 'utf8', timeout: 60_000 });
  assert.equal(r.status, 0);
  assert.equal(r.stdout.trim().split('\n').length, 1);
  assert.match(r.stdout, /^usage: node dist\/bench\/fraud\.js/);
});
