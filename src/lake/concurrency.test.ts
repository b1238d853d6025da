import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, readdirSync, utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { DuckDbEngine } from '../engines/index.js';
import { csv, ORDERS_HEADER, tempDir, writeText } from '../testing/index.js';
import { commitFiles, dataLayout, liveFiles, withTableLock } from './index.js';

const BIN = fileURLToPath(new URL('../../../bin/shoplake.js', import.meta.url));

function run(args: string[]): {
  done: Promise<{ code: number | null; stdout: string }>;
  exited: () => boolean;
} {
  let exited = false;
  const child = spawn(process.execPath, [BIN, ...args], { stdio: ['ignore', 'pipe', 'ignore'] });
  let stdout = '';
  child.stdout.on('data', (d: Buffer) => {
    stdout += d.toString();
  });
  const done = new Promise<{ code: number | null; stdout: string }>((resolve) =>
    child.on('exit', (code) => {
      exited = true;
      resolve({ code, stdout });
    }),
  );
  return { done, exited: () => exited };
}

// Batch ids of the Parquet files in a table directory, listed or not (`<batch>-<suffix>-<i>.parquet`).
function batchesOnDisk(tableDir: string): Set<string> {
  const ids = new Set<string>();
  if (!existsSync(tableDir)) return ids;
  for (const entry of readdirSync(tableDir, { withFileTypes: true })) {
    if (!entry.isDirectory()) continue;
    for (const f of readdirSync(join(tableDir, entry.name))) ids.add(f.split('-').slice(0, 2).join('-'));
  }
  return ids;
}

describe('concurrent writers', () => {
  let dir: string;
  let cleanup: () => void;
  before(() => ({ dir, cleanup } = tempDir()));
  after(() => cleanup());

  it('two ingests of the same file at once load each row once (regression: both loaded everything)', async () => {
    const rows = Array.from({ length: 200 }, (_, i) => [
      `ORD${i}`,
      'C1',
      'P1',
      'Thing',
      1,
      '2.00',
      '2.00',
      `2026-10-${String((i % 28) + 1).padStart(2, '0')} 10:00:00`,
      'COMPLETED',
      'US-EAST',
    ]);
    const input = writeText(join(dir, 'in', 'orders.csv'), csv(ORDERS_HEADER, rows));
    const tableDir = join(dataLayout(dir).lake, 'orders');
    // The table has a manifest already (ingest creates one before writing to a table without).
    await commitFiles(tableDir, () => []);
    const args = ['--data', dir, 'ingest', input, '--table', 'orders', '--format', 'json'];
    // Both runs check for duplicates against the empty lake and write their files while this process
    // holds the table lock; only then may they commit, one after the other.
    const runs = await withTableLock(tableDir, async () => {
      const started = [run(args), run(args)];
      for (let waited = 0; waited < 60_000; waited += 100) {
        if (batchesOnDisk(tableDir).size >= 2 || started.some((r) => r.exited())) break;
        await sleep(100);
      }
      return started;
    });
    const results = await Promise.all(runs.map((r) => r.done));
    assert.deepEqual(
      results.map((r) => r.code),
      [0, 0],
    );
    const reports = results.map((r) => (JSON.parse(r.stdout) as { loaded: number; duplicate: number }[])[0]);
    assert.equal((reports[0]?.loaded ?? 0) + (reports[1]?.loaded ?? 0), 200);
    assert.equal((reports[0]?.duplicate ?? 0) + (reports[1]?.duplicate ?? 0), 200);
    const engine = await DuckDbEngine.open(dir);
    try {
      const [row] = await engine.query('SELECT count(*) AS n, count(DISTINCT order_id) AS ids FROM orders');
      assert.deepEqual(row, { n: 200, ids: 200 });
    } finally {
      await engine.close();
    }
  });

  it('waits for the table lock without blocking the thread (regression: Atomics.wait busy-wait)', async () => {
    const tableDir = join(dir, 'lake', 'waiting');
    let ticks = 0;
    const timer = setInterval(() => ticks++, 5);
    try {
      let commit: Promise<boolean> | undefined;
      await withTableLock(tableDir, async () => {
        commit = commitFiles(tableDir, (live) => [...live, join(tableDir, 'a.parquet')]);
        const before = ticks;
        await sleep(200);
        assert.ok(ticks > before, 'timers kept firing while the commit waited');
        assert.deepEqual(liveFiles(tableDir), [], 'nothing committed while the lock is held');
      });
      assert.equal(await commit, true);
      assert.deepEqual(liveFiles(tableDir), [join(tableDir, 'a.parquet')]);
    } finally {
      clearInterval(timer);
    }
  });

  it('breaks a lock whose holder died, and one nobody has touched for long', async () => {
    const tableDir = join(dir, 'lake', 'stale');
    const dead = spawn(process.execPath, ['-e', '']);
    const pid = dead.pid;
    await new Promise((resolve) => dead.on('exit', resolve));
    writeText(join(tableDir, '_lock'), `${pid} gone`);
    assert.equal(await commitFiles(tableDir, () => [join(tableDir, 'b.parquet')]), true);
    // A live process (our parent) that stopped touching its lock a minute ago: hung, or pid reused.
    writeFileSync(join(tableDir, '_lock'), `${process.ppid} hung`);
    const minuteAgo = new Date(Date.now() - 60_000);
    utimesSync(join(tableDir, '_lock'), minuteAgo, minuteAgo);
    assert.equal(await commitFiles(tableDir, () => [join(tableDir, 'c.parquet')]), true);
    assert.deepEqual(liveFiles(tableDir), [join(tableDir, 'c.parquet')]);
  });
});
